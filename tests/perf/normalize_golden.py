"""The inputs and results of the normalize golden file (tests/data/perf/normalize_golden.json).

Every feed file under tests/data (parsed as the pipeline does), a sample of the bench farm,
and the attribution cases' bodies cleaned with and without per-source rules, each entry
normalized and written as :func:`syndicate.store.codec.entry_to_json`. The golden file was
written before normalization was made cheaper; the test holds the new code to it exactly.

Regenerate (only when a behaviour change is intended): ``python -m tests.perf.normalize_golden``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from syndicate.config import SourceConfig
from syndicate.models import ParsedEntry, ParsedFeed
from syndicate.normalize.body import clean_body
from syndicate.normalize.entry import normalize_entry
from syndicate.parse import parse_feed
from syndicate.store.codec import entry_to_json

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = DATA / "perf" / "normalize_golden.json"
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".json", ".html")
FARM = (24, 8, 1)  # feeds, entries, seed

SOURCES: dict[str, dict[str, Any]] = {
    "plain": {"name": "golden", "url": "https://golden.example/feed"},
    "rules": {
        "name": "golden-rules",
        "url": "https://golden.example/feed",
        "publisher": "Golden Outlet",
        "tags": ["gold", " Gold "],
        "language": "en",
        "rights": {"license": "CC-BY-4.0"},
        "rules": {
            "drop_selectors": [".share", "div.ad", "#promo", "p > em", "["],
            "drop_patterns": [r"(?i)subscribe", r"^read more", r"sponsored"],
        },
    },
}


def _source(kind: str) -> SourceConfig:
    return SourceConfig.model_validate(SOURCES[kind])


def feed_files() -> list[Path]:
    skip = {GOLDEN.resolve()}
    return sorted(
        p for p in DATA.rglob("*")
        if p.is_file() and p.suffix in FEED_SUFFIXES and p.resolve() not in skip
        and not p.name.endswith(".expected.json")
    )


def parsed_inputs() -> Iterator[tuple[str, ParsedFeed]]:
    for path in feed_files():
        try:
            feed = parse_feed(path.read_bytes(), {}, "https://golden.example/" + path.name)
        except Exception:
            continue
        if feed.entries:
            yield str(path.relative_to(DATA)), feed
    from tests.perf.farm_docs import farm_documents

    feeds, entries, seed = FARM
    for index, fmt, body in farm_documents(feeds, entries, seed):
        feed = parse_feed(body, {}, f"http://127.0.0.1:8000/feed/{index}")
        yield f"farm/{index}.{fmt}", feed


def body_inputs() -> Iterator[tuple[str, str]]:
    """Bodies of the attribution cases' feeds, for :func:`clean_body` on its own."""
    for name, feed in parsed_inputs():
        if not name.startswith("attribution/"):
            continue
        for i, entry in enumerate(feed.entries):
            for which, html in (("content", entry.content_html), ("summary", entry.summary_html)):
                if html:
                    yield f"{name}#{i}.{which}", html


def _entry_results(name: str, feed: ParsedFeed, entry: ParsedEntry, i: int) -> Iterator[tuple[str, Any]]:
    kinds = ("plain", "rules") if not name.startswith("farm/") or i % 3 == 0 else ("plain",)
    for kind in kinds:
        yield f"{name}#{i}@{kind}", entry_to_json(normalize_entry(entry, feed, _source(kind)))


def compute() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, feed in parsed_inputs():
        for i, entry in enumerate(feed.entries):
            results.update(_entry_results(name, feed, entry, i))
    rules = _source("rules").rules
    for name, html in body_inputs():
        for kind, r in (("plain", None), ("rules", rules)):
            body = clean_body(html, "https://golden.example/a/b", r)
            results[f"body:{name}@{kind}"] = {"html": body.html, "text": body.text, "findings": repr(body.findings)}
    return results


def main() -> None:
    text = json.dumps(compute(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    GOLDEN.write_text(text + "\n", encoding="utf-8")
    print(GOLDEN, GOLDEN.stat().st_size)


if __name__ == "__main__":
    main()
