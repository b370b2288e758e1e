"""Sources go to the workers in batches; a batch redone after its worker died reports what the
first try did (no source fetched twice, no entry counted as unchanged because the dead try stored it)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syndicate.config import load_config
from syndicate.distributed.client import batch_key, batches
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import run_sources
from tests.distributed.farm import FeedFarm, feed_name

FEEDS, ENTRIES = 12, 4


def test_batches_are_even_bounded_and_in_order() -> None:
    names = [f"s{i:03d}" for i in range(300)]
    parts = batches(names)
    assert [n for part in parts for n in part] == names
    assert len(parts) == 16 and {len(p) for p in parts} <= {19, 15}
    assert [len(p) for p in batches(names[:6])] == [1] * 6  # few sources: one each, every worker gets some
    assert max(len(p) for p in batches(names * 10)) == 25  # many: at most 25 per task
    assert batches([]) == []
    assert batch_key(["a"]) == "a" and batch_key(["a", "b", "c"]) == "a..c"


def _ctx(tmp_path: Path, farm: FeedFarm) -> Context:
    config = tmp_path / "syndicate.toml"
    config.write_text(f"""[syndicate]
feeds_dir = "feeds"
database = "sqlite:///{tmp_path / 'db.sqlite'}"
allow_private_networks = true
process_workers = 1

[[output]]
name = "all"
""" + farm.sources_toml(), encoding="utf-8")
    return Context.open(config=load_config(config))


def test_a_batch_redone_reports_what_its_first_try_did(tmp_path: Path) -> None:
    """Kills: fetching the sources recorded by the earlier try again (they answer 304, and the redo
    reports them as not modified with 0 new entries) — the pass's counts would then depend on a death."""
    farm = FeedFarm(FEEDS, ENTRIES, token="redo")
    ctx = _ctx(tmp_path, farm)
    try:
        from syndicate.store.sources import sync_sources

        sync_sources(ctx.engine, ctx.config)
        names = [feed_name(i) for i in range(FEEDS)]
        sent_at = datetime.now(UTC) - timedelta(seconds=1)
        first = {o.report.name: asdict(o) for o in run_sources(ctx, names[:8], sent_at=sent_at)}
        # the worker died here, having done 8 of the 12; the batch runs again on another worker
        redone = {o.report.name: asdict(o) for o in run_sources(ctx, names, sent_at=sent_at)}
        assert all(farm.hit_counts()[f"/feeds/{n}.xml"] == 1 for n in names)  # none fetched twice
        for name in names[:8]:
            assert redone[name] == first[name], name
        assert {o["report"]["status"] for o in redone.values()} == {"ok"}
        assert sum(o["new"] for o in redone.values()) == FEEDS * ENTRIES  # f009's copy of f008's story merges

        # the next pass (sent later) fetches again: 304s, nothing new
        later = run_sources(ctx, names, sent_at=datetime.now(UTC))
        assert {o.report.status for o in later} == {"not-modified"} and sum(o.new for o in later) == 0
    finally:
        ctx.close()
        farm.close()


def test_new_sources_are_added_at_once_or_around_one_added_meanwhile(tmp_path: Path) -> None:
    """Kills: dropping the one-by-one fallback (a source another process added between the read and
    the bulk insert would make every other new source go missing)."""
    from sqlalchemy import select

    from syndicate.store.schema import sources
    from syndicate.store.sources import _add_sources

    farm = FeedFarm(3, 1, token="add")
    ctx = _ctx(tmp_path, farm)
    try:
        rows = [{"name": f"s{i}", "config_url": f"u{i}", "url": f"u{i}", "consecutive_failures": 0,
                 "entries_seen": 0} for i in range(5)]
        with ctx.engine.begin() as conn:
            _add_sources(conn, rows[2:3])  # "another process" added s2 meanwhile
        with ctx.engine.begin() as conn:
            _add_sources(conn, rows)
        with ctx.engine.connect() as conn:
            assert sorted(r.name for r in conn.execute(select(sources.c.name))) == [f"s{i}" for i in range(5)]
    finally:
        ctx.close()
        farm.close()
