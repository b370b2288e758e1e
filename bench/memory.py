"""Benchmark: peak memory and output time as the database grows.

    .venv/bin/python bench/memory.py                     # 0 and 1,000,000 stored articles
    .venv/bin/python bench/memory.py --sizes 0,100000 --feeds 100

For each size: a fresh database is bulk-filled with that many stored articles (each
with its copy and keys, shaped like real ones: one normalized farm entry as the
template, ids, URLs, titles and dates varied; written with executemany straight into
SQLite through the columns' own SQLAlchemy bind processors), then one
``syndicate sync --all`` runs against a local farm (bench/feedfarm.py) of ``--feeds``
feeds: fetch, normalize, store, and regenerate the outputs (one output, all three
formats). Peak RSS (sum over the process tree) and wall time of that pass are printed:
the target is <= 300 MB and flat in the database size; output regeneration reads only
the newest ``limit`` articles (an index scan on sort_at), so its cost does not grow
with the database.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import run as bench_run  # noqa: E402

from syndicate import dedupe  # noqa: E402
from syndicate.config import SourceConfig  # noqa: E402
from syndicate.normalize import normalize_entry  # noqa: E402
from syndicate.parse import parse_feed  # noqa: E402
from syndicate.store import open_engine  # noqa: E402
from syndicate.store.codec import article_to_row, entry_to_json  # noqa: E402
from syndicate.store.schema import article_keys, articles, copies  # noqa: E402

CHUNK = 10_000


def _template() -> Any:
    import feedfarm

    _index, _fmt, body = feedfarm.build_documents(1, 1, 3)[0]
    source = SourceConfig(name="bulk", url="http://bulk.example/feed.xml")
    feed = parse_feed(body, {"content-type": "application/xml"}, source.url)
    return normalize_entry(feed.entries[0], feed, source)


def _processors(table: Any, dialect: Any) -> list[tuple[str, Any]]:
    return [(c.name, c.type._cached_bind_processor(dialect)) for c in table.c]


def _raw(values: dict[str, Any], processors: list[tuple[str, Any]]) -> tuple[Any, ...]:
    return tuple(
        (proc(values.get(name)) if proc and values.get(name) is not None else values.get(name))
        for name, proc in processors
    )


def bulk_fill(database: Path, count: int) -> float:
    """Fill ``database`` (already migrated) with ``count`` articles; returns the seconds it took."""
    if count <= 0:
        return 0.0
    engine = open_engine(f"sqlite:///{database}")
    dialect = engine.dialect
    engine.dispose()
    template = _template()
    procs = {t.name: _processors(t, dialect) for t in (articles, copies, article_keys)}
    columns = {t.name: [c.name for c in t.c] for t in (articles, copies, article_keys)}
    db = sqlite3.connect(database)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    base_time = datetime(2015, 1, 1, tzinfo=UTC)
    for start in range(0, count, CHUNK):
        rows: dict[str, list[tuple[Any, ...]]] = {"articles": [], "copies": [], "article_keys": []}
        for i in range(start, min(count, start + CHUNK)):
            url = f"https://bulk{i % 997}.example/{i}/"
            when = base_time + timedelta(minutes=i)
            entry = dataclasses.replace(
                template, source=f"bulk-{i % 500:03d}", guid=url, url=url, copy_url=url,
                title=f"Stored article {i}", published=when, updated=None, raw_hash=f"bulk{i}",
                content_hash=f"sha256:{i:064x}",
            )  # fmt: skip
            article_id = f"{i:020x}"
            merged = dedupe.merge_copies(article_id, [entry], when) if i < 50 else None
            row = article_to_row(merged) if merged else _article_row(entry, article_id)
            row.update(sort_at=when, first_seen=when, changed_at=when, deleted_at=None)
            rows["articles"].append(_raw(row, procs["articles"]))
            copy = {"id": i + 1, "article_id": article_id, "source": entry.source, "guid": url, "url": url,
                    "raw_hash": entry.raw_hash, "entry": entry_to_json(entry), "seen_at": when}  # fmt: skip
            rows["copies"].append(_raw(copy, procs["copies"]))
            for key in sorted(set(dedupe.match_keys(entry))):
                rows["article_keys"].append(_raw({"key": key[:300], "article_id": article_id}, procs["article_keys"]))
        with db:
            for table, batch in rows.items():
                marks = ",".join("?" * len(columns[table]))
                db.executemany(f"INSERT INTO {table} ({','.join(columns[table])}) VALUES ({marks})", batch)
        print(f"  filled {min(count, start + CHUNK)}/{count}", file=sys.stderr, end="\r", flush=True)
    db.close()
    print(file=sys.stderr)
    return time.perf_counter() - started


_ROW_CACHE: dict[str, Any] = {}


def _article_row(entry: Any, article_id: str) -> dict[str, Any]:
    """The article row merge_copies would give a single copy (the template's, with this copy's fields)."""
    if "row" not in _ROW_CACHE:
        _ROW_CACHE["row"] = article_to_row(dedupe.merge_copies("x", [entry], entry.published))
    row = dict(_ROW_CACHE["row"])
    row.update(
        id=article_id, title=entry.title, url=entry.url, published=entry.published, content_hash=entry.content_hash,
        sources=[entry.source], copies=[{"source": entry.source, "url": entry.url, "guid": entry.guid}],
    )  # fmt: skip
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,1000000", help="stored articles before the pass, comma-separated")
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    farm = bench_run.FarmProcess(args.feeds, args.entries)
    results = []
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    try:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="syndicate-mem-") as tmp:
                workdir = Path(tmp)
                bench_run.write_syndicate_config(workdir, [farm.url(i) for i in range(args.feeds)])
                open_engine(f"sqlite:///{workdir / 'syndicate.db'}").dispose()  # the schema, by the migrations
                fill = bulk_fill(workdir / "syndicate.db", size)
                farm.reset()
                m = bench_run.measure("syndicate", f"pass@{size}", bench_run.syndicate_argv(workdir, "cold"), env)
                db_mb = sum(p.stat().st_size for p in workdir.glob("syndicate.db*")) / 2**20
                results.append((size, fill, m, db_mb))
                print(f"  {size:>9} articles: fill {fill:6.1f}s  pass {m.wall:6.2f}s  cpu {m.cpu:6.2f}s  "
                      f"peak rss {m.peak_rss_mb:5.0f} MB  db {db_mb:6.0f} MB {'' if m.ok else m.note}",
                      file=sys.stderr, flush=True)  # fmt: skip
    finally:
        farm.close()
    print(f"\npass over a farm of {args.feeds} feeds x {args.entries} entries, then outputs regenerated")
    print("| stored articles | DB MB | pass wall s | pass CPU s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    for size, _fill, m, db_mb in results:
        print(f"| {size:,} | {db_mb:.0f} | {m.wall:.2f} | {m.cpu:.2f} | {m.peak_rss_mb:.0f} |")
    return 0 if all(m.ok for _s, _f, m, _d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
