"""A deterministic feed farm on 127.0.0.1 for the scale-out tests and the workers benchmark.

``FeedFarm(feeds=200, entries=3)`` serves ``/feeds/fNNN.xml``: small RSS 2.0 documents that
are a pure function of (feed index, entry index, token). Every tenth feed also carries a
republished copy of an entry of the feed before it (same link, its own GUID and title
suffix), so the pipeline merges copies across sources. Conditional requests get 304s; every
request is counted per path (``hits``), so tests can check that a source was fetched once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

EPOCH = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WORDS = [
    "harbor",
    "policy",
    "river",
    "commons",
    "field",
    "science",
    "council",
    "budget",
    "market",
    "school",
    "transit",
    "housing",
    "energy",
    "water",
    "forest",
    "climate",
    "island",
    "valley",
    "bridge",
    "library",
    "festival",
    "archive",
]


def feed_name(index: int) -> str:
    return f"f{index:03d}"


def _words(seed: str, count: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return " ".join(WORDS[digest[i] % len(WORDS)] for i in range(count))


def entry_link(token: str, feed: int, entry: int) -> str:
    return f"https://outlet{feed:03d}.example/{token}/story-{entry}"


def _item(token: str, feed: int, entry: int, *, copy_of: int | None = None) -> str:
    origin = feed if copy_of is None else copy_of
    title = f"{_words(f'{token}:{origin}:{entry}', 5).capitalize()} {token} {origin}-{entry}"
    when = EPOCH + timedelta(minutes=feed * 7 + entry * 61)
    body = " ".join(_words(f"{token}:{origin}:{entry}:{p}", 12) for p in range(3))
    guid = f"{token}-{feed}-{entry}" if copy_of is None else f"{token}-{feed}-copy-{origin}-{entry}"
    return (
        "<item>"
        f"<title>{escape(title)}</title>"
        f"<link>{entry_link(token, origin, entry)}</link>"
        f'<guid isPermaLink="false">{guid}</guid>'
        f"<pubDate>{format_datetime(when)}</pubDate>"
        f"<description>{escape('<p>' + body + '.</p>')}</description>"
        "</item>"
    )


def feed_document(token: str, index: int, entries: int) -> bytes:
    items = [_item(token, index, e) for e in range(entries)]
    if index % 10 == 9:  # a republisher: carries the previous feed's first story too
        items.append(_item(token, index, 0, copy_of=index - 1))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Outlet {index:03d}</title><link>https://outlet{index:03d}.example/</link>"
        f"<description>Feed {index}</description>{''.join(items)}</channel></rss>"
    ).encode()


class FeedFarm:
    """A threaded HTTP server with ``feeds`` deterministic RSS feeds; ``close()`` stops it."""

    def __init__(self, feeds: int = 200, entries: int = 3, *, token: str = "t0", delay: float = 0.0) -> None:
        self.feeds = feeds
        self.token = token
        self.delay = delay
        self.documents = {f"/feeds/{feed_name(i)}.xml": feed_document(token, i, entries) for i in range(feeds)}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with farm.lock:
                    farm.hits[self.path] += 1
                body = farm.documents.get(self.path)
                if body is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if farm.delay:
                    threading.Event().wait(farm.delay)
                etag = '"' + hashlib.md5(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, etag)
                    return
                self._send(200, body, "application/rss+xml; charset=utf-8", etag)

            def _send(self, status: int, body: bytes, content_type: str | None, etag: str | None = None) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 256
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.port}/feeds/{feed_name(index)}.xml"

    def sources_toml(self, *, interval: str = "1h") -> str:
        return "".join(
            f'\n[[source]]\nname = "{feed_name(i)}"\nurl = "{self.url(i)}"\ninterval = "{interval}"\n'
            for i in range(self.feeds)
        )

    def fetched(self) -> int:
        """How many distinct feeds were requested at least once."""
        with self.lock:
            return sum(1 for path in self.hits if path in self.documents)

    def hit_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self.hits)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
