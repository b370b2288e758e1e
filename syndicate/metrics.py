"""``/metrics``: the daemon's state in the Prometheus text format.

A custom collector reads the database at scrape time (so the numbers are right
after a restart, and the same whichever process serves them) and the running
daemon's in-memory state (last pass, health). Nothing is counted twice in memory.

| metric | type | labels |
| --- | --- | --- |
| ``syndicate_sources`` | gauge: configured sources by last fetch status (``new``, ``disabled`` too) | status |
| ``syndicate_source_consecutive_failures`` | gauge | source |
| ``syndicate_parse_errors`` | gauge: sources whose last document was not a feed | |
| ``syndicate_articles`` | gauge: stored articles | state (live, withdrawn) |
| ``syndicate_newest_article_timestamp_seconds`` | gauge: when the newest article was first seen | |
| ``syndicate_last_pass_articles`` | gauge: articles changed by the last pass | change (new, updated) |
| ``syndicate_deliveries`` | gauge: crosspost ledger rows | target, state |
| ``syndicate_queue_depth`` | gauge: work waiting now | queue (deliveries, sources) |
| ``syndicate_crosspost_lag_seconds`` | histogram: delivered_at − (published or first seen) | target |
| ``syndicate_last_pass_success_timestamp_seconds`` | gauge | |
| ``syndicate_passes`` | counter: passes run by this daemon | |
| ``syndicate_healthy`` | gauge: 1 when the scheduler is not stuck | |
| ``syndicate_websub_subscriptions`` | gauge | state |
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, and_, func, or_, select

from syndicate.pipeline.context import Context
from syndicate.store.codec import aware
from syndicate.store.schema import articles, deliveries, sources, subscriptions

# seconds from publication to crosspost: a minute … a week
LAG_BUCKETS: tuple[float, ...] = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400,
                                  7 * 86400)
SOURCE_STATUSES = ("new", "ok", "not-modified", "error", "gone", "disabled")
DELIVERY_STATES = ("pending", "sending", "delivered", "failed", "blocked", "held", "rejected")


def lag_histogram(
    lags: Sequence[float], buckets: Sequence[float] = LAG_BUCKETS
) -> tuple[list[tuple[str, float]], float]:
    """Cumulative ``(le, count)`` buckets (``+Inf`` last) and the sum, for a list of lags (pure)."""
    counts = []
    for bound in buckets:
        counts.append((_le(bound), float(sum(1 for lag in lags if lag <= bound))))
    counts.append(("+Inf", float(len(lags))))
    return counts, float(sum(lags))


def _le(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


class SyndicateCollector(Collector):
    def __init__(self, ctx: Context, daemon: Any = None) -> None:
        self._ctx = ctx
        self.daemon = daemon
        self._due_sources = 0  # set by _sources, read by _deliveries (queue depth)

    @property
    def ctx(self) -> Context:
        return getattr(self.daemon, "ctx", None) or self._ctx

    def collect(self) -> Iterator[Metric]:
        engine = self.ctx.engine
        yield from self._sources(engine)
        yield from self._articles(engine)
        yield from self._deliveries(engine)
        yield from self._daemon()
        yield from self._websub(engine)

    # -- sources ---------------------------------------------------------------

    def _sources(self, engine: Engine) -> Iterator[Metric]:
        config = self.ctx.config
        now = datetime.now(UTC)
        with engine.connect() as conn:
            rows = {r.name: r for r in conn.execute(select(
                sources.c.name, sources.c.last_status, sources.c.last_error, sources.c.disabled_reason,
                sources.c.consecutive_failures, sources.c.next_due_at))}
        by_status: Counter[str] = Counter(dict.fromkeys(SOURCE_STATUSES, 0))
        failures = GaugeMetricFamily("syndicate_source_consecutive_failures",
                                     "Consecutive failed fetches of a source", labels=["source"])
        parse_errors = 0
        due = 0
        for source in config.source:
            row = rows.get(source.name)
            if not source.enabled or (row is not None and row.disabled_reason):
                by_status["disabled"] += 1
            else:
                by_status[(row.last_status if row is not None else None) or "new"] += 1
                next_due = aware(row.next_due_at) if row is not None else None
                if next_due is None or next_due <= now:
                    due += 1
            if row is not None:
                failures.add_metric([source.name], float(row.consecutive_failures or 0))
                if row.last_status == "error" and (row.last_error or "").startswith("not a feed"):
                    parse_errors += 1
        status = GaugeMetricFamily("syndicate_sources", "Configured sources by the status of their last fetch",
                                   labels=["status"])
        for name, count in sorted(by_status.items()):
            status.add_metric([name], float(count))
        yield status
        yield failures
        yield GaugeMetricFamily("syndicate_parse_errors", "Sources whose last document was not a feed",
                                value=float(parse_errors))
        self._due_sources = due

    # -- articles --------------------------------------------------------------

    def _articles(self, engine: Engine) -> Iterator[Metric]:
        with engine.connect() as conn:
            live = conn.execute(select(func.count()).select_from(articles).where(articles.c.deleted_at.is_(None)))
            live_count = int(live.scalar_one())
            total = int(conn.execute(select(func.count()).select_from(articles)).scalar_one())
            newest = aware(conn.execute(select(func.max(articles.c.first_seen))).scalar_one())
        stored = GaugeMetricFamily("syndicate_articles", "Stored articles", labels=["state"])
        stored.add_metric(["live"], float(live_count))
        stored.add_metric(["withdrawn"], float(total - live_count))
        yield stored
        yield GaugeMetricFamily("syndicate_newest_article_timestamp_seconds",
                                "When the newest stored article was first seen (Unix time; 0: none)",
                                value=newest.timestamp() if newest else 0.0)
        last = getattr(self.daemon, "last_pass", None)
        changed = GaugeMetricFamily("syndicate_last_pass_articles", "Articles the last pass added or updated",
                                    labels=["change"])
        changed.add_metric(["new"], float(getattr(last, "new", 0) or 0))
        changed.add_metric(["updated"], float(getattr(last, "updated", 0) or 0))
        yield changed

    # -- deliveries ------------------------------------------------------------

    def _deliveries(self, engine: Engine) -> Iterator[Metric]:
        now = datetime.now(UTC)
        states = GaugeMetricFamily("syndicate_deliveries", "Crosspost ledger rows by target and state",
                                   labels=["target", "state"])
        lag = HistogramMetricFamily("syndicate_crosspost_lag_seconds",
                                    "Seconds from an article's publication (else first sighting) to its crosspost",
                                    labels=["target"])
        with engine.connect() as conn:
            counts: dict[str, Counter[str]] = {t.name: Counter() for t in self.ctx.config.target}
            for target, state, count in conn.execute(
                select(deliveries.c.target, deliveries.c.state, func.count()).group_by(deliveries.c.target,
                                                                                       deliveries.c.state)
            ):
                counts.setdefault(target, Counter())[state] = int(count)
            pending = int(conn.execute(
                select(func.count()).select_from(deliveries).where(and_(
                    deliveries.c.state == "pending",
                    or_(deliveries.c.next_attempt_at.is_(None), deliveries.c.next_attempt_at <= now),
                ))
            ).scalar_one())
            lags: dict[str, list[float]] = {}
            for target, delivered_at, published, first_seen in conn.execute(
                select(deliveries.c.target, deliveries.c.delivered_at, articles.c.published, articles.c.first_seen)
                .select_from(deliveries.join(articles, articles.c.id == deliveries.c.article_id))
                .where(deliveries.c.delivered_at.is_not(None))
            ):
                start = aware(published) or aware(first_seen)
                end = aware(delivered_at)
                if start is not None and end is not None:
                    lags.setdefault(target, []).append(max(0.0, (end - start).total_seconds()))
        for target, by_state in sorted(counts.items()):
            for state in DELIVERY_STATES:
                states.add_metric([target, state], float(by_state.get(state, 0)))
        yield states
        for target, values in sorted(lags.items()):
            buckets, total = lag_histogram(values)
            lag.add_metric([target], buckets, total)
        yield lag
        queue = GaugeMetricFamily("syndicate_queue_depth", "Work waiting now: due deliveries and due sources",
                                  labels=["queue"])
        queue.add_metric(["deliveries"], float(pending))
        queue.add_metric(["sources"], float(self._due_sources))
        yield queue

    # -- the daemon --------------------------------------------------------------

    def _daemon(self) -> Iterator[Metric]:
        daemon = self.daemon
        if daemon is None:
            return
        ok_at = getattr(daemon, "last_pass_ok_at", None)
        yield GaugeMetricFamily("syndicate_last_pass_success_timestamp_seconds",
                                "When the last pass without failures finished (Unix time; 0: none yet)",
                                value=ok_at.timestamp() if ok_at else 0.0)
        yield CounterMetricFamily("syndicate_passes", "Passes this daemon has run",
                                  value=float(getattr(daemon, "passes", 0)))
        healthy = getattr(daemon, "healthy", None)
        if callable(healthy):
            ok, _reason = healthy()
            yield GaugeMetricFamily("syndicate_healthy", "1 when the scheduler is making progress",
                                    value=1.0 if ok else 0.0)

    def _websub(self, engine: Engine) -> Iterator[Metric]:
        with engine.connect() as conn:
            rows = conn.execute(select(subscriptions.c.state, func.count()).group_by(subscriptions.c.state))
            counts = {state: int(count) for state, count in rows}
        family = GaugeMetricFamily("syndicate_websub_subscriptions", "WebSub subscriptions to sources' hubs",
                                   labels=["state"])
        for state in ("requested", "active", "unsubscribing", "failed", "denied"):
            family.add_metric([state], float(counts.get(state, 0)))
        yield family


def render_metrics(ctx: Context, daemon: Any = None) -> bytes:
    """The Prometheus text exposition of everything above."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SyndicateCollector(ctx, daemon))
    return bytes(generate_latest(registry))
