"""A small syndicate project for the desk's tests: a local RSS file whose items state no terms (so
a target with on_unknown_rights = "hold" holds them), one whose item is all rights reserved (blocked),
a webhook target on a real receiver on 127.0.0.1, and desk users of each kind."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

EDITOR_PASSWORD = "correct horse battery staple"
VIEWER_PASSWORD = "viewer's own secret"
AUDITOR_PASSWORD = "hashed secret 42"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbor Gazette</title><link>https://harbor.example/</link>
<description>Local news</description>
{items}
</channel></rss>
"""
ITEM = """<item><title>{title}</title><link>https://harbor.example/{slug}</link>
<guid>https://harbor.example/{slug}</guid>
<pubDate>Mon, 0{day} Dec 2026 10:00:00 GMT</pubDate><author>desk@harbor.example (Ada Writer)</author>
<description>&lt;p&gt;{title}: the harbour board met on Tuesday and agreed the new ferry timetable.&lt;/p&gt;
</description></item>"""
RESERVED = """<rss version="2.0"><channel><title>Closed Wire</title><link>https://closed.example/</link>
<description>x</description><copyright>Copyright 2026 Closed Wire. All rights reserved.</copyright>
<item><title>Closed wire exclusive</title><link>https://closed.example/one</link>
<guid>https://closed.example/one</guid><pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;Only for subscribers.&lt;/p&gt;</description></item>
</channel></rss>"""
TITLES = ("Ferry timetable agreed", "Harbour wall repairs begin", "Fish market reopens")


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that records every POST (body and headers)."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)

    def titles(self) -> list[str]:
        return [p["article"]["title"] for p in self.posts]


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            data = json.loads(body)
            data["_key"] = self.headers.get("Idempotency-Key")
            receiver.posts.append(data)
            reply = json.dumps({"id": f"post-{len(receiver.posts)}", "url": f"https://partner.example/{len(receiver.posts)}"})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def make_project(directory: Path, hook_url: str, *, desk_extra: str = "") -> Path:
    """Write the feeds and the configuration; the configuration's path."""
    items = "\n".join(ITEM.format(title=t, slug=f"story-{i}", day=i + 1) for i, t in enumerate(TITLES))
    (directory / "harbor.rss").write_text(FEED.format(items=items), encoding="utf-8")
    (directory / "closed.rss").write_text(RESERVED, encoding="utf-8")
    (directory / "viewer.pass").write_text(VIEWER_PASSWORD + "\n", encoding="utf-8")
    (directory / "viewer.pass").chmod(0o600)
    hashed = PasswordHasher().hash(AUDITOR_PASSWORD)
    config = directory / "syndicate.toml"
    config.write_text(
        f"""[syndicate]
feeds_dir = "feeds"
database = "sqlite:///var/syndicate.db"
base_url = "http://localhost:8080/"
allow_private_networks = true

[[source]]
name = "harbor-gazette"
url = "harbor.rss"
publisher = "Harbor Gazette"

[[source]]
name = "closed-wire"
url = "closed.rss"

[[output]]
name = "all"
title = "Everything"

[[target]]
name = "partner"
type = "webhook"
url = "{hook_url}"
on_unknown_rights = "hold"
backfill = 50

[desk]
{desk_extra}
[[desk.user]]
name = "editor"
role = "editor"
password = "${{DESK_TEST_PASSWORD}}"

[[desk.user]]
name = "viewer"
role = "viewer"
password_file = "viewer.pass"

[[desk.user]]
name = "auditor"
role = "viewer"
password_hash = "{hashed}"
""",
        encoding="utf-8",
    )
    return config


DESK_ENV = {"DESK_TEST_PASSWORD": EDITOR_PASSWORD}
