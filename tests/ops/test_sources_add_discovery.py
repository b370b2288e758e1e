"""``sources add URL`` with a site's HTML page finds its feed, says what it found, and writes that
(issue #18). A real HTTP server on 127.0.0.1 plays the feed_server.

Mutation killed: add the URL as given without looking at it (before: an HTML page was added as a
source, and failed at every sync).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli, write_config
from tests.helpers.feedserver import FeedServer


def rss(title: str, count: int) -> str:
    items = "".join(
        f"<item><title>Post {n}</title><link>http://blog.example/{n}</link><guid>p{n}</guid></item>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://blog.example/</link><description>d</description>{items}</channel></rss>"
    )


def page(head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>A site</title>{head}</head><body><p>Hello</p></body></html>"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, "")


def _sources(config: Path) -> list[dict[str, object]]:
    return list(tomllib.loads(config.read_text()).get("source", []))


def test_an_html_page_s_alternate_link_is_followed(feed_server: FeedServer, config: Path) -> None:
    link = '<link rel="alternate" type="application/rss+xml" title="Posts" href="/blog/posts.rss">'
    page_url = feed_server.serve("/blog/", page(link), content_type="text/html; charset=utf-8")
    feed_url = feed_server.serve("/blog/posts.rss", rss("Council Blog", 3))
    added = run_cli(
        "sources", "add", "council", page_url, "--publisher", "Town Council",
        "--rights", "permission", "--condition", "attribution", config=config,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    found = f'council: {feed_url}: "Council Blog", 3 items (found via <link rel=alternate> on {page_url})'
    assert found in added.stdout
    assert _sources(config) == [
        {
            "name": "council",
            "url": feed_url,
            "publisher": "Town Council",
            "rights": {"license": "permission", "conditions": ["attribution"]},
        }
    ]
    assert len(feed_server.requests_to("/blog/")) == 1 and len(feed_server.requests_to("/blog/posts.rss")) == 1
    assert run_cli("check", config=config).returncode == 0


def test_the_usual_paths_are_tried(feed_server: FeedServer, config: Path) -> None:
    page_url = feed_server.serve("/", page(), content_type="text/html")
    feed_url = feed_server.serve("/rss", rss("Plain Site", 1))
    added = run_cli("sources", "add", "plain", page_url, config=config)
    assert added.returncode == 0, added.stderr
    assert '"Plain Site", 1 item (found via /rss on the site)' in added.stdout
    assert _sources(config)[0]["url"] == feed_url


def test_a_feed_url_is_shown_and_added_as_is(feed_server: FeedServer, config: Path) -> None:
    feed_url = feed_server.serve("/atom", rss("Direct", 2))
    added = run_cli("sources", "add", "direct", feed_url, config=config)
    assert added.returncode == 0, added.stderr
    assert '"Direct", 2 items (found via the URL itself)' in added.stdout
    assert len(feed_server.requests) == 1


def test_a_page_without_a_feed_is_refused_and_nothing_is_written(feed_server: FeedServer, config: Path) -> None:
    before = config.read_text()
    page_url = feed_server.serve("/about", page(), content_type="text/html")
    added = run_cli("sources", "add", "about", page_url, config=config)
    assert added.returncode == 1
    assert "is an HTML page without a feed" in added.stderr and added.stderr.count("\n") == 1
    assert config.read_text() == before
