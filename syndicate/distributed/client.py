"""``syndicate sync`` with ``executor = "celery"``: enqueue one pass on the workers and wait for it.

The pass has the local pass's shape and the same summary: the selected sources in batches
(one ``sources`` task per batch: fetch, process, record, as a local pass does), then
``render``, then one ``deliver`` task per enabled target (plan + deliver for that target, in
parallel). A dry run previews the crossposts here, as
the local pass does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import chain
from celery.result import AsyncResult

from syndicate.config import Config
from syndicate.distributed import wire
from syndicate.distributed.app import RESTORE_INTERVAL, configure, task_budget
from syndicate.errors import SyndicateError
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import PassSummary, SourceOutcome, SourceReport, select_sources
from syndicate.redact import scrub

log = logging.getLogger("syndicate.distributed")

POLL = 0.1  # seconds between looks at the oldest result still waiting
SWEEP = 1.0  # seconds between looks at every result still waiting (each look is a broker round trip)
LIVENESS = 30.0  # seconds without progress before asking whether any worker is alive


# Sources go to the workers in batches: a task costs a few ms of Celery and broker work on each
# side, and a batch's statements are bulk ones; at least TASKS_PER_PASS tasks when there are
# enough sources, so every worker gets a share and a task lost with its worker is a small redo.
TASKS_PER_PASS = 16
MAX_SOURCES_PER_TASK = 25


class NoWorkersError(SyndicateError):
    """No worker answers: the pass would wait for ever."""


def batches(names: Sequence[str], *, tasks: int = TASKS_PER_PASS, most: int = MAX_SOURCES_PER_TASK) -> list[list[str]]:
    """``names`` in consecutive batches of equal size, at most ``most`` each, ``tasks`` of them when possible (pure)."""
    size = max(1, min(most, -(-len(names) // max(1, tasks))))
    return [list(names[i : i + size]) for i in range(0, len(names), size)]


def batch_key(names: Sequence[str]) -> str:
    """How a batch is named in logs: its source, or its first and last."""
    return names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"


def enqueue_sources(names: list[str], *, sent_at: datetime | None = None, want_result: bool = True) -> AsyncResult:
    """One ``sources`` task: fetch, process and record these sources; its result is their SourceOutcomes.

    ``sent_at``: when this batch was first sent (now, unless it is sent again); a try finds what
    earlier tries of the batch recorded since then (:func:`syndicate.pipeline.passes.run_sources`).
    """
    from syndicate.distributed import tasks

    first_sent = (sent_at or datetime.now(UTC)).isoformat()
    return tasks.sources.si(names, first_sent).apply_async(ignore_result=not want_result)


def enqueue_source(name: str) -> AsyncResult:
    """The ``fetch → process`` chain of one source; its result is the source's SourceOutcome."""
    from syndicate.distributed import tasks

    return chain(tasks.fetch.si(name), tasks.process.s()).apply_async()


def enqueue_render() -> AsyncResult:
    from syndicate.distributed import tasks

    return tasks.render.si().apply_async()


def enqueue_deliver(target: str, budget: float | None = None) -> AsyncResult:
    from syndicate.distributed import tasks

    return tasks.deliver.si(target, budget).apply_async()


def ensure_workers(app: Any, *, timeout: float = 3.0) -> int:
    """Whether a worker answers a ping (the first answer ends the wait); raises NoWorkersError when none does."""
    try:
        replies = app.control.ping(timeout=timeout, limit=1) or []
    except Exception as exc:  # the broker itself is down
        raise NoWorkersError(f"broker: cannot reach {_broker(app)}: {type(exc).__name__}: {exc}") from None
    if not replies:
        raise NoWorkersError(
            f"no syndicate worker answers on {_broker(app)}; start one with `syndicate worker --config FILE`"
        )
    return len(replies)


def _broker(app: Any) -> str:
    url = str(app.conf.broker_url or "")
    return scrub(url.split("@")[-1] if "@" in url else url)


@dataclass
class _Waiting:
    key: str
    results: list[AsyncResult]  # the first try, then any sent again

    def task_ids(self) -> set[str]:
        """The ids of every try's tasks (a source's chain: its fetch and its process task)."""
        ids = set()
        for result in self.results:
            ids.add(result.id)
            if result.parent is not None:
                ids.add(result.parent.id)
        return ids

    def settled(self) -> AsyncResult | None:
        """A try that has an outcome: its result is in, or the task before it in its chain failed."""
        for result in self.results:
            if result.ready() or (result.parent is not None and result.parent.failed()):
                return result
        return None


