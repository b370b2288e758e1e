"""A target's first plan is one transaction: registration, backfill rows and watermark together.

The database refuses the third ledger row (a trigger, as a full disk would): the plan fails and
leaves no trace, and the next plan owes the whole back catalogue. Two planners racing for a new
target register it once, with its backfill once. SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from crosspost_helpers import later, make_article, make_config, store_article
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from syndicate.crosspost import PlanSummary, plan
from syndicate.store.schema import deliveries, targets

ARTICLES = 6


def _refuse_third_row(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":  # json() of a broken document: a runtime error, not a constraint
            conn.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON deliveries BEGIN "
                "SELECT CASE WHEN (SELECT count(*) FROM deliveries) >= 2 THEN json('{disk full') END; END"
            ))
        else:
            conn.execute(text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF (SELECT count(*) FROM deliveries) >= 2 THEN "
                "RAISE EXCEPTION 'disk full' USING ERRCODE = 'disk_full'; END IF; RETURN NEW; END $$"
            ))
            conn.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION refuse()"
            ))


def _allow(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER refuse"))
        else:
            conn.execute(text("DROP TRIGGER refuse ON deliveries"))
            conn.execute(text("DROP FUNCTION refuse()"))


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(targets)).scalar_one(),
                conn.execute(select(func.count()).select_from(deliveries)).scalar_one())


def _catalogue(engine: Engine) -> None:
    for i in range(ARTICLES):
        store_article(engine, make_article(), first_seen=later(i))


def test_a_first_plan_that_fails_midway_leaves_no_trace(engine: Engine, tmp_path: Path) -> None:
    """Mutation killed: committing the registration before the backfill rows (the failed plan leaves the
    target registered with two rows, and the next plan never owes the other four)."""
    _catalogue(engine)
    config = make_config(tmp_path, [{"name": "site", "type": "files", "path": "out", "backfill": 100}])
    _refuse_third_row(engine)
    try:
        with pytest.raises(OperationalError):
            plan(engine, config, now=later(10))
        assert _counts(engine) == (0, 0)
    finally:
        _allow(engine)
    summary = plan(engine, config, now=later(11))
    assert summary.new_targets == ["site"] and summary.creates == ARTICLES
    assert _counts(engine) == (1, ARTICLES)


def test_two_planners_racing_register_a_new_target_once(engine: Engine, tmp_path: Path) -> None:
    _catalogue(engine)
    config = make_config(tmp_path, [{"name": "site", "type": "files", "path": "out", "backfill": 100}])
    start = threading.Barrier(2)
    results: list[PlanSummary] = []
    errors: list[BaseException] = []

    def planner() -> None:
        start.wait()
        try:
            results.append(plan(engine, config, now=later(10)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(len(r.new_targets) for r in results) == [0, 1]
    assert sum(r.creates for r in results) == ARTICLES
    assert _counts(engine) == (1, ARTICLES)
