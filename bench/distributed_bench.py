"""Benchmark: one cold pass with the local executor (SQLite) and one with Celery workers (PostgreSQL +
a broker), on one feed farm, in one run: wall and CPU of every process of each mode.

    .venv/bin/python bench/distributed_bench.py [--feeds 300] [--entries 20] [--workers 2] [--rounds 3]
                                                [--broker amqp|redis] [--kill-after SECONDS]

The farm is bench/feedfarm.py (a copy of the shared tool) in a subprocess, or with ``--farm tests``
the scale-out tests' farm (tests/distributed/farm.py: small RSS items, in this process). Each round runs the
two modes one after the other (alternating which goes first), each into an empty database:

* ``local``  — ``syndicate sync --json`` with ``executor = "local"`` on SQLite: its CPU is the
  process tree's (the sync, its forkserver and process-pool workers);
* ``celery`` — ``--workers`` × ``syndicate worker --concurrency 1`` started and answering
  before the pass (not timed), then ``syndicate sync --json`` with ``executor = "celery"``:
  its CPU is the sync's process tree plus what the workers' process trees (the worker, its pool
  processes) used during the pass. The PostgreSQL backends serving this database are sampled
  from /proc too and shown on their own (SQLite's work is inside the local sync's CPU).

``--kill-after S`` adds a third pass to each round: celery again, with the first worker (and its
pool) SIGKILLed S seconds after the sync started; it prints how much longer it took than the clean one.
Each celery round gets a fresh PostgreSQL database and a fresh RabbitMQ vhost (or Redis
database). Both passes must store the same articles (compared as ``syndicate articles --json``).
Needs PostgreSQL on 127.0.0.1:5432 and RabbitMQ on 127.0.0.1:5672 (or Redis, ``--broker redis``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import CLK_TCK, FarmProcess, TreeSampler, precompile_project, settle  # noqa: E402

from tests.distributed.farm import FeedFarm  # noqa: E402
from tests.distributed.services import (  # noqa: E402
    create_database,
    env,
    kill,
    pg_admin,
    reserve_rabbitmq_vhost,
    reserve_redis_db,
    spawn,
    wait_for,
    workers_answering,
)


@dataclass
class PassCost:
    mode: str
    wall: float
    cpu: float  # every syndicate process: the sync's tree (+ the workers' trees, during the pass)
    database_cpu: float = 0.0  # PostgreSQL backends serving the pass (0 for SQLite: it is in `cpu`)
    articles: int = 0
    ok: bool = True
    note: str = ""


def write_config(directory: Path, farm: Any, database: str, broker: str | None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    executor = f'executor = "celery"\nbroker = "{broker}"\n' if broker else ""
    lines = [
        "[syndicate]",
        'feeds_dir = "feeds"',
        f'database = "{database}"',
        executor,
        "allow_private_networks = true",
        "per_host = 8",
        "fetch_workers = 8",
        'interval = "1d"',
        "jitter = 0",
        'deadline = "20s"',
        "",
        "[[output]]",
        'name = "all"',
        "",
    ]
    for i in range(farm.feeds):
        lines += ["[[source]]", f'name = "farm-{i:04d}"', f'url = "{farm.url(i)}"', ""]
    path = directory / "syndicate.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a live process and its live descendants, their reaped children included."""
    from run import _tree

    total = 0.0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/stat", "rb") as fh:
                fields = fh.read().decode("ascii", "replace").rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / CLK_TCK  # utime, stime, cutime, cstime
    return total


class BackendSampler(threading.Thread):
    """The CPU of the PostgreSQL backends connected to one database, sampled from /proc."""

    def __init__(self, database: str, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.database, self.interval = database, interval
        self.cpu: dict[int, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        admin = pg_admin()
        if admin is None:
            return
        conn = admin[0]
        try:
            while not self._stop_event.is_set():
                pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                   (self.database,))]
                for pid in pids:
                    try:
                        with open(f"/proc/{pid}/stat", "rb") as fh:
                            fields = fh.read().decode("ascii", "replace").rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / CLK_TCK)
                self._stop_event.wait(self.interval)
        finally:
            conn.close()

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return sum(self.cpu.values())


