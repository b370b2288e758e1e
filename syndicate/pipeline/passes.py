"""One pass of the pipeline: fetch due sources → process → store → outputs → crossposts.

Fetching runs on a bounded thread pool (network-bound), processing on a process
pool when there is enough to do (CPU-bound; started by the first document to
process), and every database write happens on the calling thread, in one short
transaction per source (fetches with nothing to process, such as 304s, up to
``_RECORD_BATCH`` to a transaction). A failing source is recorded and the pass goes on.

The stages are public functions shared with the Celery executor
(:mod:`syndicate.distributed`), so both run the same logic: :func:`select_sources`,
:func:`fetch_source`, :func:`process_job` (+ ``process_feed``), :func:`record_source`
(record the fetch, ingest, report) and :meth:`PassSummary.add_source`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from syndicate.config import Config, SourceConfig
from syndicate.fetch import Fetcher
from syndicate.models import FetchResult, SourceState
from syndicate.pipeline.context import Context
from syndicate.pipeline.render import RenderSummary, render_outputs
from syndicate.store import articles as article_store
from syndicate.store import sources as source_store

if TYPE_CHECKING:  # the parsers and normalizers are imported only when a document is to be processed
    from syndicate.pipeline.process import ProcessJob, ProcessOutcome

log = logging.getLogger("syndicate.pass")

# below this many documents to process, a process pool costs more than it saves
_POOL_THRESHOLD = 6
# fetches with nothing to process (304s, errors) are recorded up to this many to a transaction,
# and none waits more than _RECORD_WAIT seconds for its batch to fill
_RECORD_BATCH = 100
_RECORD_WAIT = 1.0


@dataclass
class SourceReport:
    name: str
    status: str  # ok | not-modified | gone | error
    http_status: int | None = None
    error: str | None = None
    new: int = 0
    updated: int = 0
    moved_to: str | None = None


@dataclass
class PassSummary:
    started_at: datetime
    finished_at: datetime | None = None
    sources: list[SourceReport] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    outputs: RenderSummary = field(default_factory=RenderSummary)
    deliveries: Any = None  # crosspost.DeliverySummary
    plan: list[Any] = field(default_factory=list)  # dry-run: crosspost.PlannedAction
    changed_ids: list[str] = field(default_factory=list)
    dry_run: bool = False  # ran on a scratch copy (syndicate.pipeline.dry_run): nothing real changed
    notes: list[str] = field(default_factory=list)  # e.g. what a new target was not sent

    def add_source(self, done: SourceOutcome) -> None:
        """Count one source's outcome into the pass (the same for every executor)."""
        self.sources.append(done.report)
        self.new += done.new
        self.updated += done.updated
        self.unchanged += done.unchanged
        self.withdrawn += done.withdrawn
        self.changed_ids.extend(done.changed_ids)

    def count(self, status: str) -> int:
        return sum(1 for s in self.sources if s.status == status)

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status in ("error", "gone")]

    @property
    def ok(self) -> bool:
        delivery_errors = getattr(self.deliveries, "failed", 0) if self.deliveries is not None else 0
        return not self.failed_sources and not delivery_errors and not self.outputs.errors

    def to_json(self) -> dict[str, Any]:
        d = self.deliveries
        return {
            "dry_run": self.dry_run,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "sources": {
                "fetched": self.count("ok"),
                "not_modified": self.count("not-modified"),
                "failed": len(self.failed_sources),
            },
            "articles": {"new": self.new, "updated": self.updated, "withdrawn": self.withdrawn},
            "outputs": {"written": self.outputs.written, "unchanged": self.outputs.unchanged},
            "deliveries": d.to_json() if d is not None and hasattr(d, "to_json") else None,
            "notes": list(self.notes),
            "plan": [action.to_json() for action in self.plan],  # a dry run: what would be sent
            "failures": [
                {"source": s.name, "status": s.status, "http_status": s.http_status, "error": s.error}
                for s in self.failed_sources
            ],
        }


ProgressCallback = Callable[[SourceReport], None]


