"""Each format's hand-written feed against an expectation stored as JSON next to it."""

from __future__ import annotations

import json

import pytest

from syndicate.parse import parse_feed
from tests.parse.parse_helpers import DATA, assert_subset, assert_valid_strings, data, plain

CASES = [
    # (feed file, content type, feed URL)
    ("rss20_full.xml", "application/rss+xml; charset=utf-8", "https://republisher.example/feed/"),
    ("atom10_full.xml", "application/atom+xml", "https://aggregator.example/feed.atom"),
    ("rss091.xml", "text/xml; charset=iso-8859-1", "http://writetheweb.example/rss.xml"),
    ("rss092.xml", "", "http://radio.example/rss.xml"),
    ("rss10.xml", "application/rdf+xml", "http://meerkat.example/rss"),
    ("atom03.xml", "application/atom+xml", "http://diveintomark.example/atom.xml"),
    ("jsonfeed10.json", "application/feed+json", "https://example.org/feed.json"),
    ("jsonfeed11.json", "application/json", "https://syndicate.example/all.json"),
    ("rss20_noguid.xml", "application/rss+xml", "https://noids.example/feed"),
]


@pytest.mark.parametrize(("name", "content_type", "url"), CASES, ids=[c[0] for c in CASES])
def test_feed_matches_expectation(name: str, content_type: str, url: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    feed = parse_feed(data(name), headers, url)
    expected = json.loads((DATA / (name.rsplit(".", 1)[0] + ".expected.json")).read_text("utf-8"))
    assert_subset(plain(feed), expected)
    assert_valid_strings(feed)


def test_same_bytes_give_the_same_hashes() -> None:
    first = parse_feed(data("rss20_full.xml"), {}, "https://republisher.example/feed/")
    again = parse_feed(data("rss20_full.xml"), {}, "https://republisher.example/feed/")
    assert [e.raw_hash for e in first.entries] == [e.raw_hash for e in again.entries]
    assert all(len(e.raw_hash) == 32 for e in first.entries)
    assert len({e.raw_hash for e in first.entries}) == len(first.entries)


def test_a_changed_entry_changes_only_its_hash() -> None:
    body = data("rss20_full.xml")
    before = parse_feed(body, {}, "https://republisher.example/feed/")
    after = parse_feed(body.replace(b"Second item", b"Second item, edited"), {}, "https://republisher.example/feed/")
    assert before.entries[0].raw_hash == after.entries[0].raw_hash
    assert before.entries[1].raw_hash != after.entries[1].raw_hash
