"""``syndicate run`` with ``executor = "celery"``: the scheduler that enqueues the work.

Exactly one scheduler is active at a time: it holds the database lease ``scheduler``
(renewed every third of its TTL); any number of others stand by, trying to take the lease,
and one takes over when the active one dies (at once on the same host, after the TTL
elsewhere). Each tick the active scheduler:

- claims every due source with a conditional UPDATE (:func:`store.sources.claim_due`), so a
  source is enqueued once even when two schedulers overlap, and enqueues the claimed ones in
  batches (``sources`` tasks, results not kept); the worker's record of the fetch sets the
  next due time;
- enqueues ``render`` when articles changed since the last render it asked for;
- enqueues one ``deliver`` task per enabled target (plan + deliver for that target),
  never a second one for a target while the first is still queued or running.

On taking the lease it first registers targets not seen before (a plan), so articles
ingested by the workers afterwards count as new for them.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from syndicate.daemon.lease import Lease
from syndicate.daemon.signals import install_signals
from syndicate.distributed.app import claim_hold, configure, task_budget
from syndicate.distributed.client import batches, enqueue_deliver, enqueue_render, enqueue_sources, resend_after
from syndicate.errors import SyndicateError
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import select_sources
from syndicate.store import sources as source_store
from syndicate.store.schema import articles, targets

log = logging.getLogger("syndicate.scheduler")

LEASE_NAME = "scheduler"
LEASE_TTL = 30.0
PURGE_EVERY = 3600.0


class Scheduler:
    def __init__(self, ctx: Context, *, config_path: str | None = None, lease_ttl: float = LEASE_TTL) -> None:
        self.ctx = ctx
        self.config_path = config_path
        self.app = configure(ctx.config)
        self.lease = Lease(ctx.engine, LEASE_NAME, ttl=lease_ttl)
        self.stop_event = threading.Event()
        self.reload_requested = threading.Event()
        self.active = False
        self.render_mark: tuple[Any, ...] | None = None
        # "render" / "deliver:NAME" -> (AsyncResult, time.monotonic() when it was sent)
        self.in_flight: dict[str, tuple[Any, float]] = {}
        self.enqueued = 0
        self.last_tick_finished: float | None = None
        self.last_purge = 0.0

    # -- leadership ----------------------------------------------------------------

    def try_lead(self) -> bool:
        if self.lease.acquire():
            self.active = True
            self.render_mark = None
            self.in_flight.clear()
            log.warning("scheduler active (lease %r held by %s)", LEASE_NAME, self.lease.holder)
            self.register_targets()
            return True
        return False

    def keep_lead(self) -> bool:
        if not self.lease.renew():
            log.error("lost the scheduler lease to another scheduler; standing by")
            self.active = False
        return self.active

    # -- the work ------------------------------------------------------------------------

    @property
    def tick_seconds(self) -> float:
        config = self.ctx.config
        intervals = [config.interval_for(s) for s in config.source if s.enabled]
        shortest = min(intervals) if intervals else config.syndicate.interval
        return max(0.5, min(5.0, shortest / 4))  # a tick is cheap: one read of the sources, claims

    def register_targets(self) -> None:
        """Plan once, here, for targets never planned before (their start line is now)."""
        from syndicate import crosspost as xp

        with self.ctx.engine.connect() as conn:
            known = {r.name for r in conn.execute(select(targets.c.name))}
        fresh = [t for t in self.ctx.config.target if t.enabled and t.name not in known]
        if fresh:
            xp.plan(self.ctx.engine, self.ctx.config.model_copy(update={"target": fresh}), now=datetime.now(UTC))

    def tick(self) -> int:
        """Enqueue what is due now; returns how many sources were enqueued."""
        config = self.ctx.config
        now = datetime.now(UTC)
        names, _rows = select_sources(self.ctx, now)
        hold = claim_hold(config)
        claimed: list[str] = []
        for name in names:
            if self.stop_event.is_set():
                break
            if source_store.claim_due(self.ctx.engine, name, now, hold):
                claimed.append(name)
        for batch in batches(claimed):
            enqueue_sources(batch, want_result=False)
        count = len(claimed)
        self.enqueued += count
        mark = self._articles_mark()
        if mark != self.render_mark and self._free("render"):
            self.in_flight["render"] = (enqueue_render(), time.monotonic())
            self.render_mark = mark
        for target in config.target:
            key = f"deliver:{target.name}"
            if target.enabled and self._free(key):
                self.in_flight[key] = (enqueue_deliver(target.name, task_budget(config) / 2), time.monotonic())
        if time.monotonic() - self.last_purge > PURGE_EVERY:
            self.purge()
        self.last_tick_finished = time.monotonic()
        return count

    def _free(self, key: str) -> bool:
        """Whether the task sent for ``key`` is done, or so overdue that its message was lost."""
        sent = self.in_flight.get(key)
        if sent is None:
            return True
        result, sent_at = sent
        if result.ready():
            return True
        waited = time.monotonic() - sent_at
        if waited > resend_after(self.ctx.config):  # lost with a worker that never recorded it: send it again
            log.warning("%s: no result for %.0fs; sending it again (tasks are idempotent)", key, waited)
            return True
        return False

    def _articles_mark(self) -> tuple[Any, ...]:
        with self.ctx.engine.connect() as conn:
            return tuple(conn.execute(select(func.count(), func.max(articles.c.changed_at))).one())

    def purge(self) -> None:
        from syndicate.store.articles import purge_tombstones

        self.last_purge = time.monotonic()
        cutoff = datetime.now(UTC) - timedelta(seconds=self.ctx.config.syndicate.tombstone_ttl)
        purge_tombstones(self.ctx.engine, cutoff)

    def healthy(self) -> tuple[bool, str]:
        if not self.active:
            return True, "standing by"
        limit = self.tick_seconds * 4 + 30
        if self.last_tick_finished is not None and time.monotonic() - self.last_tick_finished > limit:
            return False, f"no tick finished for {time.monotonic() - self.last_tick_finished:.0f}s"
        return True, "ok"

    def reload(self) -> None:
        self.reload_requested.clear()
        reloaded = self.ctx.reloaded(self.config_path, what="scheduler")
        if reloaded is None:
            return
        self.ctx = reloaded
        config = reloaded.config
        self.app = configure(config)
        self.render_mark = None
        log.warning("configuration reloaded: %d sources, %d targets (restart the workers too)",
                    len(config.source), len(config.target))

    # -- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        renew_every = self.lease.ttl / 3
        last_renew = 0.0
        next_tick = 0.0
        standby_logged = False
        while not self.stop_event.is_set():
            now = time.monotonic()
            try:
                if self.reload_requested.is_set():
                    self.reload()
                if not self.active:
                    if not self.try_lead():
                        if not standby_logged:
                            log.warning("another scheduler is active; standing by")
                            standby_logged = True
                        self.stop_event.wait(min(5.0, renew_every))
                        continue
                    last_renew, next_tick, standby_logged = now, 0.0, False
                if now - last_renew >= renew_every:
                    last_renew = now
                    if not self.keep_lead():
                        continue
                if now >= next_tick:
                    self.tick()
                    next_tick = time.monotonic() + self.tick_seconds
            except SyndicateError as exc:
                log.error("scheduler: %s", exc)
            except Exception:
                log.exception("scheduler tick crashed")
            self.stop_event.wait(0.2)

    def install_signals(self) -> None:
        install_signals(self.stop_event, self.reload_requested.set, what="scheduler")


def run_scheduler(
    ctx: Context,
    *,
    config_path: str | None = None,
    serve: bool = False,
    host: str | None = None,
    port: int | None = None,
) -> int:
    """Run the scheduler (active or standing by) until SIGTERM/SIGINT; with ``serve``, serve the feeds,
    ``/metrics``, ``/healthz`` and the WebSub callback too, and (while active) keep the sources'
    WebSub subscriptions, as the local daemon does."""
    scheduler = Scheduler(ctx, config_path=config_path)
    scheduler.install_signals()
    server = None
    websub: threading.Thread | None = None
    try:
        if serve:
            from syndicate.serve_app import serve_beside

            server = serve_beside(ctx, scheduler, host, port)
            websub = threading.Thread(target=_keep_subscriptions, args=(scheduler,), name="websub", daemon=True)
            websub.start()
        scheduler.run()
        return 0
    finally:
        if websub is not None:
            websub.join(timeout=10)
        if server is not None:
            server.stop()
        if scheduler.active:
            scheduler.lease.release()
        log.warning("scheduler stopped")


def _keep_subscriptions(scheduler: Scheduler) -> None:
    """Subscribe, renew and unsubscribe (WebSub) while this scheduler is the active one; off the
    tick loop, as a hub can be slow to answer. A standby's callback still verifies and takes pushes."""
    from syndicate.websub.subscriber import maintenance_job, wait_for_next_check

    while not scheduler.stop_event.is_set():
        wait = max(scheduler.tick_seconds, 2.0)
        if scheduler.active:
            wait = maintenance_job(scheduler, wait)  # shorter while a lease is short
        wait_for_next_check(scheduler.stop_event, wait)
