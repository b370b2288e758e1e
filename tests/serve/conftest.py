"""A real waitress server on 127.0.0.1 serving real feed files from a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article, Attribution, Rights
from syndicate.outputs import render_feed, write_if_changed
from syndicate.serve import ServerHandle, make_app, start_in_thread

BASE_URL = "https://feeds.example.org/"
HUB = "https://hub.example.org/"
NASTY_TITLE = '<script>alert("x")</script> & Co\'s "feeds"'


def article(n: int) -> Article:
    return Article(
        id=f"a{n}",
        title=f"Article {n}",
        url=f"https://news.example/{n}",
        published=datetime(2024, 5, n + 1, tzinfo=UTC),
        updated=None,
        authors=("Writer",),
        summary="Summary " * 40,
        content_html="<p>Body</p>" * 100,
        tags=("t",),
        language="en",
        copies=(),
        attribution=Attribution(),
        rights=Rights(),
        content_hash=str(n),
    )


@dataclass
class Site:
    root: Path
    feeds: Path
    outside: Path
    server: ServerHandle
    outputs: list[OutputConfig]
    health: list[tuple[bool, str]]

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    feeds = tmp_path / "feeds"
    outside = tmp_path / "secret.atom"
    outside.write_text("<feed>SECRET</feed>")
    settings = Settings(base_url=BASE_URL, hubs=[HUB])
    outputs = [
        OutputConfig(
            name="all", title=NASTY_TITLE, subtitle="Everything & more", link="https://www.example.org/?a=1&b=2"
        ),
        OutputConfig(name="mirror", title="Mirror", base_url="https://cdn.example.net/f/", hubs=[], formats=["rss"]),
    ]
    articles = [article(n) for n in range(3)]
    for output in outputs:
        for fmt in output.formats:
            write_if_changed(feeds / f"{output.name}.{fmt}", render_feed(output, fmt, articles, settings=settings))
    (feeds / "tiny.json").write_text("{}")
    (feeds / "leak.atom").symlink_to(outside)
    (feeds / "sub").mkdir()
    (feeds / "sub" / "inner.atom").write_text("<feed/>")
    health: list[tuple[bool, str]] = [(True, "")]

    def websub_callback(environ: dict[str, Any], start_response: Any) -> list[bytes]:  # the daemon's /websub/
        start_response("202 Accepted", [("Content-Type", "text/plain")])
        return [f"callback {environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()]

    app = make_app(
        feeds,
        hubs=settings.hubs,
        base_url=BASE_URL,
        outputs=outputs,
        health=lambda: health[0],
        metrics=lambda: b"# TYPE syndicate_up gauge\nsyndicate_up 1\n",
        extra_routes={"/websub/": websub_callback},
    )
    server = start_in_thread(app, "127.0.0.1", 0)
    try:
        yield Site(tmp_path, feeds, outside, server, outputs, health)
    finally:
        server.stop()
