"""What the pipeline did, day by day: the numbers behind the desk's charts.

Passes are recorded (:func:`record_pass`) with their start, end and summary; the other series
are counted from what is stored already (articles' first sight, copies' arrival, deliveries).
Days are UTC dates, oldest first, every day of the window present (zero when nothing happened).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, select

from syndicate.store.codec import aware
from syndicate.store.schema import articles, copies, deliveries, passes

DAYS = 30


def record_pass(engine: Engine, started_at: datetime, finished_at: datetime, summary: dict[str, Any]) -> None:
    """Keep one pass's start, end and summary (its duration and failures feed the Activity page)."""
    with engine.begin() as conn:
        conn.execute(insert(passes).values(started_at=started_at, finished_at=finished_at, summary=summary))


def day_range(now: datetime, days: int = DAYS) -> list[date]:
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def _since(now: datetime, days: int) -> datetime:
    start = day_range(now, days)[0]
    return datetime(start.year, start.month, start.day, tzinfo=UTC)


def _day(value: Any) -> date | None:
    when = aware(value)
    return when.astimezone(UTC).date() if when is not None else None


def _series(counter: Counter[date], days: list[date]) -> list[tuple[date, int]]:
    return [(day, counter.get(day, 0)) for day in days]


def articles_per_day(engine: Engine, now: datetime, days: int = DAYS) -> list[tuple[date, int]]:
    """New articles by the day they were first seen."""
    window = day_range(now, days)
    query = select(articles.c.first_seen).where(articles.c.first_seen >= _since(now, days))
    with engine.connect() as conn:
        counted = Counter(d for (value,) in conn.execute(query) if (d := _day(value)) is not None)
    return _series(counted, window)


def _daily_by_key(engine: Engine, query: Any, now: datetime, days: int) -> dict[str, list[tuple[date, int]]]:
    """``{key: per-day counts}`` from a query of (key, timestamp) rows."""
    window = day_range(now, days)
    counted: dict[str, Counter[date]] = defaultdict(Counter)
    with engine.connect() as conn:
        for key, when in conn.execute(query):
            day = _day(when)
            if day is not None:
                counted[key][day] += 1
    return {key: _series(counter, window) for key, counter in sorted(counted.items())}


def copies_per_source_day(engine: Engine, now: datetime, days: int = DAYS) -> dict[str, list[tuple[date, int]]]:
    """Items each source brought (new or changed copies), by day."""
    query = select(copies.c.source, copies.c.seen_at).where(copies.c.seen_at >= _since(now, days))
    return _daily_by_key(engine, query, now, days)


def deliveries_per_target_day(engine: Engine, now: datetime, days: int = DAYS) -> dict[str, list[tuple[date, int]]]:
    """Crossposts delivered to each target, by the day of their last delivery."""
    query = select(deliveries.c.target, deliveries.c.delivered_at).where(
        and_(deliveries.c.state == "delivered", deliveries.c.delivered_at >= _since(now, days))
    )
    return _daily_by_key(engine, query, now, days)


def recent_passes(engine: Engine, now: datetime, days: int = DAYS, limit: int = 200) -> list[dict[str, Any]]:
    """The newest recorded passes (oldest first): start, duration in seconds, failed sources and deliveries."""
    query = (
        select(passes.c.started_at, passes.c.finished_at, passes.c.summary)
        .where(and_(passes.c.started_at >= _since(now, days), passes.c.finished_at.is_not(None)))
        .order_by(passes.c.started_at.desc())
        .limit(limit)
    )
    out = []
    with engine.connect() as conn:
        for started, finished, summary in conn.execute(query):
            start, end = aware(started), aware(finished)
            if start is None or end is None:
                continue
            summary = summary or {}
            delivered = summary.get("deliveries") or {}
            out.append(
                {
                    "started_at": start,
                    "seconds": max(0.0, (end - start).total_seconds()),
                    "failed_sources": int((summary.get("sources") or {}).get("failed", 0)),
                    "failed_deliveries": int(delivered.get("failed", 0)),
                }
            )
    return list(reversed(out))


def failures_per_day(engine: Engine, now: datetime, days: int = DAYS) -> list[tuple[date, int]]:
    """Failed fetches and failed deliveries, summed over the recorded passes of each day."""
    counted: Counter[date] = Counter()
    for item in recent_passes(engine, now, days, limit=100_000):
        counted[item["started_at"].astimezone(UTC).date()] += item["failed_sources"] + item["failed_deliveries"]
    return _series(counted, day_range(now, days))
