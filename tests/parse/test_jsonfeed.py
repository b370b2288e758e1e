"""JSON Feed specifics: detection, versions, odd shapes, and our own ``_syndicate`` extension."""

from __future__ import annotations

import json
from typing import Any

import pytest

from syndicate.errors import ParseError
from syndicate.models import Attribution, Link, Notice, Republisher, Rights
from syndicate.parse import parse_feed

URL = "https://j.example/feed.json"


def jf(items: list[Any], version: str = "https://jsonfeed.org/version/1.1", **feed: Any) -> bytes:
    return json.dumps({"version": version, "title": "J", "items": items, **feed}).encode()


@pytest.mark.parametrize(
    ("version", "fmt"),
    [("https://jsonfeed.org/version/1", "json10"), ("https://jsonfeed.org/version/1.1", "json11")],
)
def test_versions(version: str, fmt: str) -> None:
    assert parse_feed(jf([], version=version), {}, URL).format == fmt


@pytest.mark.parametrize("content_type", ["application/feed+json", "application/json; charset=utf-8", "text/plain", ""])
def test_detected_by_content_type_or_leading_brace(content_type: str) -> None:
    body = b"\xef\xbb\xbf  \n" + jf([{"id": "1", "content_text": "x"}])
    feed = parse_feed(body, {"content-type": content_type} if content_type else {}, URL)
    assert [e.guid for e in feed.entries] == ["1"]


def test_xml_served_as_json_is_still_read_as_xml() -> None:
    body = b'<rss version="2.0"><channel><title>X</title><item><title>i</title></item></channel></rss>'
    feed = parse_feed(body, {"content-type": "application/json"}, URL)
    assert feed.format == "rss20"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"rss": {"channel": {}}}', "not a JSON Feed"),
        (b"{not json", "invalid JSON"),
        (b'["a"]', "not a JSON Feed"),
    ],
)
def test_json_that_is_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, {"content-type": "application/json"}, URL)


def test_items_without_version_are_read_with_a_warning() -> None:
    feed = parse_feed(json.dumps({"title": "t", "items": [{"id": "a"}]}).encode(), {}, URL)
    assert [e.guid for e in feed.entries] == ["a"]
    assert any("version" in w for w in feed.warnings)


def test_author_forms_and_odd_values() -> None:
    items = [
        {"id": 7, "author": {"name": "Old Style"}, "tags": "not-a-list", "title": ["x"]},
        {"id": "b", "authors": [{"name": "A"}, "bad", {"url": "https://u.example/"}], "date_published": "garbage"},
    ]
    feed = parse_feed(jf(items), {}, URL)
    first, second = feed.entries
    assert first.guid == "7" and [a.name for a in first.authors] == ["Old Style"]
    assert first.tags == () and first.title is None
    assert [a.name for a in second.authors] == ["A", "https://u.example/"]
    assert second.published is None


def test_external_url_is_a_related_link_and_the_link_of_last_resort() -> None:
    feed = parse_feed(jf([{"id": "1", "external_url": "https://orig.example/a"}]), {}, URL)
    entry = feed.entries[0]
    assert entry.link == "https://orig.example/a"
    assert entry.links == (Link("https://orig.example/a", "related"),)


def test_relative_urls_resolve_against_the_feed_url() -> None:
    body = jf(
        [{"id": "1", "url": "/a", "content_html": '<a href="b">b</a>'}], feed_url="https://j.example/feeds/x.json"
    )
    entry = parse_feed(body, {}, URL).entries[0]
    assert entry.link == "https://j.example/a"
    assert entry.content_html == '<a href="https://j.example/feeds/b">b</a>'


def test_our_own_syndicate_extension_round_trips_provenance() -> None:
    attribution = Attribution(
        original_publisher="South Front",
        original_author="Jane Roe",
        original_url="https://southfront.example/a",
        republishers=(Republisher("Global Research", "https://gr.example/a"),),
    )
    rights = Rights(
        holder="South Front",
        statement="Copyright South Front 2024",
        license="CC-BY-ND-4.0",
        license_url=None,
        conditions=("attribution", "no-derivatives"),
        notices=(Notice("copyright", "Copyright South Front 2024"),),
    )
    item = {"id": "1", "_syndicate": {"attribution": attribution.to_json(), "rights": rights.to_json()}}
    raw = parse_feed(jf([item]), {}, URL).entries[0].rights
    assert raw.statement == "Copyright South Front 2024"
    assert raw.license_urls == ("https://creativecommons.org/licenses/by-nd/4.0/",)
    assert raw.publisher == "South Front"
    assert raw.creators == ("Jane Roe",)
    assert raw.dc_source == "https://southfront.example/a"


def test_rights_extension_at_feed_level() -> None:
    body = jf([], _rights={"copyright": "(c) Feed", "license": "https://lic.example/", "holder": "Holder"})
    rights = parse_feed(body, {}, URL).rights
    assert rights.statement == "(c) Feed"
    assert rights.license_urls == ("https://lic.example/",)
    assert rights.publisher == "Holder"


def test_content_text_is_escaped_into_paragraphs() -> None:
    entry = parse_feed(jf([{"id": "1", "content_text": "a < b\nc\n\nd & e"}]), {}, URL).entries[0]
    assert entry.content_html == "<p>a &lt; b<br>c</p><p>d &amp; e</p>"


def test_non_object_items_are_skipped_with_a_warning() -> None:
    feed = parse_feed(jf([1, "two", {"id": "3"}]), {}, URL)
    assert [e.guid for e in feed.entries] == ["3"]
    assert any("skipped 2" in w for w in feed.warnings)
