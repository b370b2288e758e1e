"""RFC 5005 archived feeds, end to end: a real ``syndicate sync`` with ``limit = 2``, five articles
and ``archive = true``, then a real ``syndicate serve``, read back by feedparser walking the
``prev-archive`` links from the served subscription document."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from syndicate.config import OutputConfig
from syndicate.outputs.archive import archive_pages, is_archive_file, stale_page_files
from tests.helpers.served import free_port, serving, synced
from tests.outputs.conftest import make_article

FH = "{http://purl.org/syndication/history/1.0}"
ATOM = "{http://www.w3.org/2005/Atom}"
START = datetime(2026, 11, 1, 9, tzinfo=UTC)


def source_rss(count: int, *, edited: int | None = None) -> str:
    items = []
    for n in range(1, count + 1):
        body = f"Body of article {n}." + (" Corrected." if n == edited else "")
        items.append(
            f"<item><title>Article {n}</title><link>https://news.example/{n}</link><guid>https://news.example/{n}</guid>"
            f"<pubDate>{format_datetime(START + timedelta(days=n))}</pubDate><description>{body}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example/</link><description>d</description>{''.join(items)}</channel></rss>"
    )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, Path, Path, int]]:
    port = free_port()
    (tmp_path / "news.rss").write_text(source_rss(5), encoding="utf-8")
    config = tmp_path / "syndicate.toml"
    config.write_text(
        f'[syndicate]\nfeeds_dir = "feeds"\ndatabase = "sqlite:///db.sqlite"\nbase_url = "http://127.0.0.1:{port}/"\n'
        '[[source]]\nname = "news"\nurl = "news.rss"\n'
        '[[output]]\nname = "all"\nlimit = 2\narchive = true\n',
        encoding="utf-8",
    )
    synced(config)
    yield tmp_path, config, tmp_path / "feeds", port


def _walk_atom_or_rss(url: str) -> list[tuple[str, feedparser.FeedParserDict, bytes]]:
    """(url, parsed, bytes) of the subscription document and every archive page, following prev-archive."""
    documents, seen = [], set()
    while url and url not in seen:
        seen.add(url)
        with urllib.request.urlopen(url, timeout=10) as response:
            data = response.read()
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        documents.append((url, parsed, data))
        url = next((ln.href for ln in parsed.feed.get("links", []) if ln.get("rel") == "prev-archive"), None)
    return documents


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_reader_walks_prev_archive_from_the_served_feed_and_gets_every_article(
    site: tuple[Path, Path, Path, int], fmt: str
) -> None:
    """Mutation killed: the renderer not reading ``output.archive`` (no archive file, no link: the
    reader gets 2 of 5 articles), and pages without ``current``/``fh:archive``."""
    _root, config, _feeds, _port = site
    with serving(config) as base:  # synced again with base_url set to the served address
        documents = _walk_atom_or_rss(f"{base}all.{fmt}")
    assert [url for url, _p, _d in documents] == [f"{base}all.{fmt}", f"{base}all-archive-2.{fmt}",
                                                  f"{base}all-archive-1.{fmt}"]
    titles = [[e.title for e in parsed.entries] for _u, parsed, _d in documents]
    assert titles == [["Article 5", "Article 4"], ["Article 4", "Article 3"], ["Article 2", "Article 1"]]
    assert {t for page in titles for t in page} == {f"Article {n}" for n in range(1, 6)}
    for index, (_url, _parsed, data) in enumerate(documents):
        root = etree.fromstring(data)
        rels = {ln.get("rel"): ln.get("href") for ln in root.iter(f"{ATOM}link", "link") if ln.get("rel")}
        if index == 0:  # the subscription document: no fh:archive, no current
            assert root.find(f".//{FH}archive") is None and "current" not in rels
            continue
        assert root.find(f".//{FH}archive") is not None
        assert rels["current"] == f"{base}all.{fmt}"
    page2 = {ln.rel: ln.href for ln in documents[1][1].feed.links}
    assert "next-archive" not in page2  # the newest page has no newer page
    page1 = {ln.rel: ln.href for ln in documents[2][1].feed.links}
    assert page1["next-archive"] == f"{base}all-archive-2.{fmt}" and "prev-archive" not in page1


def test_json_feed_pages_chain_through_next_url(site: tuple[Path, Path, Path, int]) -> None:
    """JSON Feed has no archive standard: ``next_url`` (older items) chains the pages, ``_syndicate.archive``
    carries the RFC 5005 links."""
    _root, _config, feeds, port = site
    base = f"http://127.0.0.1:{port}/"
    current = json.loads((feeds / "all.json").read_text(encoding="utf-8"))
    assert current["next_url"] == f"{base}all-archive-2.json"
    page2 = json.loads((feeds / "all-archive-2.json").read_text(encoding="utf-8"))
    assert page2["_syndicate"]["archive"] == {
        "is_archive": True, "current": f"{base}all.json", "prev_archive": f"{base}all-archive-1.json",
        "next_archive": None,
    }
    assert page2["next_url"] == f"{base}all-archive-1.json"
    assert "next_url" not in json.loads((feeds / "all-archive-1.json").read_text(encoding="utf-8"))


def test_archive_pages_are_served_immutable_with_etags(site: tuple[Path, Path, Path, int]) -> None:
    """Mutation killed: archive pages served with the subscription document's 60-second lifetime."""
    _root, config, _feeds, _port = site
    with serving(config) as base:
        with urllib.request.urlopen(base + "all-archive-1.atom", timeout=10) as response:
            assert response.headers["Cache-Control"] == "public, max-age=604800, immutable"
            etag = response.headers["ETag"]
        assert etag
        request = urllib.request.Request(base + "all-archive-1.atom", headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 304
        with urllib.request.urlopen(base + "all.atom", timeout=10) as response:
            assert response.headers["Cache-Control"] == "public, max-age=60"


def test_pages_are_written_once_and_rewritten_only_when_their_content_changes(
    site: tuple[Path, Path, Path, int]
) -> None:
    """A sixth article completes page 3: page 1 stays byte for byte and mtime for mtime, page 2 (the newest
    until then) only gains its next-archive link; an edit of article 1 rewrites page 1 only. Mutation
    killed: paging from the newest end (every new article would shift every page)."""
    root, config, feeds, port = site
    pages = {n: feeds / f"all-archive-{n}.atom" for n in (1, 2)}
    before = {n: (p.read_bytes(), p.stat().st_mtime_ns) for n, p in pages.items()}
    (root / "news.rss").write_text(source_rss(6), encoding="utf-8")
    synced(config, "--all")
    assert (pages[1].read_bytes(), pages[1].stat().st_mtime_ns) == before[1]
    next_link = (f'  <link href="http://127.0.0.1:{port}/all-archive-3.atom" rel="next-archive" '
                 'type="application/atom+xml"/>\n').encode()
    assert next_link in pages[2].read_bytes()
    assert pages[2].read_bytes().replace(next_link, b"") == before[2][0]
    page3 = feedparser.parse((feeds / "all-archive-3.atom").read_bytes())
    assert [e.title for e in page3.entries] == ["Article 6", "Article 5"]

    after_six = {n: (p.read_bytes(), p.stat().st_mtime_ns) for n, p in pages.items()}
    (root / "news.rss").write_text(source_rss(6, edited=1), encoding="utf-8")
    synced(config, "--all")
    assert (pages[2].read_bytes(), pages[2].stat().st_mtime_ns) == after_six[2]
    assert pages[1].read_bytes() != after_six[1][0]
    assert "Corrected." in feedparser.parse(pages[1].read_bytes()).entries[-1].summary


def test_paging_is_from_the_oldest_and_only_complete_pages() -> None:
    output = OutputConfig(name="all", limit=2, archive=True)
    newest_first = [make_article(f"a{n}") for n in range(5, 0, -1)]
    pages = archive_pages(output, newest_first)
    assert [[a.id for a in p.articles] for p in pages] == [["a2", "a1"], ["a4", "a3"]]
    assert [p.output.name for p in pages] == ["all-archive-1", "all-archive-2"]
    assert archive_pages(output.model_copy(update={"archive": False}), newest_first) == []


def test_archive_files_are_recognized_and_stale_pages_found() -> None:
    outputs = [OutputConfig(name="all", archive=True), OutputConfig(name="plain")]
    assert is_archive_file("all-archive-3", outputs)
    assert not is_archive_file("plain-archive-3", outputs)  # that output does not archive
    assert not is_archive_file("all", outputs)
    existing = ["all-archive-1.atom", "all-archive-2.atom", "all-archive-3.atom", "all-archive-3.rss",
                "all-x-archive-9.atom", "all.atom"]
    assert stale_page_files("all", "atom", 1, existing) == ["all-archive-2.atom", "all-archive-3.atom"]
