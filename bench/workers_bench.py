"""Benchmark: a pass on 1, 2 and 4 Celery workers (PostgreSQL + Redis), and what each task costs.

    .venv/bin/python bench/workers_bench.py [--feeds 300] [--entries 5] [--workers 1,2,4] [--targets 4]

1. Throughput: for each worker count, a fresh PostgreSQL database and Redis database, a feed
   farm on 127.0.0.1 (FEEDS feeds × ENTRIES entries, every tenth republishing a story of the
   feed before it), TARGETS webhook targets (each takes a share of the sources) on a local
   receiver, and K ``syndicate worker --concurrency 1`` processes (every queue). One
   ``run_pass_on_workers`` pass (what ``syndicate sync`` runs) is timed: feeds/s and entries/s
   over the sources phase (fetch → process → ingest), deliveries/s over the deliver phase.
2. Per-task costs, measured in this process, one at a time, on PostgreSQL: a ``sources`` task
   (what the workers run: one batch, cold then all 304s; per source), then its parts: fetch, process
   (parse + normalize), ingest (record the fetch + store the entries), deliver (one webhook
   post with its ledger claim and record) — wall milliseconds and SQL statements per task,
   the numbers docs/scale-out.md uses to say where PostgreSQL becomes the bottleneck.

Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (as the tests do).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, event  # noqa: E402

from syndicate.config import load_config  # noqa: E402
from syndicate.pipeline.context import Context  # noqa: E402
from tests.distributed.farm import FeedFarm  # noqa: E402
from tests.distributed.receiver import WebhookReceiver  # noqa: E402
from tests.distributed.services import (  # noqa: E402
    create_database,
    kill,
    reserve_redis_db,
    spawn,
    wait_for,
    workers_answering,
)


@dataclass
class Throughput:
    workers: int
    feeds: int
    entries: int
    deliveries: int
    sources_s: float
    render_deliver_s: float
    total_s: float


def write_config(directory: Path, farm: FeedFarm, database: str, broker: str, hook: str, targets: int) -> Path:
    text = f"""[syndicate]
feeds_dir = "feeds"
database = "{database}"
executor = "celery"
broker = "{broker}"
allow_private_networks = true
deadline = "20s"

[[output]]
name = "all"
limit = 200
"""
    for index in range(targets):
        patterns = ", ".join(f'"f*{digit}"' for digit in range(10) if digit % targets == index)
        text += f"""