def timed_sync(config: Path, *, on_start: Any = None) -> tuple[float, float, str, str, int]:
    """Run ``syndicate sync --json``: wall, CPU of its process tree, stdout, stderr, exit code."""
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "syndicate", "sync", "--json", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), cwd=REPO)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    if on_start is not None:
        on_start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    after = os.times()
    reaped = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, max(reaped, sum(sampler.cpu.values())), out.decode(), err.decode(), proc.returncode


def stored_articles(config: Path) -> dict[str, Any]:
    listed = subprocess.run([sys.executable, "-m", "syndicate", "articles", "--json", "--config", str(config)],
                            capture_output=True, text=True, env=env(), cwd=REPO, check=True)
    return {a["id"]: a for a in (json.loads(line) for line in listed.stdout.splitlines() if line.strip())}


def run_local(farm: Any, base: Path) -> tuple[PassCost, dict[str, Any]]:
    config = write_config(base, farm, f"sqlite:///{base / 'syndicate.db'}", None)
    settle()
    wall, cpu, _out, err, code = timed_sync(config)
    note = "" if code == 0 else f"exit {code}: {err.strip().splitlines()[-1:] }"
    found = stored_articles(config)
    return PassCost("local", wall, cpu, articles=len(found), ok=code == 0, note=note), found


@contextmanager
def broker_for(kind: str) -> Iterator[str]:
    reserved = reserve_rabbitmq_vhost() if kind == "amqp" else reserve_redis_db()
    if reserved is None:
        sys.exit(f"distributed_bench: the {kind} broker is not reachable on 127.0.0.1")
    try:
        yield reserved[0]
    finally:
        reserved[1]()


