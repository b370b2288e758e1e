"""CI smoke run of one extra installed alone: ``syndicate`` from a clean virtual environment against the
real services (run by ``.ci/run`` with the test environment's Python; the syndicate under test is the
clean environment's).

    .venv/bin/python -m tests.distributed.extras_smoke postgres .venv-postgres
    .venv/bin/python -m tests.distributed.extras_smoke celery .venv-celery

``postgres``: ``syndicate sync`` of a small farm into a fresh PostgreSQL database. ``celery``: the
same with ``executor = "celery"`` and one ``syndicate worker``, on RabbitMQ and on Redis. Each
checks the pass's summary and the stored articles; the exit code is non-zero with the reason
on the first failure. The clean environment's processes get no PYTHONPATH: they import only what
the extra installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.distributed.farm import FeedFarm
from tests.distributed.services import (
    create_database,
    reserve_rabbitmq_vhost,
    reserve_redis_db,
    wait_for,
    workers_answering,
)

FEEDS, ENTRIES = 10, 3


class SmokeFailure(Exception):
    pass


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "syndicate"), *args], capture_output=True, text=True, timeout=300,
                          env=_clean_env(), cwd=cwd)


def _config(directory: Path, farm: FeedFarm, database: str, broker: str | None) -> Path:
    executor = f'executor = "celery"\nbroker = "{broker}"\n' if broker else ""
    path = directory / "syndicate.toml"
    path.write_text(f"""[syndicate]
feeds_dir = "feeds"
database = "{database}"
allow_private_networks = true
deadline = "10s"
{executor}
[[output]]
name = "all"
""" + farm.sources_toml(), encoding="utf-8")
    return path


def _sync_and_check(venv: Path, config: Path, what: str) -> None:
    done = _run(venv, "sync", "--json", "--config", str(config), cwd=config.parent)
    if done.returncode != 0:
        raise SmokeFailure(f"{what}: syndicate sync exited {done.returncode}: {done.stderr.strip()[-500:]}")
    summary = json.loads(done.stdout)
    if summary["sources"] != {"fetched": FEEDS, "not_modified": 0, "failed": 0}:
        raise SmokeFailure(f"{what}: unexpected sources summary {summary['sources']}")
    listed = _run(venv, "articles", "--json", "--config", str(config), cwd=config.parent)
    count = len([line for line in listed.stdout.splitlines() if line.strip()])
    if listed.returncode != 0 or count != FEEDS * ENTRIES:
        raise SmokeFailure(f"{what}: {count} articles stored, expected {FEEDS * ENTRIES}: {listed.stderr[-300:]}")
    print(f"ok   {what}: {FEEDS} feeds, {count} articles", flush=True)


def _with_database(check: Callable[[str], None]) -> None:
    made = create_database()
    if made is None:
        raise SmokeFailure("PostgreSQL is not reachable on 127.0.0.1:5432")
    try:
        check(made[0])
    finally:
        made[1]()


def smoke_postgres(venv: Path, tmp: Path) -> None:
    def check(database: str) -> None:
        farm = FeedFarm(FEEDS, ENTRIES, token="extra-pg")
        try:
            _sync_and_check(venv, _config(tmp, farm, database, None), "postgres")
        finally:
            farm.close()

    _with_database(check)


def smoke_celery(venv: Path, tmp: Path) -> None:
    for kind, reserve in (("amqp", reserve_rabbitmq_vhost), ("redis", reserve_redis_db)):
        reserved = reserve()
        if reserved is None:
            raise SmokeFailure(f"celery: the {kind} broker is not reachable on 127.0.0.1")
        broker, release = reserved
        directory = tmp / kind
        directory.mkdir()
        try:
            _with_database(lambda database, kind=kind, broker=broker, directory=directory: _celery_pass(
                venv, directory, database, broker, kind))
        finally:
            release()


def _celery_pass(venv: Path, directory: Path, database: str, broker: str, kind: str) -> None:
    farm = FeedFarm(FEEDS, ENTRIES, token=f"extra-{kind}")
    config = _config(directory, farm, database, broker)
    upgraded = _run(venv, "db", "upgrade", "--config", str(config), cwd=directory)
    if upgraded.returncode != 0:
        raise SmokeFailure(f"celery/{kind}: syndicate db upgrade: {upgraded.stderr.strip()[-300:]}")
    log = (directory / "worker.log").open("wb")
    worker = subprocess.Popen([str(venv / "bin" / "syndicate"), "worker", "--concurrency", "1", "--config",
                               str(config)], stdout=log, stderr=subprocess.STDOUT, env=_clean_env(), cwd=directory,
                              start_new_session=True)
    try:
        def answering() -> bool:
            if worker.poll() is not None:
                raise SmokeFailure(f"celery/{kind}: the worker exited {worker.returncode}: "
                                   f"{(directory / 'worker.log').read_text(errors='replace')[-500:]}")
            return workers_answering(config) >= 1

        wait_for(answering, timeout=90, what="the worker to answer")
        _sync_and_check(venv, config, f"celery/{kind}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()
        farm.close()


SMOKES = {"postgres": smoke_postgres, "celery": smoke_celery}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in SMOKES:
        print(f"usage: python -m tests.distributed.extras_smoke {{{','.join(SMOKES)}}} VENV", file=sys.stderr)
        return 2
    extra, venv = argv[0], Path(argv[1]).resolve()
    try:
        with tempfile.TemporaryDirectory(prefix=f"syndicate-extra-{extra}-") as tmp:
            SMOKES[extra](venv, Path(tmp))
    except (SmokeFailure, AssertionError) as exc:
        print(f"FAIL extra [{extra}] in a clean environment: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
