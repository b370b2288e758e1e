"""Atom output: RFC 4287 RELAX NG validity, feed-validator rules, and read-back with feedparser."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article
from syndicate.outputs import ArchiveLinks, render_feed
from tests.outputs.conftest import expected_content

ATOM = "{http://www.w3.org/2005/Atom}"
AT = "{http://purl.org/atompub/tombstones/1.0}"
FH = "{http://purl.org/syndication/history/1.0}"


def _links(entry: Any, rel: str) -> list[str]:
    return [ln["href"] for ln in entry.get("links", []) if ln.get("rel") == rel]


def test_atom_is_valid_against_rfc4287_schema(
    documents: dict[str, bytes], check_atom: Callable[[bytes], list[str]]
) -> None:
    assert check_atom(documents["atom"]) == []


def test_schema_check_catches_a_broken_document(
    documents: dict[str, bytes], check_atom: Callable[[bytes], list[str]]
) -> None:
    root = etree.fromstring(documents["atom"])
    entry = root.find(f"{ATOM}entry")
    entry.remove(entry.find(f"{ATOM}id"))
    assert check_atom(etree.tostring(root)), "the validator must refuse an entry without atom:id"


def test_feed_level_metadata(documents: dict[str, bytes], settings: Settings, output: OutputConfig) -> None:
    root = etree.fromstring(documents["atom"])
    links = {(ln.get("rel"), ln.get("href")) for ln in root.findall(f"{ATOM}link")}
    assert ("self", "https://feeds.example.org/all.atom") in links  # the URL it is served at
    assert ("hub", "https://hub.example.org/") in links
    assert ("alternate", "https://www.example.org/") in links
    self_link = next(ln for ln in root.findall(f"{ATOM}link") if ln.get("rel") == "self")
    assert self_link.get("type") == "application/atom+xml"
    assert root.findtext(f"{ATOM}title") == "All syndicated articles"
    assert root.findtext(f"{ATOM}subtitle") == "Everything we carry"
    assert root.findtext(f"{ATOM}icon") == "https://www.example.org/icon.png"
    assert root.findtext(f"{ATOM}generator") == "syndicate"
    assert root.findtext(f"{ATOM}id").startswith("urn:uuid:")
    # the newest date among articles and withdrawals, not "now"
    assert root.findtext(f"{ATOM}updated") == "2024-05-03T00:00:00+00:00"


def test_entries_read_back_with_feedparser(documents: dict[str, bytes], expected: dict[str, Any]) -> None:
    parsed = feedparser.parse(documents["atom"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == len(expected["entries"])
    for entry, want in zip(parsed.entries, expected["entries"], strict=True):
        assert entry.id == want["id"]
        assert entry.title == want["title"]
        assert entry.link == want["link"]
        authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
        assert authors == want["authors"]
        if not want["authors"]:  # RFC 4287 §4.2.1: inherited from the feed's author
            assert parsed.feed.author == "All syndicated articles"
        assert entry.get("rights") == want["rights"]
        assert entry.get("license") == want["license"]
        assert next(iter(_links(entry, "via")), None) == want["via"]
        assert [t.term for t in entry.get("tags", [])] == want["tags"]
        assert entry.get("updated") == want["updated"].replace("Z", "+00:00")
        assert entry.get("published") == (want["published"].replace("Z", "+00:00") if want["published"] else None)
        source = entry.get("source")
        if want["source_title"] is None:
            assert source is None
            continue
        assert source["title"] == want["source_title"]
        assert source.get("id") == want["source_id"]
        assert source.get("updated")  # RFC 4287 §4.2.11 asks for id and updated (the W3C validator warns)
        assert source.get("rights") == want["source_rights"]
        source_links = {ln["rel"]: ln["href"] for ln in source.get("links", [])}
        assert source_links.get("self") == want["source_feed"]
        assert source_links.get("alternate") == want["source_site"]


def test_content_is_html_and_escaped(documents: dict[str, bytes], articles: list[Article]) -> None:
    root = etree.fromstring(documents["atom"])
    for entry, article in zip(root.findall(f"{ATOM}entry"), articles, strict=True):
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        alternates = [ln.get("href") for ln in entry.findall(f"{ATOM}link") if ln.get("rel") == "alternate"]
        assert alternates == [article.url]
        assert content.text == expected_content(article)  # escaped on the wire, exact after parsing
        assert len(content) == 0  # no child elements: markup is text, not XML
    parsed = feedparser.parse(documents["atom"])
    assert parsed.entries[0].content[0].type == "text/html"


def test_source_carries_original_feed_metadata(documents: dict[str, bytes]) -> None:
    root = etree.fromstring(documents["atom"])
    source = root.find(f"{ATOM}entry/{ATOM}source")
    assert source.findtext(f"{ATOM}id") == "https://southfront.org/feed/"
    assert source.findtext(f"{ATOM}updated") == "2024-05-02T09:00:00+00:00"
    assert source.findtext(f"{ATOM}rights") == "Copyright South Front"
    rels = {ln.get("rel"): ln.get("href") for ln in source.findall(f"{ATOM}link")}
    assert rels["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_language_and_untitled(documents: dict[str, bytes]) -> None:
    root = etree.fromstring(documents["atom"])
    entries = root.findall(f"{ATOM}entry")
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [e.get(lang) for e in entries] == ["en", "en-US", None, "ru"]  # an invalid tag is left out
    assert entries[2].findtext(f"{ATOM}title") == "(untitled)"


def test_tombstones_rfc6721(documents: dict[str, bytes], expected: dict[str, Any]) -> None:
    root = etree.fromstring(documents["atom"])
    stones = root.findall(f"{AT}deleted-entry")
    assert [(s.get("ref"), s.get("when")) for s in stones] == [
        (t["ref"], t["when"].replace("Z", "+00:00")) for t in expected["tombstones"]
    ]
    assert stones[0].findtext(f"{AT}comment")
    # a withdrawn article is not also an entry
    assert expected["tombstones"][0]["ref"] not in {e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")}


def test_archive_document_rfc5005(
    output: OutputConfig, articles: list[Article], settings: Settings, check_atom: Callable[[bytes], list[str]]
) -> None:
    archive = ArchiveLinks(
        current="https://feeds.example.org/all.atom",
        prev_archive="https://feeds.example.org/all-archive-1.atom",
        next_archive="https://feeds.example.org/all-archive-3.atom",
    )
    page = output.model_copy(update={"name": "all-archive-2"})
    data = render_feed(page, "atom", articles, settings=settings, archive=archive)
    assert check_atom(data) == []
    root = etree.fromstring(data)
    assert root.find(f"{FH}archive") is not None
    rels = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{ATOM}link")}
    assert rels["self"] == "https://feeds.example.org/all-archive-2.atom"
    assert rels["current"] == archive.current
    assert rels["prev-archive"] == archive.prev_archive
    assert rels["next-archive"] == archive.next_archive
    # the subscription document only points back to the newest archive
    current = etree.fromstring(
        render_feed(
            output, "atom", articles, settings=settings, archive=ArchiveLinks(prev_archive=archive.next_archive)
        )
    )
    assert current.find(f"{FH}archive") is None
    assert {ln.get("rel") for ln in current.findall(f"{ATOM}link")} >= {"prev-archive"}
    assert "current" not in {ln.get("rel") for ln in current.findall(f"{ATOM}link")}


def test_rendering_is_deterministic(
    output: OutputConfig, articles: list[Article], settings: Settings, tombstone: Article, documents: dict[str, bytes]
) -> None:
    again = render_feed(output, "atom", list(articles), settings=settings, tombstones=[tombstone])
    assert again == documents["atom"]


def test_updated_parameter_and_empty_feed(
    output: OutputConfig, settings: Settings, check_atom: Callable[[bytes], list[str]]
) -> None:
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    root = etree.fromstring(render_feed(output, "atom", [], settings=settings, updated=when))
    assert root.findtext(f"{ATOM}updated") == "2025-01-02T03:04:05+00:00"
    empty = render_feed(output, "atom", [], settings=settings)
    assert check_atom(empty) == []
    assert empty == render_feed(output, "atom", [], settings=settings)  # no clock in an empty feed either


def test_output_base_url_and_hubs_override_settings(articles: list[Article], settings: Settings) -> None:
    output = OutputConfig(name="mirror", base_url="https://cdn.example.net/feeds", hubs=[])
    root = etree.fromstring(render_feed(output, "atom", articles, settings=settings))
    rels = [(ln.get("rel"), ln.get("href")) for ln in root.findall(f"{ATOM}link")]
    assert ("self", "https://cdn.example.net/feeds/mirror.atom") in rels
    assert not [r for r in rels if r[0] == "hub"]
    assert root.findtext(f"{ATOM}title") == "mirror"


def test_repeated_ids_are_written_once(
    output: OutputConfig,
    settings: Settings,
    new_article: Callable[..., Article],
    check_atom: Callable[[bytes], list[str]],
) -> None:
    first, again = new_article("same", title="First"), new_article("same", title="Again")
    withdrawn_and_live = new_article("other", deleted_at=datetime(2024, 6, 1, tzinfo=UTC))
    data = render_feed(
        output,
        "atom",
        [first, again, new_article("other")],
        settings=settings,
        tombstones=[withdrawn_and_live, withdrawn_and_live],
    )
    assert check_atom(data) == []
    root = etree.fromstring(data)
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["First", "Title other"]
    assert root.findall(f"{AT}deleted-entry") == []  # a live entry is not also deleted


def test_ids_are_unique_and_equal_across_formats(documents: dict[str, bytes]) -> None:
    atom = [e.findtext(f"{ATOM}id") for e in etree.fromstring(documents["atom"]).findall(f"{ATOM}entry")]
    rss = [g.text for g in etree.fromstring(documents["rss"]).findall("channel/item/guid")]
    feed = json.loads(documents["json"])
    assert len(set(atom)) == len(atom)
    assert atom == rss == [item["id"] for item in feed["items"]]