def run_pass(
    ctx: Context,
    *,
    only: list[str] | None = None,
    force: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
    crosspost: bool = True,
    render: bool | None = True,
    should_stop: Callable[[], bool] | None = None,
) -> PassSummary:
    """Run one full pass and return what happened.

    ``render``: True always regenerates outputs (unchanged files are left alone), None only
    when articles changed in this pass (the daemon's ticks). ``should_stop`` is polled
    between sources; when it says stop, no new fetch starts and the pass ends early.
    """
    config = ctx.config
    now = datetime.now(UTC)
    summary = PassSummary(started_at=now)
    names, rows = select_sources(ctx, now, only=only, force=force)
    if on_start:
        on_start(len(names))
    if names:
        _ingest_sources(ctx, names, rows, summary, progress, should_stop)
    if render or (render is None and (summary.changed_ids or summary.withdrawn)):
        summary.outputs = render_outputs(ctx, force=False)
    if crosspost and config.target and not (should_stop and should_stop()):
        from syndicate import crosspost as xp

        if dry_run:
            summary.notes = [n.describe() for n in xp.new_target_notes(ctx.engine, config, now=datetime.now(UTC))]
            summary.plan = xp.preview(ctx.engine, config, now=datetime.now(UTC))
        else:
            planned = xp.plan(ctx.engine, config, now=datetime.now(UTC))
            summary.notes = [note.describe() for note in planned.notes]
            for note in summary.notes:
                log.info("%s", note)
            summary.deliveries = xp.deliver(ctx.engine, config, now=datetime.now(UTC))
    summary.finished_at = datetime.now(UTC)
    if not dry_run:
        from syndicate.store.activity import record_pass

        record_pass(ctx.engine, summary.started_at, summary.finished_at, summary.to_json())
    return summary


def select_sources(
    ctx: Context, now: datetime, *, only: list[str] | None = None, force: bool = False
) -> tuple[list[str], dict[str, source_store.SourceRow]]:
    """The sources a pass fetches (due ones, or ``only`` those), and their stored rows."""
    config = ctx.config
    source_store.sync_sources(ctx.engine, config)
    rows = source_store.all_sources(ctx.engine)
    names = source_store.due_sources(config, rows, now, force=force or bool(only))
    if only:
        unknown = [n for n in only if n not in {s.name for s in config.source}]
        if unknown:
            from syndicate.errors import ConfigError

            raise ConfigError(f"{config.path}: no source named {unknown[0]!r}")
        names = [n for n in names if n in only]
    return names, rows


def _ingest_sources(
    ctx: Context,
    names: list[str],
    rows: dict[str, source_store.SourceRow],
    summary: PassSummary,
    progress: ProgressCallback | None,
    should_stop: Callable[[], bool] | None = None,
    *,
    pooled: bool = True,
) -> None:
    """Fetch, process and record ``names``; ``pooled=False`` processes on this thread."""
    config = ctx.config
    by_name = {s.name: s for s in config.source}
    fetcher = Fetcher(config.syndicate)
    try:
        with ThreadPoolExecutor(max_workers=config.syndicate.fetch_workers, thread_name_prefix="fetch") as fetch_pool:
            with _process_executor(config, len(names) if pooled else 0) as process_pool:
                fetches: dict[Future[FetchResult], SourceConfig] = {}
                pending: set[Future[Any]] = set()
                # a window of sources in flight (fetched bodies waiting for a worker included): memory stays flat
                queue = iter(names)
                window = _in_flight_window(config)

                def submit_fetches() -> None:
                    while len(pending) < window:
                        name = next(queue, None)
                        if name is None:
                            return
                        source = by_name[name]
                        future = fetch_pool.submit(fetch_source, fetcher, config, source, rows.get(name))
                        fetches[future] = source
                        pending.add(future)

                submit_fetches()
                # each job with the generation of the pool it went to (see _outcome)
                processing: dict[Future[ProcessOutcome], tuple[SourceConfig, FetchResult, ProcessJob, int]] = {}
                quiet: list[tuple[SourceConfig, FetchResult]] = []  # nothing to process: recorded in batches
                quiet_since = 0.0
                try:
                    while pending:
                        if should_stop is not None and should_stop():
                            for future in list(pending):
                                if future in fetches and future.cancel():
                                    pending.discard(future)
                                    fetches.pop(future)  # type: ignore[call-overload]
                            if not pending:
                                break
                            queue = iter(())  # no new fetch starts
                        done, not_done = wait(pending, return_when=FIRST_COMPLETED, timeout=1.0)
                        pending.intersection_update(not_done)
                        if processing and not done:
                            process_pool.wake()
                        for future in done:
                            if future in fetches:
                                source = fetches.pop(future)  # type: ignore[arg-type]
                                result: FetchResult = future.result()
                                job = process_job(ctx, source, result)
                                if job is not None:
                                    processed = _submit(process_pool.get(), job)
                                    processing[processed] = (source, result, job, process_pool.generation)
                                    pending.add(processed)
                                else:
                                    if not quiet:
                                        quiet_since = time.monotonic()
                                    quiet.append((source, result))
                            else:
                                source, result, job, generation = processing.pop(future)  # type: ignore[arg-type]
                                outcome = _outcome(future, job, process_pool, generation)
                                _finish(ctx, source, result, outcome, summary, progress)
                        if len(quiet) >= _RECORD_BATCH or (quiet and time.monotonic() - quiet_since >= _RECORD_WAIT):
                            _finish_quiet(ctx, quiet, summary, progress)
                        submit_fetches()
                finally:  # fetched and not yet recorded: record them even when the pass ends early
                    _finish_quiet(ctx, quiet, summary, progress)
    finally:
        fetcher.close()


