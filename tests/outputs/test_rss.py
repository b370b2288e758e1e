"""RSS 2.0 output: well-formed, the RSS Board's required elements, and read-back with feedparser."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
from lxml import etree

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article
from syndicate.outputs import ArchiveLinks, render_feed
from tests.outputs.conftest import expected_content, expected_summary

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CC = "{http://backend.userland.com/creativeCommonsRssModule}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def test_channel_has_required_elements_and_self_link(documents: dict[str, bytes]) -> None:
    root = etree.fromstring(documents["rss"])
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "All syndicated articles"
    assert channel.findtext("link") == "https://www.example.org/"
    assert channel.findtext("description") == "Everything we carry"
    links = [(ln.get("rel"), ln.get("href"), ln.get("type")) for ln in channel.findall(f"{ATOM}link")]
    assert ("self", "https://feeds.example.org/all.rss", "application/rss+xml") in links
    assert ("hub", "https://hub.example.org/", None) in links
    assert channel.findtext("generator") == "syndicate"
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")).isoformat() == "2024-05-03T00:00:00+00:00"
    assert channel.find("image/url").text == "https://www.example.org/icon.png"


def test_items_carry_attribution_and_rights(documents: dict[str, bytes], expected: dict[str, Any]) -> None:
    items = etree.fromstring(documents["rss"]).findall("channel/item")
    assert len(items) == len(expected["entries"])
    for item, want in zip(items, expected["entries"], strict=True):
        guid = item.find("guid")
        assert guid.text == want["id"] and guid.get("isPermaLink") == "false"
        assert item.findtext("title") == want["title"]
        assert item.findtext("link") == want["link"]
        assert [c.text for c in item.findall(f"{DC}creator")] == want["authors"]
        assert item.findtext(f"{DC}rights") == want["rights"]
        assert item.findtext(f"{DC}publisher") == want["publisher"]
        assert item.findtext(f"{CC}license") == want["license"]
        assert [c.text for c in item.findall("category")] == want["tags"]
        pub = item.findtext("pubDate")
        assert parsedate_to_datetime(pub).isoformat().replace("+00:00", "Z") == (want["published"] or want["updated"])
        source = item.find("source")
        if want["source_feed"]:
            assert source.get("url") == want["source_feed"] and source.text == want["source_title"]
        else:
            assert source is None
        assert item.find("author") is None  # RSS author must be an e-mail address; names go to dc:creator


def test_description_and_content_encoded(documents: dict[str, bytes], articles: list[Article]) -> None:
    items = etree.fromstring(documents["rss"]).findall("channel/item")
    for item, article in zip(items, articles, strict=True):
        if article.summary:  # the summary in description, the full HTML in content:encoded
            assert item.findtext("description") == expected_summary(article)
            assert item.findtext(f"{CONTENT}encoded") == expected_content(article)
        else:  # no summary: the HTML alone, in description
            assert item.findtext("description") == article.content_html
            assert item.find(f"{CONTENT}encoded") is None


def test_items_read_back_with_feedparser(documents: dict[str, bytes], expected: dict[str, Any]) -> None:
    parsed = feedparser.parse(documents["rss"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert [ln["href"] for ln in parsed.feed.links if ln["rel"] == "hub"] == ["https://hub.example.org/"]
    for entry, want in zip(parsed.entries, expected["entries"], strict=True):
        assert entry.id == want["id"]
        assert entry.title == want["title"]
        assert entry.link == want["link"]
        assert [a["name"] for a in entry.get("authors", []) if a.get("name")] == want["authors"]
        assert entry.get("rights") == want["rights"]
        assert entry.get("license") == want["license"]
        assert entry.get("publisher") == want["publisher"]
        assert ([ln["href"] for ln in entry.links if ln.get("rel") == "via"] or [None])[0] == want["via"]
        if want["source_feed"]:
            assert entry.source["href"] == want["source_feed"]
            assert entry.source["title"] == want["source_title"]
        assert entry.get("content") or entry.get("summary")


def test_rss_archive_links_and_determinism(
    output: OutputConfig, articles: list[Article], settings: Settings, documents: dict[str, bytes], tombstone: Article
) -> None:
    assert render_feed(output, "rss", articles, settings=settings, tombstones=[tombstone]) == documents["rss"]
    data = render_feed(
        output.model_copy(update={"name": "all-archive-1"}),
        "rss",
        articles,
        settings=settings,
        archive=ArchiveLinks(current="https://feeds.example.org/all.rss"),
    )
    channel = etree.fromstring(data).find("channel")
    assert channel.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert ("current", "https://feeds.example.org/all.rss") in [
        (ln.get("rel"), ln.get("href")) for ln in channel.findall(f"{ATOM}link")
    ]
    # the channel <link> is still the site, not the last atom:link added
    assert channel.findtext("link") == "https://www.example.org/"
