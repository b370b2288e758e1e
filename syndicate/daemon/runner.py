"""``syndicate run``: the daemon.

APScheduler (3.x) drives a short *tick*: each tick runs a pass over the sources
that are due (every source keeps its own next-due time, with jitter, backoff and
the feed's own hints), regenerates outputs when something changed, and sends
due crossposts. A database lease keeps a second daemon off the same database.
SIGTERM/SIGINT stop it gracefully (the work in hand is finished), SIGHUP reloads
the configuration between ticks. With ``executor = "celery"`` ``run`` is the scheduler of
:mod:`syndicate.distributed.scheduler` instead (the work runs on ``syndicate worker``s).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as APThreadPool
from apscheduler.schedulers.background import BackgroundScheduler

from syndicate.daemon.lease import Lease, describe_holder
from syndicate.daemon.signals import install_signals
from syndicate.errors import LockedError, SyndicateError
from syndicate.pipeline.context import Context

log = logging.getLogger("syndicate.daemon")

LEASE_NAME = "daemon"
LEASE_TTL = 30.0


class Daemon:
    def __init__(self, ctx: Context, *, config_path: str | None = None) -> None:
        self.ctx = ctx
        self.config_path = config_path
        self.stop_event = threading.Event()
        self.reload_requested = threading.Event()
        self.lease = Lease(ctx.engine, LEASE_NAME, ttl=LEASE_TTL)
        self.last_tick_started: float | None = None
        self.last_tick_finished: float | None = time.monotonic()
        self.last_pass: Any = None
        self.last_pass_ok_at: datetime | None = None
        self.passes = 0
        self.first = True
        self.wakeup = threading.Event()
        self._tick_lock = threading.Lock()
        self.work_lock = self._tick_lock  # ops helper: WebSub pushes are processed under the pass's lock

    # -- lifecycle -------------------------------------------------------------

    def acquire(self) -> None:
        if not self.lease.acquire():
            held = self.lease.current_holder()
            who = describe_holder(held[0]) if held else "another process"
            raise LockedError(
                f"another syndicate daemon ({who}) is running on this database; stop it first "
                f"(its lock expires {LEASE_TTL:.0f}s after it dies)"
            )

    @property
    def tick_seconds(self) -> float:
        intervals = [self.ctx.config.interval_for(s) for s in self.ctx.config.source if s.enabled]
        shortest = min(intervals) if intervals else self.ctx.config.syndicate.interval
        return max(0.5, min(15.0, shortest / 4))

    def healthy(self) -> tuple[bool, str]:
        """False when the scheduler is stuck: no tick has finished for far longer than expected."""
        now = time.monotonic()
        limit = self.tick_seconds * 4 + self.ctx.config.syndicate.deadline * 2 + 30
        running = self.last_tick_started is not None and (
            not self.last_tick_finished or self.last_tick_finished < self.last_tick_started
        )
        if running and self.last_tick_started is not None and now - self.last_tick_started > limit:
            return False, f"a pass has been running for {now - self.last_tick_started:.0f}s"
        if self.last_tick_finished and now - self.last_tick_finished > limit:
            return False, f"no pass finished for {now - self.last_tick_finished:.0f}s"
        return True, "ok"

    # -- the work ------------------------------------------------------------------

    def tick(self) -> None:
        if self.stop_event.is_set() or not self._tick_lock.acquire(blocking=False):
            return
        try:
            self.last_tick_started = time.monotonic()
            if self.reload_requested.is_set():
                self._reload()
            from syndicate.pipeline.passes import run_pass

            summary = run_pass(self.ctx, render=self.first or None, should_stop=self.stop_event.is_set)
            self.first = False
            self.passes += 1
            self.last_pass = summary
            if summary.ok:
                self.last_pass_ok_at = datetime.now(UTC)
        except SyndicateError as exc:
            log.error("pass failed: %s", exc)
        except Exception:
            log.exception("pass crashed")
        finally:
            self.last_tick_finished = time.monotonic()
            self._tick_lock.release()

    def renew_lease(self) -> None:
        if not self.lease.renew():
            log.error("lost the daemon lock to another process; stopping")
            self.stop_event.set()

    def purge(self) -> None:
        from syndicate.store.articles import purge_tombstones

        cutoff = datetime.now(UTC) - timedelta(seconds=self.ctx.config.syndicate.tombstone_ttl)
        purge_tombstones(self.ctx.engine, cutoff)

    def _reload(self) -> None:
        self.reload_requested.clear()
        reloaded = self.ctx.reloaded(self.config_path, what="daemon")
        if reloaded is None:
            return
        self.ctx = reloaded
        config = reloaded.config
        self.first = True  # re-render: outputs may have changed
        log.info(
            "configuration reloaded: %d sources, %d outputs, %d targets",
            len(config.source),
            len(config.output),
            len(config.target),
        )

    # -- signals ----------------------------------------------------------------------

    def install_signals(self) -> None:
        def reload() -> None:
            self.reload_requested.set()
            self.wakeup.set()

        install_signals(self.stop_event, reload, what="daemon")


def run_daemon(
    ctx: Context,
    *,
    config_path: str | None = None,
    serve: bool = False,
    host: str | None = None,
    port: int | None = None,
) -> int:
    if ctx.config.syndicate.executor == "celery":  # scale-out: schedule work for `syndicate worker`s
        from syndicate.distributed.scheduler import run_scheduler

        return run_scheduler(ctx, config_path=config_path, serve=serve, host=host, port=port)
    daemon = Daemon(ctx, config_path=config_path)
    daemon.acquire()
    daemon.install_signals()
    server = None
    websub: threading.Thread | None = None
    scheduler = BackgroundScheduler(
        executors={"default": APThreadPool(2)}, job_defaults={"coalesce": True, "max_instances": 1}, timezone=UTC
    )
    try:
        if serve:
            from syndicate.serve_app import serve_beside

            server = serve_beside(ctx, daemon, host, port)
        scheduler.add_job(
            daemon.tick, "interval", seconds=daemon.tick_seconds, id="tick", next_run_time=datetime.now(UTC)
        )
        scheduler.add_job(daemon.renew_lease, "interval", seconds=LEASE_TTL / 3, id="lease")
        # at start too: a daemon restarted more often than hourly would otherwise never purge
        scheduler.add_job(daemon.purge, "interval", hours=1, id="purge", next_run_time=datetime.now(UTC))
        if serve:  # ops helper: WebSub subscribe/renew/unsubscribe; the callback is served with the feeds
            from syndicate.websub.subscriber import keep_subscriptions

            # its own thread: a slow hub must never delay the lease renewal or the tick; it checks
            # as often as the shortest lease needs
            websub = threading.Thread(target=keep_subscriptions, args=(daemon, daemon.stop_event,
                                      max(daemon.tick_seconds, 2.0)), name="websub", daemon=True)
            websub.start()
        scheduler.start()
        log.info("daemon started: %d sources, tick every %.1fs", len(ctx.config.source), daemon.tick_seconds)
        while not daemon.stop_event.is_set():
            daemon.wakeup.wait(1.0)
            if daemon.wakeup.is_set():
                daemon.wakeup.clear()
                scheduler.modify_job("tick", next_run_time=datetime.now(UTC))
        scheduler.shutdown(wait=True)  # finishes the pass in hand
        if websub is not None:
            websub.join(timeout=10)
        return 0
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if server is not None:
            server.stop()
        daemon.lease.release()
        log.info("daemon stopped")
