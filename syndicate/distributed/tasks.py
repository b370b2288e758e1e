"""The tasks: thin wrappers that call the pipeline's own stage functions on a worker.

    sources([name, ...]) -> [SourceOutcome, ...]       queue "process"  passes.run_sources (a pass's fetch,
                                                                        process and record, for a batch)
    fetch(name) -> FetchResult                         queue "fetch"    passes.fetch_source
    process(FetchResult) -> SourceOutcome              queue "process"  process_feed + passes.record_source
    render() -> RenderSummary                          queue "render"   render_outputs
    deliver(target, budget) -> DeliverySummary         queue "deliver"  crosspost.plan + crosspost.deliver

(each as JSON on the wire: :mod:`syndicate.distributed.wire`).

``syndicate sync`` and the scheduler send ``sources`` tasks: a few Celery messages and
results per pass, bulk statements per batch. ``fetch`` and ``process`` (one source each, two
messages and a result body through the broker) stay for clients of the previous version.

Every task is idempotent (see :mod:`syndicate.distributed.app`) and never raises for an
expected failure: a source that cannot be fetched or parsed is a report, like in a local pass.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from syndicate.config import Config
from syndicate.distributed import wire
from syndicate.distributed.app import TASK_PREFIX, app
from syndicate.distributed.runtime import runtime
from syndicate.models import FetchResult
from syndicate.pipeline.passes import (
    SourceOutcome,
    SourceReport,
    fetch_source,
    process_job,
    record_source,
    run_sources,
)
from syndicate.pipeline.process import process_feed
from syndicate.pipeline.render import render_outputs
from syndicate.redact import scrub
from syndicate.store import sources as source_store

log = logging.getLogger("syndicate.worker")


def only_target(config: Config, name: str) -> Config | None:
    """The configuration with one target left (the per-target share of plan and deliver); None if absent."""
    chosen = [t for t in config.target if t.name == name]
    if not chosen:
        return None
    return config.model_copy(update={"target": chosen})


def _unknown_source(name: str) -> FetchResult:
    return FetchResult(
        source=name,
        status="error",
        url="",
        error=f"this worker's configuration has no source {name!r}; restart the workers after editing it",
    )


@app.task(name=f"{TASK_PREFIX}sources")
def sources(names: list[str], sent_at: str | None = None) -> list[dict[str, Any]]:
    """Fetch, process and record a batch of sources, as a local pass does; one outcome per name, in order.

    ``sent_at`` (ISO 8601): when the batch was first sent; see :func:`passes.run_sources`.
    """
    rt = runtime()
    configured = {s.name for s in rt.ctx.config.source}
    known = [name for name in dict.fromkeys(names) if name in configured]
    since = datetime.fromisoformat(sent_at) if sent_at else None
    outcomes = {o.report.name: o for o in run_sources(rt.ctx, known, sent_at=since)}
    for name in names:
        if name not in outcomes:  # not in this worker's configuration
            error = _unknown_source(name).error
            outcomes[name] = SourceOutcome(report=SourceReport(name=name, status="error", error=error))
    return [wire.outcome_to_wire(outcomes[name]) for name in dict.fromkeys(names)]


@app.task(name=f"{TASK_PREFIX}fetch")
def fetch(name: str) -> dict[str, Any]:
    """Fetch one source (conditional GET with the stored validators)."""
    return wire.fetch_result_to_wire(_fetch(name))


def _fetch(name: str) -> FetchResult:
    rt = runtime()
    config = rt.ctx.config
    try:
        source = config.source_by_name(name)
    except Exception:
        return _unknown_source(name)
    try:
        return fetch_source(rt.fetcher, config, source, source_store.get_source(rt.ctx.engine, name))
    except Exception as exc:  # a bug: keep it to this source, as the local pass does
        log.exception("fetching %s crashed", name)
        return FetchResult(source=name, status="error", url=source.url, error=scrub(f"{type(exc).__name__}: {exc}"))


@app.task(name=f"{TASK_PREFIX}process")
def process(fetched: dict[str, Any]) -> dict[str, Any]:
    """Parse and normalize a fetched document, then record the fetch and ingest (one transaction each)."""
    return wire.outcome_to_wire(_process(wire.fetch_result_from_wire(fetched)))


def _process(result: FetchResult) -> SourceOutcome:
    rt = runtime()
    try:
        source = rt.ctx.config.source_by_name(result.source)
    except Exception:
        unknown = _unknown_source(result.source)
        return SourceOutcome(report=SourceReport(name=result.source, status="error", error=unknown.error))
    job = process_job(rt.ctx, source, result)
    outcome = process_feed(job) if job is not None else None
    return record_source(rt.ctx, source, result, outcome)


@app.task(name=f"{TASK_PREFIX}render")
def render(force: bool = False) -> dict[str, Any]:
    """Regenerate every output (files unchanged are left alone; each document is also stored)."""
    return wire.render_to_wire(render_outputs(runtime().ctx, force=force))


@app.task(name=f"{TASK_PREFIX}deliver")
def deliver(target: str, budget: float | None = None) -> dict[str, Any]:
    """Plan and deliver one target's crossposts; ``budget`` seconds after which no new send starts."""
    return wire.deliveries_to_wire(_deliver(target, budget))


def _deliver(target: str, budget: float | None) -> Any:
    from syndicate import crosspost as xp

    rt = runtime()
    config = only_target(rt.ctx.config, target)
    if config is None:
        summary = xp.DeliverySummary()
        summary.errors.append(f"this worker's configuration has no target {target!r}; restart the workers")
        return summary
    xp.plan(rt.ctx.engine, config, now=datetime.now(UTC))
    deadline = time.monotonic() + budget if budget is not None else None
    return xp.deliver(rt.ctx.engine, config, now=datetime.now(UTC), deadline=deadline)
