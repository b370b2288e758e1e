"""The activity page's series (``syndicate/store/activity.py``) day by day, at the window's edges,
on a real SQLite file (docs/mutation-report.md, issue #21)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, insert

from syndicate.store import activity
from syndicate.store.schema import deliveries, passes

NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
FIRST_DAY = datetime(2026, 10, 26, tzinfo=UTC)  # 30 days ending on NOW's date: Oct 26 .. Nov 24


def _delivery(n: int, target: str, state: str, delivered_at: datetime | None) -> dict[str, object]:
    return {"id": f"d{n}", "article_id": f"a{n}", "target": target, "state": state, "action": "create",
            "attempts": 1, "created_at": NOW, "updated_at": NOW, "delivered_at": delivered_at}


def test_the_window_starts_at_midnight_of_its_first_day() -> None:
    window = activity.day_range(NOW)
    assert len(window) == 30 and window[0] == date(2026, 10, 26) and window[-1] == date(2026, 11, 24)
    assert activity._since(NOW, 30) == FIRST_DAY
    assert activity._since(NOW, 1) == datetime(2026, 11, 24, tzinfo=UTC)


def test_deliveries_per_target_day_counts_delivered_rows_of_the_window_only(engine: Engine) -> None:
    """Broken on purpose once (the ``state == "delivered"`` condition dropped): the failed row and
    the pending one were counted and the test went red."""
    rows = [
        _delivery(1, "blog", "delivered", FIRST_DAY),  # the window's first instant: counted
        _delivery(2, "blog", "delivered", NOW - timedelta(hours=1)),
        _delivery(3, "blog", "delivered", NOW - timedelta(hours=2)),
        _delivery(4, "blog", "failed", NOW - timedelta(hours=3)),  # delivered once, failing now
        _delivery(5, "blog", "pending", NOW - timedelta(hours=3)),
        _delivery(6, "masto", "delivered", NOW - timedelta(days=2)),
        _delivery(7, "old", "delivered", FIRST_DAY - timedelta(seconds=1)),  # before the window
        _delivery(8, "masto", "delivered", FIRST_DAY - timedelta(days=3)),
        _delivery(9, "never", "pending", None),
    ]
    with engine.begin() as conn:
        conn.execute(insert(deliveries), rows)
    per_target = activity.deliveries_per_target_day(engine, NOW)
    assert list(per_target) == ["blog", "masto"]  # a target with nothing in the window is not listed
    blog = dict(per_target["blog"])
    assert len(per_target["blog"]) == 30 and per_target["blog"][0] == (date(2026, 10, 26), 1)
    assert blog[date(2026, 11, 24)] == 2 and sum(blog.values()) == 3
    masto = dict(per_target["masto"])
    assert masto[date(2026, 11, 22)] == 1 and sum(masto.values()) == 1


def test_each_series_counts_the_window_s_first_day(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(passes), [
            {"started_at": FIRST_DAY, "finished_at": FIRST_DAY + timedelta(seconds=5),
             "summary": {"sources": {"failed": 4}}},
            {"started_at": FIRST_DAY - timedelta(seconds=1), "finished_at": FIRST_DAY,
             "summary": {"sources": {"failed": 100}}},
        ])
    failures = activity.failures_per_day(engine, NOW)
    assert failures[0] == (date(2026, 10, 26), 4) and sum(n for _, n in failures) == 4
    assert [p["started_at"] for p in activity.recent_passes(engine, NOW)] == [FIRST_DAY]


def test_failures_per_day_reads_every_pass_not_the_page_s_200(engine: Engine) -> None:
    """``recent_passes`` shows the newest 200; the failure series sums every pass of the window."""
    start = NOW - timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(insert(passes), [
            {"started_at": start + timedelta(minutes=n), "finished_at": start + timedelta(minutes=n, seconds=1),
             "summary": {"deliveries": {"failed": 1}}}
            for n in range(205)
        ])
    assert len(activity.recent_passes(engine, NOW)) == 200
    failures = activity.failures_per_day(engine, NOW)
    assert sum(n for _, n in failures) == 205


def test_days_are_utc_days_whatever_the_machine_s_zone(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    late = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # already the 25th in Tokyo
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert activity.day_range(late)[-1] == date(2026, 11, 24)
        assert activity.day_range(late.astimezone(timezone(timedelta(hours=9))))[-1] == date(2026, 11, 24)
        assert activity._since(late, 2) == datetime(2026, 11, 23, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