def run_celery(farm: Any, base: Path, args: argparse.Namespace, kill_after: float | None = None,
               ) -> tuple[PassCost, dict[str, Any]]:
    made = create_database()
    if made is None:
        sys.exit("distributed_bench: PostgreSQL is not reachable on 127.0.0.1:5432")
    database, drop = made
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with broker_for(args.broker) as broker:
            config = write_config(base, farm, database, broker)
            subprocess.run([sys.executable, "-m", "syndicate", "db", "upgrade", "--config", str(config)],
                           env=env(), cwd=REPO, check=True, capture_output=True)
            workers = [spawn("worker", "--concurrency", "1", config=config, log=base / f"worker{i}.log")
                       for i in range(args.workers)]
            wait_for(lambda: workers_answering(config) >= args.workers, timeout=120, what="the workers")
            settle()
            worker_before = [_tree_cpu(w.pid) for w in workers]
            backends = BackendSampler(database.rsplit("/", 1)[1])
            backends.start()
            killed: list[float] = []

            def kill_one_later() -> None:
                if kill_after is None:
                    return

                def later() -> None:
                    time.sleep(kill_after)
                    killed.append(_tree_cpu(workers[0].pid))  # what it used until it died counts too
                    kill(workers[0], signal.SIGKILL)

                threading.Thread(target=later, daemon=True).start()

            wall, cpu, _out, err, code = timed_sync(config, on_start=kill_one_later)
            database_cpu = backends.stop()
            worker_cpu = 0.0
            for index, (worker, before) in enumerate(zip(workers, worker_before, strict=True)):
                now = killed[0] if index == 0 and killed else _tree_cpu(worker.pid)
                worker_cpu += now - before
            note = f"(sync {cpu:.2f} s, workers {worker_cpu:.2f} s)"
            if code != 0:
                note += f" exit {code}: {err.strip().splitlines()[-1:]}"
            found = stored_articles(config)
            for worker in workers:
                kill(worker, signal.SIGTERM)
            label = f"celery/{args.broker}" + ("+kill" if kill_after is not None else "")
            cost = PassCost(label, wall, cpu + worker_cpu, database_cpu, len(found), code == 0, note)
            return cost, found
    finally:
        for worker in workers:
            kill(worker, signal.SIGKILL)
        from sqlalchemy import create_engine

        create_engine(database).dispose()
        drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--broker", choices=["amqp", "redis"], default="amqp")
    parser.add_argument("--farm", choices=["bench", "tests"], default="bench",
                        help="bench/feedfarm.py (mixed formats, rich entries) or the tests' small RSS farm")
    parser.add_argument("--kill-after", type=float, default=None, help="SIGKILL one worker this long into the pass")
    args = parser.parse_args()
    precompile_project()
    print(f"{args.farm} farm: {args.feeds} feeds x {args.entries} entries; {args.workers} workers; "
          f"broker {args.broker}; {os.cpu_count()} CPUs", flush=True)
    farm: Any = FarmProcess(args.feeds, args.entries) if args.farm == "bench" else FeedFarm(args.feeds, args.entries)
    results: list[PassCost] = []
    same = True
    try:
        for round_ in range(args.rounds):
            order = ["local", "celery"] if round_ % 2 == 0 else ["celery", "local"]
            if args.kill_after is not None:
                order.append("killed")
            found: dict[str, dict[str, Any]] = {}
            for mode in order:
                with tempfile.TemporaryDirectory(prefix=f"syndicate-dbench-{mode}-") as tmp:
                    if mode == "local":
                        cost, found[mode] = run_local(farm, Path(tmp))
                    else:
                        kill_after = args.kill_after if mode == "killed" else None
                        cost, found[mode] = run_celery(farm, Path(tmp), args, kill_after)
                results.append(cost)
                print(f"  round {round_ + 1} {cost.mode:<17} wall {cost.wall:6.2f} s  CPU {cost.cpu:6.2f} s  "
                      f"+ PostgreSQL {cost.database_cpu:5.2f} s  articles {cost.articles}  {cost.note}", flush=True)
            for mode in order[1:]:
                if found[mode] != found[order[0]]:
                    same = False
                    print(f"  round {round_ + 1}: the articles of {mode} and {order[0]} DIFFER "
                          f"({len(found[mode].keys() ^ found[order[0]].keys())} ids not in both)", flush=True)
    finally:
        farm.close()
    local = [r for r in results if r.mode == "local"]
    celery = [r for r in results if r.mode.startswith("celery") and not r.mode.endswith("+kill")]
    killed = [r for r in results if r.mode.endswith("+kill")]
    print(f"\n{'mode':<14} {'wall s':>8} {'CPU s':>8} {'+PG s':>7}   (medians of {args.rounds})")
    for rows in (local, celery):
        print(f"{rows[0].mode:<14} {statistics.median(r.wall for r in rows):>8.2f} "
              f"{statistics.median(r.cpu for r in rows):>8.2f} {statistics.median(r.database_cpu for r in rows):>7.2f}")
    pairs = list(zip(local, celery, strict=True))
    wall_ratio = statistics.median(c.wall / max(lo.wall, 1e-9) for lo, c in pairs)
    cpu_ratio = statistics.median(c.cpu / max(lo.cpu, 1e-9) for lo, c in pairs)
    all_ratio = statistics.median((c.cpu + c.database_cpu) / max(lo.cpu, 1e-9) for lo, c in pairs)
    print(f"celery / local: wall {wall_ratio:.2f}x, CPU {cpu_ratio:.2f}x "
          f"(with the PostgreSQL backends {all_ratio:.2f}x); articles identical: {same}")
    if killed:
        extra = statistics.median(k.wall - c.wall for c, k in zip(celery, killed, strict=True))
        print(f"a worker SIGKILLed {args.kill_after:g} s in: the pass took {extra:+.1f} s against the clean one")
    return 0 if same and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
