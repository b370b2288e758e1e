"""The fast parse path (syndicate/parse/fast.py) builds what the feedparser adapter builds.

Every document the fast path accepts is also parsed by the feedparser adapter (the
reference) and compared field by field (tests/perf/equivalence.py says how, and which
two decisions it encodes). Sources: a sample of the bench farm (every farm document must
be accepted), hand-written feeds with the tricky parts (relative URLs, xml:base, xhtml,
text constructs, permalink guids), the whole shared corpus (skipped when absent), and
documents the fast path must decline (they still parse, through feedparser).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.parse import parse_feed
from syndicate.parse.common import hash_entry, reference_hash_entry
from syndicate.parse.fast import parse_fast
from syndicate.parse.feedparser_adapter import parse_xml
from tests.perf.equivalence import canonical_html, feed_differences
from tests.perf.farm_docs import farm_documents

DATA = Path(__file__).resolve().parents[1] / "data" / "perf"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
XML = {"content-type": "application/xml"}
FARM_URL = "http://127.0.0.1:8765/feeds/{:04d}.xml"


def _compare(body: bytes, headers: dict[str, str], url: str) -> list[str] | None:
    """Differences between the two paths, or None when the fast path declined."""
    fast = parse_fast(body, headers, url)
    if fast is None:
        return None
    return feed_differences(parse_xml(body, headers, url), fast)


def test_every_farm_document_takes_the_fast_path_and_matches() -> None:
    for index, fmt, body in farm_documents(feeds=40, entries=8):
        headers = {"content-type": f"application/{'rss' if fmt == 'rss2' else fmt}+xml; charset=utf-8"}
        differences = _compare(body, headers, FARM_URL.format(index))
        assert differences is not None, f"farm feed {index} ({fmt}) was declined"
        assert differences == [], f"farm feed {index} ({fmt}): {differences[:5]}"


def test_parse_feed_uses_the_fast_path_for_the_farm() -> None:
    index, _fmt, body = farm_documents(feeds=3, entries=3)[0]
    url = FARM_URL.format(index)
    assert parse_feed(body, XML, url) == parse_fast(body, XML, url)


@pytest.mark.parametrize("name", ["rss_relative.xml", "atom_xmlbase.xml", "rdf.xml"])
def test_hand_written_feeds_match(name: str) -> None:
    body = (DATA / name).read_bytes()
    for url in ("https://feeds.example/path/feed.xml", "http://127.0.0.1:8080/feed"):
        differences = _compare(body, XML, url)
        assert differences is not None, f"{name} was declined"
        assert differences == [], differences
    assert parse_fast(body, XML, "file:///srv/feeds/feed.xml") is None  # file sources: feedparser


def test_relative_urls_are_resolved_like_feedparser() -> None:
    feed = parse_fast((DATA / "rss_relative.xml").read_bytes(), XML, "https://feeds.example/path/feed.xml")
    assert feed is not None
    first = feed.entries[0]
    assert 'href="https://feeds.example/topics/strike"' in (first.content_html or "")
    assert 'src="https://feeds.example/path/img/1.jpg"' in (first.content_html or "")
    assert 'href="https://other.example/a"' in (first.content_html or "")
    assert any(lk.rel == "enclosure" and lk.href == "https://feeds.example/media/strike.mp3" for lk in first.links)
    assert "if a &lt; b &amp;&amp; c: href=\"x\"" in (first.content_html or "")  # text is not rewritten


@pytest.mark.parametrize("path", sorted((DATA / "declined").glob("*.xml")), ids=lambda p: p.name)
def test_unusual_documents_are_declined_and_still_parse(path: Path) -> None:
    body = path.read_bytes()
    assert parse_fast(body, XML, "https://feeds.example/feed.xml") is None
    assert parse_feed(body, XML, "https://feeds.example/feed.xml") == parse_xml(
        body, XML, "https://feeds.example/feed.xml"
    )


def test_a_charset_header_that_disagrees_declines() -> None:
    body = (DATA / "rdf.xml").read_bytes()
    assert parse_fast(body, {"content-type": "application/xml; charset=iso-8859-1"}, "https://x.example/") is None
    assert parse_fast(body, {"content-type": "application/xml; charset=utf-8"}, "https://x.example/") is not None


def test_html_is_compared_as_the_pipeline_sees_it() -> None:
    # the documented decision: attribute order and quoting do not count, text and URLs do
    assert canonical_html('<img src="a.png" alt="x">') == canonical_html("<img alt='x' src='a.png' />")
    assert canonical_html('<a href="https://a.example/1">x</a>') != canonical_html('<a href="https://a.example/2">x</a>')
    assert canonical_html("<p>one two</p>") != canonical_html("<p>one three</p>")


def test_fast_hash_equals_the_reference_hash() -> None:
    for index, _fmt, body in farm_documents(feeds=10, entries=5):
        feed = parse_feed(body, XML, FARM_URL.format(index))
        for entry in feed.entries:
            assert entry.raw_hash == hash_entry(entry) == reference_hash_entry(entry)
    for name in ("rss_relative.xml", "atom_xmlbase.xml", "rdf.xml"):
        for entry in parse_xml((DATA / name).read_bytes(), XML, "https://feeds.example/f").entries:
            assert entry.raw_hash == reference_hash_entry(entry)


@pytest.mark.slow
def test_shared_corpus_accepted_documents_match() -> None:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is absent; the corpus comparison runs where /work/shared exists")
    accepted = 0
    failures: list[str] = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in FEED_SUFFIXES):
        body = path.read_bytes()
        try:
            differences = _compare(body, XML, "http://example.com/feeds/feed.xml")
        except Exception as exc:  # the reference refusing a document the fast path accepted
            failures.append(f"{path.relative_to(corpus)}: reference raised {type(exc).__name__}")
            continue
        if differences is None:
            continue
        accepted += 1
        if differences:
            failures.append(f"{path.relative_to(corpus)}: {differences[:3]}")
    assert not failures, "\n".join(failures[:20])
    assert accepted > 100
