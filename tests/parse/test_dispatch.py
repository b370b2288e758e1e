"""What parse_feed accepts, what it refuses with ParseError, and its public surface."""

from __future__ import annotations

import pytest

import syndicate.parse
from syndicate.errors import ParseError
from syndicate.parse import parse_feed
from tests.parse.parse_helpers import data


def test_public_names() -> None:
    assert syndicate.parse.__all__ == ["parse_feed"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (data("not_a_feed.html"), "HTML page"),
        (b"just some text", "unreadable XML"),
        (b"<?xml version='1.0'?><catalog><book>x</book></catalog>", "no RSS, Atom, RDF or JSON Feed"),
    ],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as caught:
        parse_feed(body, {"content-type": "text/html"}, "https://site.example/")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (b'<rss version="2.0"><channel><title>Empty</title></channel></rss>', "rss20"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Empty</title></feed>', "atom10"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "Empty", "items": []}', "json11"),
    ],
)
def test_an_empty_feed_is_still_a_feed(body: bytes, fmt: str) -> None:
    feed = parse_feed(body, {}, "https://site.example/feed")
    assert (feed.format, feed.title, feed.entries) == (fmt, "Empty", ())


def test_body_must_be_bytes() -> None:
    with pytest.raises(TypeError):
        parse_feed("<rss/>", {}, "https://site.example/")  # type: ignore[arg-type]


def test_header_names_are_matched_case_insensitively() -> None:
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>'
    feed = parse_feed(body, {"Link": '<https://hub.example/>; rel="hub"'}, "https://site.example/feed")
    assert feed.hub_urls == ("https://hub.example/",)
