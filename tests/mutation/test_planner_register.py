"""``crosspost/planner.py`` on a target's first sight and its counts: the ``targets`` row a first
plan writes (``plan``, ``_compute``, ``_register``), a clock behind the stored articles, and
``PlanSummary.unchanged`` (``_record``). Real SQLite files, as in tests/crosspost."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine, delete, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))

from crosspost_helpers import T0, all_rows, later, make_article, make_config, store_article

from syndicate.crosspost import deliver, plan
from syndicate.store.codec import aware
from syndicate.store.schema import targets


def files(tmp_path: Path, name: str = "site", **extra: object) -> dict[str, object]:
    return {"name": name, "type": "files", "path": str(tmp_path / name), **extra}


def target_row(engine: Engine, name: str = "site") -> tuple[object, object, object]:
    with engine.connect() as conn:
        row = conn.execute(select(targets).where(targets.c.name == name)).one()
    return aware(row.added_at), aware(row.watermark), aware(row.planned_at)


def test_a_first_plan_registers_the_target_with_its_watermark_and_the_time(engine: Engine, tmp_path: Path) -> None:
    """Kills ``plan`` 21 (``planned_at`` not written on first sight), ``_compute`` 13, 15, 57 and
    ``_register`` 10 (the watermark of a first sight left empty, so the next plan reads every article
    again): a target added to a store that has articles is registered at the time of the plan, with
    the newest change as its watermark."""
    store_article(engine, make_article("a"), first_seen=later(1))
    store_article(engine, make_article("b"), first_seen=later(2), changed_at=later(3))
    config = make_config(tmp_path, [files(tmp_path, backfill=1)])
    summary = plan(engine, config, now=later(5))
    assert summary.new_targets == ["site"] and summary.creates == 1
    assert target_row(engine) == (later(5), later(3), later(5))
    plan(engine, config, now=later(6))
    assert target_row(engine) == (later(5), later(3), later(6))


def test_a_clock_behind_the_store_does_not_flood_a_new_target(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_compute`` 8 (the newest ``first_seen`` not read): when the planner's clock is behind the
    newest stored article (another machine ingested it), the target is added just after that article,
    so the article, there before the target, is not sent by the next plan (only a backfill would be)."""
    store_article(engine, make_article("ahead"), first_seen=later(10))
    config = make_config(tmp_path, [files(tmp_path, backfill=0)])
    plan(engine, config, now=later(5))
    added_at, watermark, _ = target_row(engine)
    assert added_at == later(10).replace(microsecond=1) and watermark == later(10)
    summary = plan(engine, config, now=later(20))
    assert summary.creates == 0 and summary.considered == 0
    assert all_rows(engine) == []


def test_a_settled_article_looked_at_again_counts_as_unchanged(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_record`` 8 (``unchanged -= 1`` when there is nothing to do): the delivered article at
    the watermark is looked at again by the next plan and counted once as unchanged."""
    config = make_config(tmp_path, [files(tmp_path)])
    plan(engine, config, now=T0)
    store_article(engine, make_article("a"), first_seen=later(1))
    assert plan(engine, config, now=later(2)).creates == 1
    assert deliver(engine, config, now=later(2)).delivered == 1
    again = plan(engine, config, now=later(3))
    assert (again.considered, again.unchanged, again.creates, again.updates) == (1, 1, 0, 0)


def test_a_target_registered_again_keeps_its_ledger_rows(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_record`` 58 (``unchanged += 2`` when the insert meets a row already there): when a
    target's ``targets`` row is gone (removed by hand to register it again) but its ledger rows are
    not, the new first plan's backfill inserts meet those rows, keep them and count each as unchanged."""
    config = make_config(tmp_path, [files(tmp_path, backfill=5)])
    store_article(engine, make_article("a"), first_seen=later(1))
    store_article(engine, make_article("b"), first_seen=later(2))
    assert plan(engine, config, now=later(3)).creates == 2
    before = all_rows(engine)
    with engine.begin() as conn:
        conn.execute(delete(targets).where(targets.c.name == "site"))
    again = plan(engine, config, now=later(4))
    assert again.new_targets == ["site"]
    assert (again.considered, again.unchanged, again.creates) == (2, 2, 0)
    assert all_rows(engine) == before
