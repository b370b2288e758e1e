"""The crosspost ledger's row writes, value by value (``syndicate/crosspost/ledger.py``).

Written to kill the mutants the flow tests let live (docs/mutation-report.md): each test pins
what a state change writes into every column it touches, and that it touches only its own row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from syndicate.crosspost import ledger
from syndicate.store.db import open_engine
from syndicate.store.schema import deliveries

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield engine
    engine.dispose()


def add(
    engine: Engine, article: str, state: str, *, created: datetime = T0, target: str = "blog", **values: Any
) -> str:
    delivery = ledger.delivery_id(article, target)
    row = {"id": delivery, "article_id": article, "target": target, "state": state, "action": "create",
           "attempts": 3, "reason": "terms say no", "last_error": "earlier error", "next_attempt_at": None,
           "created_at": created, "updated_at": created, **values}
    with engine.begin() as conn:
        conn.execute(insert(deliveries).values(**row))
    return delivery


def row(engine: Engine, delivery: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
    assert found is not None
    values = dict(found._mapping)
    for key in ("next_attempt_at", "updated_at", "released_at", "sending_since", "created_at"):
        if values[key] is not None and values[key].tzinfo is None:
            values[key] = values[key].replace(tzinfo=UTC)
    return values


@pytest.mark.parametrize("state", ["blocked", "held", "failed"])
def test_release_makes_exactly_that_delivery_pending_now_with_a_clean_slate(engine: Engine, state: str) -> None:
    chosen = add(engine, "a1", state)
    other = add(engine, "a2", state)
    now = T0 + timedelta(hours=2)
    assert ledger.release(engine, chosen, now=now) is True
    released = row(engine, chosen)
    assert released["state"] == "pending"
    assert released["released_at"] == now and released["next_attempt_at"] == now and released["updated_at"] == now
    assert released["reason"] == "released by hand"
    assert released["last_error"] is None and released["attempts"] == 0
    untouched = row(engine, other)
    assert untouched["state"] == state and untouched["released_at"] is None and untouched["attempts"] == 3


@pytest.mark.parametrize("state", ["pending", "sending", "delivered"])
def test_release_refuses_what_is_not_blocked_held_or_failed(engine: Engine, state: str) -> None:
    delivery = add(engine, "a1", state)
    assert ledger.release(engine, delivery, now=T0) is False
    assert row(engine, delivery)["state"] == state and row(engine, delivery)["released_at"] is None
    assert ledger.release(engine, "no-such-id", now=T0) is False


def test_release_without_a_time_uses_the_current_utc_time(engine: Engine) -> None:
    delivery = add(engine, "a1", "held")
    before = datetime.now(UTC)
    assert ledger.release(engine, delivery)
    after = datetime.now(UTC)
    assert before <= row(engine, delivery)["released_at"] <= after
    assert ledger.utcnow().tzinfo is UTC


def test_fail_records_the_error_scrubbed_and_cut_and_the_retry(engine: Engine) -> None:
    delivery = add(engine, "a1", "sending", sending_since=T0, sending_hash="sha256:x")
    other = add(engine, "a2", "sending", sending_since=T0)
    retry = T0 + timedelta(minutes=5)
    ledger.fail(engine, delivery, T0, error="boom " + "x" * 2000, retry_at=retry)
    failed = row(engine, delivery)
    assert failed["state"] == "failed" and failed["next_attempt_at"] == retry and failed["updated_at"] == T0
    assert failed["last_error"] == ("boom " + "x" * 2000)[:1000]
    assert failed["sending_since"] is None and failed["sending_hash"] is None
    assert row(engine, other)["state"] == "sending"
    ledger.fail(engine, other, T0, error="gone", retry_at=None, state="blocked")
    assert row(engine, other)["state"] == "blocked" and row(engine, other)["next_attempt_at"] is None


def test_back_to_pending_only_moves_a_row_that_is_sending(engine: Engine) -> None:
    sending = add(engine, "a1", "sending", sending_since=T0)
    delivered = add(engine, "a2", "delivered")
    now = T0 + timedelta(minutes=3)
    ledger.back_to_pending(engine, sending, now, note="the earlier attempt did not arrive")
    ledger.back_to_pending(engine, delivered, now, note="must not apply")
    moved = row(engine, sending)
    assert moved["state"] == "pending" and moved["next_attempt_at"] == now and moved["updated_at"] == now
    assert moved["sending_since"] is None and moved["last_error"] == "the earlier attempt did not arrive"
    assert row(engine, delivered)["state"] == "delivered" and row(engine, delivered)["last_error"] == "earlier error"


def test_list_deliveries_is_oldest_first_and_filters_by_target_and_state(engine: Engine) -> None:
    # ids are hashes: creation order must not be their order
    ids = [add(engine, f"a{i}", state, created=T0 + timedelta(minutes=i), target=target)
           for i, (state, target) in enumerate([("held", "blog"), ("pending", "blog"), ("held", "list")])]
    assert sorted(ids) != ids or sorted(ids, reverse=True) != ids
    rows = ledger.list_deliveries(engine)
    assert [r["id"] for r in rows] == ids
    assert [r["id"] for r in ledger.list_deliveries(engine, target="blog")] == ids[:2]
    assert [r["id"] for r in ledger.list_deliveries(engine, state="held")] == [ids[0], ids[2]]
    assert [r["id"] for r in ledger.list_deliveries(engine, target="list", state="held")] == [ids[2]]
    assert set(rows[0]) == set(ledger.JSON_FIELDS)
    assert rows[0]["updated_at"] == "2026-01-05T12:00:00Z" and rows[0]["next_attempt_at"] is None


def test_iso_times_are_told_in_utc_ending_in_z() -> None:
    assert ledger._iso(datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) == "2026-01-05T12:00:00Z"
    assert ledger._iso(datetime(2026, 1, 5, 12, 0)) == "2026-01-05T12:00:00Z"  # naive: stored UTC
    assert ledger._iso(None) is None
    east = timezone(timedelta(hours=2))
    assert ledger._iso(datetime(2026, 1, 5, 14, 0, tzinfo=east)) == "2026-01-05T12:00:00Z"  # told in UTC


def test_row_json_converts_both_times(engine: Engine) -> None:
    delivery = add(engine, "a1", "failed", next_attempt_at=T0 + timedelta(minutes=1))
    with engine.connect() as conn:
        found = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
    out = ledger.row_json(found)
    assert out["next_attempt_at"] == "2026-01-05T12:01:00Z" and out["updated_at"] == "2026-01-05T12:00:00Z"
    assert out["last_error"] == "earlier error" and out["attempts"] == 3