def wait_all(
    app: Any,
    pending: Mapping[str, AsyncResult],
    on_done: Callable[[str, Any, BaseException | None], None],
    *,
    resend: Callable[[str], AsyncResult] | None = None,
    stall: float | None = None,
) -> None:
    """Wait until every result is in; ``on_done(key, value, error)`` once for each as it arrives.

    A task message can be lost: a worker killed between taking it from Redis and recording it as
    unacknowledged takes it along (Redis gives back only what was recorded). So when nothing at
    all has arrived for ``stall`` seconds, longer than any task may run before Redis hands it to
    another worker, every key still waiting whose tasks no worker is running or holding is sent
    again with ``resend(key)``: every task is idempotent, and whichever try finishes first is taken.
    """
    waiting = [_Waiting(k, [r]) for k, r in pending.items()]
    last_progress = last_look = last_sweep = time.monotonic()
    while waiting:
        still: list[_Waiting] = []
        # the oldest first, and the others only once it is in or at each sweep: tasks mostly finish
        # in the order they were sent, and asking for a result costs the broker a round trip or two
        sweep = time.monotonic() - last_sweep >= SWEEP
        if sweep:
            last_sweep = time.monotonic()
        for item in waiting:
            if still and not sweep:
                still.append(item)
                continue
            result = item.settled()
            if result is not None:
                error: BaseException | None = None
                value: Any = None
                try:
                    if result.parent is not None and result.parent.failed():
                        result.parent.get(propagate=True, disable_sync_subtasks=False)
                    value = result.get(propagate=True, disable_sync_subtasks=False)
                except Exception as exc:  # a task crashed: report it, keep the pass going
                    error = exc
                on_done(item.key, value, error)
                last_progress = last_look = time.monotonic()
            else:
                still.append(item)
        waiting = still
        if waiting:
            now = time.monotonic()
            if now - last_look > LIVENESS:
                ensure_workers(app)
                last_look = now
            if resend is not None and stall is not None and now - last_progress > stall:
                ensure_workers(app)
                busy = tasks_on_workers(app)
                lost = [item for item in waiting if not (item.task_ids() & busy)]
                if lost:
                    log.warning(
                        "no task result for %.0fs: sending %d task(s) again (%s)",
                        now - last_progress, len(lost), ", ".join(item.key for item in lost[:5]),
                    )
                for item in lost:
                    item.results.append(resend(item.key))
                last_progress = last_look = now
            time.sleep(POLL)


def tasks_on_workers(app: Any, *, timeout: float = 2.0) -> set[str]:
    """Ids of the tasks the workers are running or hold reserved (empty when none answers)."""
    try:
        inspect = app.control.inspect(timeout=timeout)
        replies = [inspect.active() or {}, inspect.reserved() or {}]
    except Exception:  # the broker is unreachable: nothing is known to be running
        return set()
    return {task["id"] for reply in replies for tasks in reply.values() for task in tasks if "id" in task}


def resend_after(config: Config) -> float:
    """Seconds without any result after which the tasks still waiting are sent again: a task
    lost with its worker would have been handed to another worker by then."""
    return 2 * task_budget(config) + 2 * RESTORE_INTERVAL


def run_pass_on_workers(
    ctx: Context,
    *,
    only: list[str] | None = None,
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[SourceReport], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> PassSummary:
    """One pass on the workers; the same PassSummary (and so the same output and exit code) as a local pass."""
    config = ctx.config
    app = configure(config)
    ensure_workers(app)
    now = datetime.now(UTC)
    summary = PassSummary(started_at=now)
    names, _rows = select_sources(ctx, now, only=only, force=force)
    if on_start:
        on_start(len(names))

    groups = {batch_key(batch): batch for batch in batches(names)}

    def sources_done(key: str, value: Any, error: BaseException | None) -> None:
        outcomes: dict[str, SourceOutcome] = {}
        if error is None and isinstance(value, list):
            outcomes = {o.report.name: o for o in map(wire.outcome_from_wire, value)}
        for name in groups[key]:
            outcome = outcomes.get(name)
            if outcome is None:
                message = scrub(f"worker: {type(error).__name__}: {error}" if error else "worker: no result")
                outcome = SourceOutcome(report=SourceReport(name=name, status="error", error=message.splitlines()[0]))
            summary.add_source(outcome)
            if progress:
                progress(outcome.report)

    stall = resend_after(config)
    sent_at = datetime.now(UTC)
    wait_all(app, {key: enqueue_sources(batch, sent_at=sent_at) for key, batch in groups.items()}, sources_done,
             resend=lambda key: enqueue_sources(groups[key], sent_at=sent_at), stall=stall)
    order = {name: index for index, name in enumerate(names)}
    summary.sources.sort(key=lambda report: order.get(report.name, len(order)))

    def rendered(_key: str, value: Any, error: BaseException | None) -> None:
        if error is not None:
            summary.outputs.errors.append(scrub(f"render: {type(error).__name__}: {error}").splitlines()[0])
        else:
            summary.outputs = wire.render_from_wire(value)

    wait_all(app, {"render": enqueue_render()}, rendered, resend=lambda _key: enqueue_render(), stall=stall)
    if config.target:
        from syndicate import crosspost as xp

        if dry_run:
            summary.plan = xp.preview(ctx.engine, config, now=datetime.now(UTC))
        else:
            summary.deliveries = _deliver_everywhere(app, ctx, xp)
    summary.finished_at = datetime.now(UTC)
    if not dry_run:
        from syndicate.store.activity import record_pass

        record_pass(ctx.engine, summary.started_at, summary.finished_at, summary.to_json())
    return summary


def _deliver_everywhere(app: Any, ctx: Context, xp: Any) -> Any:
    from syndicate.crosspost.planner import enabled_targets

    total = xp.DeliverySummary()

    def delivered(target: str, value: Any, error: BaseException | None) -> None:
        if error is not None:
            total.errors.append(scrub(f"{target}: worker: {type(error).__name__}: {error}").splitlines()[0])
            return
        merge_deliveries(total, wire.deliveries_from_wire(value))

    wait_all(
        app,
        {t.name: enqueue_deliver(t.name) for t in enabled_targets(ctx.config)},
        delivered,
        resend=enqueue_deliver,
        stall=resend_after(ctx.config),
    )
    return total


def merge_deliveries(total: Any, part: Any) -> None:
    """Add one target's DeliverySummary to the pass's (every count is per target, so they add up)."""
    for name in ("delivered", "updated", "deleted", "failed", "blocked", "held", "pending", "reconciled",
                 "rate_limited"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.errors.extend(part.errors)