class _Collected(PassSummary):
    """A PassSummary that also keeps each source's outcome (what a worker sends back)."""

    def __init__(self) -> None:
        super().__init__(started_at=datetime.now(UTC))
        self.outcomes: list[SourceOutcome] = []

    def add_source(self, done: SourceOutcome) -> None:
        super().add_source(done)
        self.outcomes.append(done)


def run_sources(ctx: Context, names: list[str], *, sent_at: datetime | None = None) -> list[SourceOutcome]:
    """Stages 1–3 for a batch of configured sources, as a local pass runs them (fetches on threads,
    304s recorded together), processing on this thread: the Celery executor's unit of work.

    ``sent_at`` is when the batch was first sent. A source whose fetch was recorded since then
    was done by an earlier try of this batch (its worker died before acknowledging it): it is
    reported from what that try stored, not fetched again (a 304 would count its entries as
    unchanged), so a pass reports the same numbers whether or not a worker died.
    """
    collected = _Collected()
    if not names:
        return collected.outcomes
    rows = source_store.sources_named(ctx.engine, names)
    since = sent_at or datetime.max.replace(tzinfo=UTC)
    earlier = [row for row in rows.values() if row.last_fetch_at is not None and row.last_fetch_at >= since]
    done = {row.name for row in earlier}
    todo = [name for name in names if name not in done]
    if todo:
        _ingest_sources(ctx, todo, rows, collected, None, pooled=False)
    for row in earlier:
        collected.add_source(recorded_outcome(ctx, row, since=since))
    return collected.outcomes


def recorded_outcome(ctx: Context, row: source_store.SourceRow, *, since: datetime) -> SourceOutcome:
    """The outcome an earlier try recorded for a source: its fetch's status, the copies it wrote since ``since``."""
    report = SourceReport(name=row.name, status=row.last_status or "ok", http_status=row.http_status,
                          error=row.last_error)
    done = SourceOutcome(report=report)
    if report.status != "ok":
        return done
    for article_id, outcome in article_store.copies_written_since(ctx.engine, row.name, since):
        if outcome in ("new", "updated"):
            done.changed_ids.append(article_id)
            done.new += outcome == "new"
            done.updated += outcome == "updated"
    report.new, report.updated = done.new, done.updated
    done.unchanged = max(0, row.entries_seen - done.new - done.updated)
    return done


def _in_flight_window(config: Config) -> int:
    """How many sources may be between "fetch submitted" and "recorded" at once."""
    workers = config.syndicate.process_workers or (os.cpu_count() or 1)
    return config.syndicate.fetch_workers + 2 * workers + 2


def _submit(pool: Executor | None, job: ProcessJob) -> Future[ProcessOutcome]:
    from syndicate.pipeline.process import process_feed

    if pool is not None:
        try:
            return pool.submit(process_feed, job)
        except BrokenProcessPool as exc:  # a worker died since: the job is retried, as in _outcome
            broken: Future[ProcessOutcome] = Future()
            broken.set_exception(exc)
            return broken
    future: Future[ProcessOutcome] = Future()
    try:
        future.set_result(process_feed(job))
    except Exception as exc:  # a bug in a stage: keep it to this source
        future.set_exception(exc)
    return future


