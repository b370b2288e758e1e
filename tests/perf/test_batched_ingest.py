"""The batched ingest (store/articles.py) writes exactly what entry-by-entry ingest writes.

The reference is the per-entry path, ``_ingest_one`` for each entry in order inside one
transaction (what ``ingest`` did before batching). Both run on their own real SQLite
database with the same sequence of calls; every row of articles, copies and article_keys
must then be equal, and so must the counts each call returns. The sequence covers new
entries, an unchanged re-ingest, changed entries, the same articles from a second source
(URL matches), duplicates inside one batch, entries sharing a URL, and fuzzy matches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from syndicate.config import SourceConfig
from syndicate.models import NormalizedEntry
from syndicate.normalize import normalize_entry
from syndicate.parse import parse_feed
from syndicate.store import articles as store
from syndicate.store import open_engine
from syndicate.store.schema import article_keys, articles, copies
from tests.perf.farm_docs import farm_documents

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def reference_ingest(engine: Engine, source: str, entries: Sequence[NormalizedEntry], now: datetime) -> tuple:
    result = store.IngestResult()
    with engine.begin() as conn:
        for entry in entries:
            store._ingest_one(conn, source, entry, now, result)
    return (result.new, result.updated, result.unchanged, sorted(result.changed_ids))


def batched_ingest(engine: Engine, source: str, entries: Sequence[NormalizedEntry], now: datetime) -> tuple:
    result = store.ingest(engine, source, entries, now)
    return (result.new, result.updated, result.unchanged, sorted(result.changed_ids))


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            "articles": [tuple(r) for r in conn.execute(select(articles).order_by(articles.c.id))],
            "copies": sorted(
                tuple(r)
                for r in conn.execute(
                    select(*(c for c in copies.c if c.name != "id")).order_by(copies.c.article_id, copies.c.source)
                )
            ),
            "keys": [tuple(r) for r in conn.execute(select(article_keys).order_by(article_keys.c.key))],
        }


def _entries(source: str, feeds: int = 6, entries: int = 6) -> list[NormalizedEntry]:
    config = SourceConfig(name=source, url="http://127.0.0.1:1/feed.xml")
    out: list[NormalizedEntry] = []
    for index, _fmt, body in farm_documents(feeds=feeds, entries=entries):
        feed = parse_feed(body, {"content-type": "application/xml"}, f"http://127.0.0.1:1/feeds/{index:04d}.xml")
        out.extend(normalize_entry(e, feed, config) for e in feed.entries)
    return out


def _moved(entry: NormalizedEntry, url: str) -> NormalizedEntry:
    """The same article under another URL and guid (only its title, date and text still match)."""
    return dataclasses.replace(
        entry,
        guid=url,
        url=url,
        copy_url=url,
        raw_hash="moved:" + entry.raw_hash,
        attribution=dataclasses.replace(entry.attribution, original_url=None),
    )


def _renamed(entries: Sequence[NormalizedEntry], source: str) -> list[NormalizedEntry]:
    return [dataclasses.replace(e, source=source) for e in entries]


def test_batched_ingest_writes_what_per_entry_ingest_writes(tmp_path: Path) -> None:
    batched = open_engine(f"sqlite:///{tmp_path / 'batched.db'}")
    reference = open_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    base = _entries("alpha")
    changed = [
        dataclasses.replace(
            e, title=e.title + " (updated)", raw_hash=e.raw_hash + "x", content_hash="sha256:x" + e.raw_hash
        )
        for e in base[::3]
    ]
    fresh = [_moved(e, f"https://fresh.example/{i}") for i, e in enumerate(base[10:12])]
    duplicate_guid = [fresh[0], fresh[1], dataclasses.replace(fresh[0], raw_hash="other", title="Other title")]
    same_url = [dataclasses.replace(e, guid=f"{e.guid}-copy", raw_hash=e.raw_hash + "c") for e in base[1:4]]
    fuzzy = [_moved(e, f"https://elsewhere.example/{i}") for i, e in enumerate(base[4:8])]
    calls: list[tuple[str, list[NormalizedEntry], datetime]] = [
        ("alpha", base, NOW),
        ("alpha", base, NOW + timedelta(minutes=1)),  # all unchanged
        ("alpha", changed, NOW + timedelta(minutes=2)),  # updates
        ("beta", _renamed(base[:10], "beta"), NOW + timedelta(minutes=3)),  # the same articles via a second source
        ("gamma", _renamed(duplicate_guid, "gamma"), NOW + timedelta(minutes=4)),  # a guid twice in one batch
        ("delta", _renamed(same_url, "delta"), NOW + timedelta(minutes=5)),  # new guids, known URLs
        ("epsilon", _renamed(fuzzy, "epsilon"), NOW + timedelta(minutes=6)),  # other URLs, same titles
        ("alpha", base + changed, NOW + timedelta(minutes=7)),
    ]
    for source, entries, now in calls:
        assert batched_ingest(batched, source, entries, now) == reference_ingest(reference, source, entries, now), (
            source
        )
        assert snapshot(batched) == snapshot(reference), source
    counts = snapshot(batched)
    assert len(counts["articles"]) >= len(base) and counts["copies"] and counts["keys"]


def test_a_batch_of_new_entries_uses_few_statements(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'count.db'}")
    statements: list[str] = []

    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    entries = _entries("alpha", feeds=4, entries=10)
    store.ingest(engine, "alpha", entries, NOW)
    assert len(entries) == 40
    assert len(statements) < 15, statements  # per-entry ingest needs ~8 per entry


def test_an_entry_reads_back_the_same_without_a_trip_through_the_json_encoder() -> None:
    """_buffer_new merges a new copy from ``entry_to_json``'s output directly; _recompute from the
    JSON column. Both must give the same entry, for every feed the tests hold."""
    import json

    from syndicate.store.codec import entry_from_json, entry_to_json
    from tests.perf.normalize_golden import SOURCES, parsed_inputs

    checked = 0
    for _name, feed in parsed_inputs():
        for kind in SOURCES:
            config = SourceConfig.model_validate(SOURCES[kind])
            for entry in feed.entries:
                data = entry_to_json(normalize_entry(entry, feed, config))
                assert entry_from_json(data) == entry_from_json(json.loads(json.dumps(data)))
                checked += 1
    assert checked > 500