[[target]]
name = "hook{index}"
type = "webhook"
url = "{hook}"
sources = [{patterns}]
backfill = 1000000
"""
    text += farm.sources_toml()
    path = directory / "syndicate.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def services() -> Iterator[tuple[str, str]]:
    made, reserved = create_database(), reserve_redis_db()
    if made is None or reserved is None:
        sys.exit("workers_bench: needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    try:
        yield made[0], reserved[0]
    finally:
        reserved[1]()
        from sqlalchemy import create_engine

        create_engine(made[0]).dispose()
        made[1]()


def throughput(workers: int, feeds: int, entries: int, targets: int) -> Throughput:
    from syndicate.distributed.client import run_pass_on_workers

    farm = FeedFarm(feeds, entries, token=f"bench{workers}")
    receiver = WebhookReceiver()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with services() as (database, broker), tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp), farm, database, broker, receiver.url, targets)
            ctx = Context.open(config=load_config(config))
            procs = [
                spawn("worker", "--concurrency", "1", config=config, log=Path(tmp) / f"w{i}.log")
                for i in range(workers)
            ]
            wait_for(lambda: workers_answering(config) >= workers, timeout=120, what=f"{workers} workers")
            finished: list[float] = []
            start = time.perf_counter()
            summary = run_pass_on_workers(ctx, progress=lambda _r: finished.append(time.perf_counter()))
            total = time.perf_counter() - start
            sources_s = (max(finished) - start) if finished else total
            delivered = summary.deliveries.delivered if summary.deliveries is not None else 0
            result = Throughput(workers, summary.count("ok"), summary.new + summary.updated + summary.unchanged,
                                delivered, sources_s, total - sources_s, total)
            for proc in procs:
                kill(proc, signal.SIGTERM)
            ctx.close()
            return result
    finally:
        for proc in procs:
            kill(proc, signal.SIGKILL)
        farm.close()
        receiver.close()


# -- per-task costs --------------------------------------------------------------------------


@dataclass
class TaskCost:
    name: str
    calls: int
    ms_mean: float
    ms_p90: float
    statements: float  # SQL statements per call


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *_args: Any) -> None:
        self.count += 1


def measure(name: str, calls: list[Callable[[], Any]], counter: StatementCounter) -> TaskCost:
    times: list[float] = []
    before = counter.count
    for call in calls:
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return TaskCost(name, len(calls), statistics.fmean(times), times[int(len(times) * 0.9) - 1] if times else 0.0,
                    (counter.count - before) / max(1, len(calls)))


def task_costs(feeds: int, entries: int) -> list[TaskCost]:
    from syndicate import crosspost as xp
    from syndicate.distributed.client import batches
    from syndicate.fetch import Fetcher
    from syndicate.pipeline.passes import fetch_source, process_job, record_source, run_sources, select_sources
    from syndicate.pipeline.process import process_feed

    farm = FeedFarm(feeds, entries, token="cost")
    receiver = WebhookReceiver()
    try:
        with services() as (database, broker), tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp), farm, database, broker, receiver.url, 1)
            ctx = Context.open(config=load_config(config))
            counter = StatementCounter(ctx.engine)
            xp.plan(ctx.engine, ctx.config, now=datetime.now(UTC))  # register the target first
            names, rows = select_sources(ctx, datetime.now(UTC))
            sources = [ctx.config.source_by_name(n) for n in names]
            fetcher = Fetcher(ctx.config.syndicate)
            fetched: dict[str, Any] = {}
            processed: dict[str, Any] = {}
            def fetch_one(source: Any) -> Callable[[], None]:
                return lambda: fetched.__setitem__(
                    source.name, fetch_source(fetcher, ctx.config, source, rows.get(source.name))
                )

            def process_one(source: Any) -> Callable[[], None]:
                job = process_job(ctx, source, fetched[source.name])
                return lambda: processed.__setitem__(source.name, process_feed(job) if job else None)

            def ingest_one(source: Any) -> Callable[[], Any]:
                return lambda: record_source(ctx, source, fetched[source.name], processed[source.name])

            batch = batches(names)[0]
            cold = measure(f"sources task ({len(batch)} sources, cold)", [lambda: run_sources(ctx, batch)], counter)
            costs = [dataclasses.replace(cold, calls=len(batch), ms_mean=cold.ms_mean / len(batch),
                                         ms_p90=float("nan"), statements=cold.statements / len(batch))]
            again = measure("sources task (same, all 304)", [lambda: run_sources(ctx, batch)], counter)
            costs.append(dataclasses.replace(again, calls=len(batch), ms_mean=again.ms_mean / len(batch),
                                             ms_p90=float("nan"), statements=again.statements / len(batch)))
            names = names[len(batch):]
            sources = [ctx.config.source_by_name(n) for n in names]
            costs.append(measure("fetch", [fetch_one(s) for s in sources], counter))
            costs.append(measure("process (parse+normalize)", [process_one(s) for s in sources], counter))
            costs.append(measure("ingest (record+store)", [ingest_one(s) for s in sources], counter))
            xp.plan(ctx.engine, ctx.config, now=datetime.now(UTC))
            due = xp.deliver(ctx.engine, ctx.config, now=datetime.now(UTC), dry_run=True).pending
            before, t = counter.count, time.perf_counter()
            done = xp.deliver(ctx.engine, ctx.config, now=datetime.now(UTC))
            elapsed = (time.perf_counter() - t) * 1000
            sent = max(1, done.delivered)
            costs.append(TaskCost(f"deliver (webhook, {due} due)", sent, elapsed / sent, float("nan"),
                                  (counter.count - before) / sent))
            fetcher.close()
            ctx.close()
            return costs
    finally:
        farm.close()
        receiver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--entries", type=int, default=5)
    parser.add_argument("--workers", default="1,2,4", help="worker counts for the throughput part ('' = skip it)")
    parser.add_argument("--targets", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("syndicate").setLevel(logging.ERROR)
    print(f"feed farm: {args.feeds} feeds x {args.entries} entries, {args.targets} webhook targets")
    print(f"{'workers':>7} {'feeds/s':>8} {'entries/s':>10} {'deliveries/s':>13} {'sources s':>10} "
          f"{'render+deliver s':>17} {'total s':>8}")
    for count in (int(n) for n in args.workers.split(",") if n.strip()):
        r = throughput(count, args.feeds, args.entries, args.targets)
        print(f"{r.workers:>7} {r.feeds / r.sources_s:>8.1f} {r.entries / r.sources_s:>10.1f} "
              f"{r.deliveries / max(r.render_deliver_s, 1e-9):>13.1f} {r.sources_s:>10.2f} "
              f"{r.render_deliver_s:>17.2f} {r.total_s:>8.2f}", flush=True)
    print("\nper-task cost (one at a time, PostgreSQL on this machine)")
    print(f"{'task':<34} {'calls':>6} {'ms mean':>8} {'ms p90':>7} {'SQL/task':>9}")
    for cost in task_costs(min(args.feeds, 100), args.entries):
        print(f"{cost.name:<34} {cost.calls:>6} {cost.ms_mean:>8.2f} {cost.ms_p90:>7.2f} {cost.statements:>9.1f}")


if __name__ == "__main__":
    main()