def _outcome(future: Future[ProcessOutcome], job: ProcessJob, pool: _LazyPool, generation: int) -> ProcessOutcome:
    """The outcome of a processing job, whatever became of the process that ran it.

    A worker process that dies (the kernel's OOM killer, a crash in a C extension on some
    document) breaks the whole pool: every job in it fails with ``BrokenProcessPool``. Each such
    job runs again alone in a fresh pool; one that kills its worker a second time is that
    source's error, and the pass goes on. A bug in a stage is that source's error too.
    """
    try:
        return future.result()
    except BrokenProcessPool:
        pass
    except Exception as exc:  # a bug in a stage: keep it to this source
        return _crashed(job, exc)
    pool.reset(generation)  # unless an earlier job of that pool has replaced it already
    log.warning("%s: a worker process died; processing this source again alone", job.source.name)
    retry_generation = pool.generation
    try:
        return pool.result(_submit(pool.get(), job))
    except BrokenProcessPool:
        pool.reset(retry_generation)
        return _failed(job, "processing this document killed the worker process (twice)")
    except Exception as exc:
        return _crashed(job, exc)


def _crashed(job: ProcessJob, exc: Exception) -> ProcessOutcome:
    log.debug("processing %s failed", job.source.name, exc_info=exc)
    return _failed(job, f"internal error while processing: {type(exc).__name__}: {exc}")


def _failed(job: ProcessJob, error: str) -> ProcessOutcome:
    from syndicate.pipeline.process import ProcessOutcome

    return ProcessOutcome(source=job.source.name, feed=None, error=error)


class _LazyPool:
    """The process pool of a pass, started by the first document to process (a pass of 304s starts none)."""

    def __init__(self, workers: int, enabled: bool) -> None:
        self._workers = workers
        self._enabled = enabled
        self._pool: ProcessPoolExecutor | None = None
        self.generation = 0  # one more each time a broken pool is dropped

    def get(self) -> Executor | None:
        """The pool, or None when the pass processes on this thread."""
        if self._enabled and self._pool is None:
            context = get_context("forkserver")
            # the recognizer table (its rows read and expanded; each regex is compiled on first use) is
            # loaded once, in the fork server, and each worker forked from it starts with it
            context.set_forkserver_preload(["syndicate.attribution.notices"])
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self._pool

    def reset(self, generation: int) -> None:
        """Drop the pool of ``generation`` (broken): the next :meth:`get` starts a fresh one."""
        if generation != self.generation:
            return  # that pool was replaced already; the current one may be busy with other jobs
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.generation += 1

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def wake(self) -> None:
        """Make the pool's manager thread look at its worker processes again.

        Python 3.11's ``ProcessPoolExecutor.submit`` wakes that thread *before* it spawns a new
        worker, so a worker that dies just after it was spawned goes unseen until something else
        wakes the thread; when the job it took was the last one running, nothing does, and the
        pass waited for ever (seen under load in tests/reliability/test_worker_death.py). Woken,
        the thread sees the dead worker and fails the pool's jobs with ``BrokenProcessPool``,
        which :func:`_outcome` handles."""
        wakeup = getattr(self._pool, "_executor_manager_thread_wakeup", None)
        if wakeup is not None:
            wakeup.wakeup()

    def result(self, future: Future[ProcessOutcome]) -> ProcessOutcome:
        """``future.result()``, waking the manager thread every second while it waits (see :meth:`wake`)."""
        while True:
            try:
                return future.result(timeout=1.0)
            except FutureTimeout:
                self.wake()


@contextmanager
def _process_executor(config: Config, jobs: int) -> Iterator[_LazyPool]:
    workers = config.syndicate.process_workers or (os.cpu_count() or 1)
    pool = _LazyPool(workers, enabled=workers > 1 and jobs >= _POOL_THRESHOLD)
    try:
        yield pool
    finally:
        pool.shutdown()


def fetch_source(
    fetcher: Fetcher, config: Config, source: SourceConfig, row: source_store.SourceRow | None
) -> FetchResult:
    """Stage 1 (network): fetch one source with the validators the store remembers."""
    url = source_store.fetch_url(config, source, row)
    state = dataclasses.replace(row.state, url=url) if row else SourceState(name=source.name, url=url)
    path = config.source_path(source) if source.is_file else None
    started = time.time()
    result = fetcher.fetch(source, state, path=path)
    return result if result.fetched_at is not None else dataclasses.replace(result, fetched_at=started)


