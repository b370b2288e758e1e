"""parse_feed over every file of the shared third-party corpus (skipped when ../shared is absent).

* every file: parse_feed returns a feed or raises ParseError, nothing else, and never hangs;
* feedparser's ``wellformed/`` RSS/Atom/RDF files all parse, almost all without warnings;
* feed-rs fixtures: titles, links and ids agree with feed-rs's ``.serde.json`` expectations.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from syndicate.errors import ParseError
from syndicate.models import ParsedFeed
from syndicate.parse import parse_feed
from tests.parse.parse_helpers import CORPUS, assert_valid_strings

pytestmark = pytest.mark.slow  # ~2,400 files, a few seconds in all

URL = "http://example.com/feed"
_HEADER = re.compile(r"^Header:\s*([A-Za-z-]+):\s*(.*?)\s*$", re.M)
FEED_RS = CORPUS / "feed-rs" / "feed-rs" / "fixture"
WELLFORMED = CORPUS / "feedparser" / "tests" / "wellformed"


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []


def _require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (CI has it); skipping the corpus tests")


def _headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a feedparser test file says it is served with (``Header: Name: value``)."""
    head = body[:1024].decode("latin-1")
    return {name.lower(): value for name, value in _HEADER.findall(head)}


def _parse(path: Path) -> ParsedFeed:
    body = path.read_bytes()
    return parse_feed(body, _headers(body), URL)


FILES = _corpus_files()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", FILES or [None], ids=[str(p.relative_to(CORPUS)) for p in FILES] or ["corpus-absent"])
def test_never_raises_anything_but_parse_error(path: Path | None) -> None:
    _require_corpus()
    assert path is not None
    try:
        feed = _parse(path)
    except ParseError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert_valid_strings(feed)
    assert all("\n" not in w for w in feed.warnings)


def test_wellformed_feedparser_files_parse() -> None:
    _require_corpus()
    files = [p for p in WELLFORMED.rglob("*.xml") if p.parent.name not in ("cdf",)]
    failures, warned = [], []
    for path in files:
        try:
            feed = _parse(path)
        except ParseError as exc:
            failures.append(f"{path.relative_to(WELLFORMED)}: {exc}")
            continue
        if feed.warnings:
            warned.append(path)
    assert not failures, failures[:10]
    assert len(warned) <= 5, [str(p.relative_to(WELLFORMED)) for p in warned[:20]]


def _same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _same_url(ours: str | None, theirs: list[str]) -> bool:
    if ours is None:
        return False
    wanted = {urljoin(URL, t).rstrip("/").lower() for t in theirs}
    return ours.rstrip("/").lower() in wanted


def _is_generated_id(value: str) -> bool:
    """feed-rs invents ids for entries without one (a hex digest or a UUID)."""
    return bool(re.fullmatch(r"[0-9a-f]{31,32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value))


def test_feed_rs_expectations_match() -> None:
    _require_corpus()
    counts = {"title": [0, 0], "link": [0, 0], "id": [0, 0], "entries": [0, 0]}
    for expected_path in sorted(FEED_RS.rglob("*.serde.json")):
        stem = expected_path.name.removesuffix(".serde.json")
        source = next(p for p in expected_path.parent.iterdir() if p.stem == stem and p != expected_path)
        expected = json.loads(expected_path.read_text("utf-8"))
        feed = _parse(source)
        counts["entries"][1] += 1
        if len(expected["entries"]) != len(feed.entries):
            continue
        counts["entries"][0] += 1
        for theirs, ours in zip(expected["entries"], feed.entries, strict=True):
            title = (theirs.get("title") or {}).get("content")
            if title is not None:
                counts["title"][1] += 1
                counts["title"][0] += _same_text(title, ours.title)
            links = [link["href"] for link in theirs.get("links", [])]
            if links:
                counts["link"][1] += 1
                counts["link"][0] += _same_url(ours.link, links)
            if theirs.get("id") and not _is_generated_id(theirs["id"]):
                counts["id"][1] += 1
                counts["id"][0] += theirs["id"] == ours.guid
    rates = {k: good / total for k, (good, total) in counts.items() if total}
    print("feed-rs agreement:", {k: f"{v:.1%} of {counts[k][1]}" for k, v in rates.items()})
    assert counts["title"][1] > 50 and counts["link"][1] > 50 and counts["id"][1] > 50
    assert rates["entries"] >= 0.98, counts
    assert rates["title"] >= 0.98, counts
    assert rates["link"] >= 0.95, counts
    assert rates["id"] >= 0.95, counts
