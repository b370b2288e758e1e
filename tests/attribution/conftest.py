"""Helpers for the attribution tests: run feed files through parse → normalize → dedupe,
and check articles against JSON expectations (the format of expected.json)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from syndicate.config import SourceConfig
from syndicate.dedupe import cluster, merge_copies
from syndicate.models import Article, NormalizedEntry
from syndicate.normalize import normalize_entry
from syndicate.parse import parse_feed

DATA = Path(__file__).resolve().parents[1] / "data" / "attribution"
SHARED = DATA / "shared"
FEEDS = DATA / "feeds"


def load_cases(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["cases"])


def normalize_file(path: Path, overrides: dict[str, Any] | None = None) -> list[NormalizedEntry]:
    """Every entry of one feed file, normalized as the source named after the file's stem."""
    feed = parse_feed(path.read_bytes(), {}, path.resolve().as_uri())
    config: dict[str, Any] = {"name": path.stem.lower(), "url": str(path)}
    config.update(overrides or {})
    source = SourceConfig.model_validate(config)
    return [normalize_entry(entry, feed, source) for entry in feed.entries]


def ingest(folder: Path, feeds: Sequence[str], sources: dict[str, Any] | None = None) -> list[Article]:
    """Normalize the feeds in order, group copies as the store does and merge each group."""
    entries: list[NormalizedEntry] = []
    for name in feeds:
        path = folder / name
        entries.extend(normalize_file(path, (sources or {}).get(path.stem)))
    return [merge_copies(f"a{i}", group, None) for i, group in enumerate(cluster(entries))]


def _get(article: Article, dotted: str) -> Any:
    value: Any = article
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def check(article: Article, expect: dict[str, Any]) -> list[str]:
    """Every way ``article`` differs from ``expect`` (empty when it matches)."""
    problems: list[str] = []
    content = article.content_html.lower()
    for key, want in expect.items():
        if key == "copies":
            got: Any = len(article.copies)
        elif key == "content_includes":
            missing = [s for s in want if s.lower() not in content]
            if missing:
                problems.append(f"content lacks {missing}")
            continue
        elif key == "content_excludes":
            present = [s for s in want if s.lower() in content]
            if present:
                problems.append(f"content still has {present}")
            continue
        elif key == "summary_includes":
            if want.lower() not in article.summary.lower():
                problems.append(f"summary lacks {want!r}: {article.summary!r}")
            continue
        elif key == "attribution.republishers[].name":
            got = sorted(r.name for r in article.attribution.republishers)
            want = sorted(want)
        elif key == "rights.conditions_include":
            missing = [c for c in want if c not in article.rights.conditions]
            if missing:
                problems.append(f"conditions {list(article.rights.conditions)} lack {missing}")
            continue
        elif key == "rights.notice_kinds_include":
            kinds = {n.kind for n in article.rights.notices}
            missing = [k for k in want if k not in kinds]
            if missing:
                problems.append(f"notice kinds {sorted(kinds)} lack {missing}")
            continue
        elif key == "rights.notice_kinds":
            got = sorted({n.kind for n in article.rights.notices})
            want = sorted(want)
        elif key == "rights.conditions":
            got = list(article.rights.conditions)
        elif key == "rights.statement_includes":
            if want not in (article.rights.statement or ""):
                problems.append(f"statement {article.rights.statement!r} lacks {want!r}")
            continue
        elif key in ("published", "updated"):
            value = getattr(article, key)
            got = value.isoformat().replace("+00:00", "Z") if value else None
        elif key == "authors" or key == "tags":
            got = list(getattr(article, key))
        else:
            got = _get(article, key)
        if got != want:
            problems.append(f"{key}: got {got!r}, want {want!r}")
    return problems


# ---------------------------------------------------------------------------
# builders for unit tests
# ---------------------------------------------------------------------------


def make_feed(**fields: Any) -> Any:
    from syndicate.models import ParsedFeed

    values: dict[str, Any] = {"format": "rss20", "title": "Harbor Times", "link": "https://harbortimes.example/"}
    values.update(fields)
    return ParsedFeed(**values)


def make_entry(**fields: Any) -> Any:
    from datetime import UTC, datetime

    from syndicate.models import ParsedEntry, Person

    values: dict[str, Any] = {
        "guid": "ht-1",
        "title": "Harbor strike enters third week",
        "link": "https://harbortimes.example/news/strike",
        "published": datetime(2025, 3, 14, 8, 0, tzinfo=UTC),
        "authors": (Person("Tom Reyes"),),
        "content_html": "<p>Dock workers rejected the latest offer on Thursday, the union said.</p>",
    }
    values.update(fields)
    return ParsedEntry(**values)


def make_source(**fields: Any) -> SourceConfig:
    values: dict[str, Any] = {"name": "harbor", "url": "https://harbortimes.example/rss"}
    values.update(fields)
    return SourceConfig.model_validate(values)