def fetch_started(result: FetchResult) -> datetime | None:
    """When the fetch behind ``result`` started, as the store's ``redo_after``."""
    return datetime.fromtimestamp(result.fetched_at, UTC) if result.fetched_at is not None else None


def process_job(ctx: Context, source: SourceConfig, result: FetchResult) -> ProcessJob | None:
    """What stage 2 (CPU) needs for a fetched document; None when there is nothing to parse."""
    if result.status != "ok" or result.body is None:
        return None
    from syndicate.pipeline.process import ProcessJob

    return ProcessJob(
        source=source,
        url=result.final_url or result.url,
        body=result.body,
        headers=result.headers,
        known=article_store.known_hashes(ctx.engine, source.name, redo_after=fetch_started(result)),
        now=datetime.now(UTC),
    )


@dataclass
class SourceOutcome:
    """What stage 3 did for one source: its report and the article counts (picklable)."""

    report: SourceReport
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    changed_ids: list[str] = field(default_factory=list)


def record_source(
    ctx: Context, source: SourceConfig, result: FetchResult, outcome: ProcessOutcome | None
) -> SourceOutcome:
    """Stage 3 (database), shared by every executor: record the fetch, ingest the entries, report.

    Idempotent: ingesting the same entries again changes nothing (copies are matched by GUID and
    raw hash), so a task redone after a lost worker is harmless.
    """
    now = datetime.now(UTC)
    report = _fetch_report(source, result)
    done = SourceOutcome(report=report)
    parse_error = outcome.error if outcome is not None else None
    if parse_error:
        report.status, report.error = "error", parse_error
    # the entries and the validators (ETag, Last-Modified) in one transaction (one commit): the
    # validators alone would make the next fetch a 304 that hides the entries
    with ctx.engine.begin() as conn:
        if outcome is not None and outcome.feed is not None:
            ingested = article_store.ingest(
                conn,
                source.name,
                outcome.entries,
                now,
                tombstones=outcome.feed.tombstones,
                redo_after=fetch_started(result),
            )
            report.new, report.updated = ingested.new, ingested.updated
            done.new, done.updated = ingested.new, ingested.updated
            done.unchanged = ingested.unchanged + outcome.skipped
            done.withdrawn = ingested.withdrawn
            done.changed_ids = list(ingested.changed_ids)
        source_store.record_fetch(
            conn,
            ctx.config,
            source,
            result,
            now,
            feed=outcome.feed if outcome else None,
            parse_error=parse_error,
            poll_hint=outcome.poll_hint if outcome else None,
        )
    if result.final_url and result.final_url != result.url:
        report.moved_to = result.final_url
    _log_source(report)
    return done


def _fetch_report(source: SourceConfig, result: FetchResult) -> SourceReport:
    return SourceReport(name=source.name, status=result.status, http_status=result.http_status, error=result.error)


def _finish_quiet(
    ctx: Context,
    batch: list[tuple[SourceConfig, FetchResult]],
    summary: PassSummary,
    progress: ProgressCallback | None,
) -> None:
    """:func:`record_source` for fetches with nothing to process, in one transaction (then ``batch`` is empty)."""
    if not batch:
        return
    source_store.record_fetches(ctx.engine, ctx.config, batch, datetime.now(UTC))
    for source, result in batch:
        report = _fetch_report(source, result)
        if result.final_url and result.final_url != result.url:
            report.moved_to = result.final_url
        _log_source(report)
        summary.add_source(SourceOutcome(report=report))
        if progress:
            progress(report)
    batch.clear()


def _finish(
    ctx: Context,
    source: SourceConfig,
    result: FetchResult,
    outcome: ProcessOutcome | None,
    summary: PassSummary,
    progress: ProgressCallback | None,
) -> None:
    done = record_source(ctx, source, result, outcome)
    summary.add_source(done)
    if progress:
        progress(done.report)


def _log_source(report: SourceReport) -> None:
    fields = {
        "ev_event": "fetch",
        "ev_source": report.name,
        "ev_status": report.status,
        "ev_http_status": report.http_status,
        "ev_new": report.new,
        "ev_updated": report.updated,
        "ev_error": report.error,
    }
    if report.status in ("error", "gone"):
        log.warning("%s: %s", report.name, report.error or report.status, extra=fields)
    else:
        log.info("%s: %s (%d new, %d updated)", report.name, report.status, report.new, report.updated, extra=fields)
