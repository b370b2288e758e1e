"""Real PostgreSQL, Redis, workers and schedulers for the scale-out tests.

The fixtures turn a missing service into a skip outside CI and a failure in CI (tests/helpers/services.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.services import ServiceUnavailable

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO.parent / "shared" / "tools"
PG_HOST = os.environ.get("SYNDICATE_TEST_PGHOST", "127.0.0.1")
PG_PORT = int(os.environ.get("SYNDICATE_TEST_PGPORT", "5432"))
PG_USERS = [u for u in (os.environ.get("SYNDICATE_TEST_PGUSER"), "postgres", "root") if u]
REDIS_HOST = os.environ.get("SYNDICATE_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("SYNDICATE_TEST_REDIS_PORT", "6379"))
LOCK_KEY = "syndicate-test:db-in-use"
AMQP_HOST = os.environ.get("SYNDICATE_TEST_AMQP_HOST", "127.0.0.1")
AMQP_PORT = int(os.environ.get("SYNDICATE_TEST_AMQP_PORT", "5672"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def pg_admin() -> tuple[Any, str] | None:
    """An autocommit admin connection and the user it logged in as; None when PostgreSQL is not there."""
    if not _reachable(PG_HOST, PG_PORT):
        return None
    import psycopg

    for user in PG_USERS:
        try:
            conn = psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", autocommit=True,
                                   connect_timeout=3)
            return conn, user
        except psycopg.Error:
            continue
    return None


def create_database() -> tuple[str, Callable[[], None]] | None:
    """A fresh database ``syn_test_<random>``: its SQLAlchemy URL and a function that drops it."""
    admin = pg_admin()
    if admin is None:
        return None
    conn, user = admin
    name = f"syn_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        try:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()

    return f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}", drop


def reserve_redis_db() -> tuple[str, Callable[[], None]] | None:
    """A Redis database (1–15) no other test uses now, emptied; its URL and a release function."""
    if not _reachable(REDIS_HOST, REDIS_PORT):
        return None
    import redis

    token = uuid.uuid4().hex
    for index in range(1, 16):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=index)
        try:
            if not client.set(LOCK_KEY, token, nx=True, ex=900):
                client.close()
                continue
        except redis.RedisError:
            client.close()
            return None
        for key in client.scan_iter():
            if key != LOCK_KEY.encode():
                client.delete(key)

        def release(client: Any = client) -> None:
            try:
                client.flushdb()
            finally:
                client.close()

        return f"redis://{REDIS_HOST}:{REDIS_PORT}/{index}", release
    return None


def reserve_rabbitmq_vhost() -> tuple[str, Callable[[], None]] | None:
    """A fresh RabbitMQ virtual host of its own (``rabbitmqctl``, as root): its AMQP URL and a function
    that deletes it. Queues, exchanges and the workers' remote control live in a vhost, so tests that
    run at the same time never see each other's messages or workers. None when RabbitMQ is not there."""
    import shutil

    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None or not _reachable(AMQP_HOST, AMQP_PORT):
        return None
    name = f"syn_test_{uuid.uuid4().hex[:10]}"
    for command in (["add_vhost", name], ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"]):
        done = subprocess.run([rabbitmqctl, "-q", *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            return None

    def release() -> None:  # in the background: deleting a vhost takes rabbitmqctl a few seconds
        subprocess.Popen([rabbitmqctl, "-q", "delete_vhost", name], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)

    return f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/{name}", release


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def syndicate(*args: str, config: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "syndicate", *args, "--config", str(config)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env(), cwd=REPO)


def _own_group_dies_with_us() -> None:
    """In the child: a process group of its own, and SIGKILL when the test process dies (Linux)."""
    os.setsid()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def spawn(*args: str, config: Path, log: Path) -> subprocess.Popen[bytes]:
    """A long-running ``syndicate`` command in its own process group (so SIGKILL takes all of it).

    It is killed with the test process too, should the test be aborted before its cleanup.
    """
    handle = log.open("wb")
    command = [sys.executable, "-m", "syndicate", *args, "--config", str(config)]
    return subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env(), cwd=REPO,
                            preexec_fn=_own_group_dies_with_us)


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process and its children (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.2) -> Any:
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def workers_answering(config: Path) -> int:
    """How many workers answer a ping on ``config``'s broker.

    A Celery app of its own each time: the process-wide one keeps the connection pool of the
    first broker it used, and an earlier test in this process may have used another database."""
    from celery import Celery

    from syndicate.config import load_config
    from syndicate.distributed.app import celery_settings

    app = Celery("ping", set_as_current=False)
    app.conf.update(celery_settings(load_config(config)))
    try:
        return len(app.control.ping(timeout=1.0) or [])
    except Exception:
        return 0
    finally:
        app.close()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def wordpress() -> dict[str, str]:
    """A real WordPress (../shared/tools/wordpress-up.sh): WP_URL, WP_USER, WP_APP_PASSWORD.

    Raises ServiceUnavailable, saying why, when it cannot be had."""
    script = TOOLS / "wordpress-up.sh"
    if not script.is_file():
        raise ServiceUnavailable(f"{script} is absent (../shared/tools starts it; CI has it)")
    try:
        out = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise ServiceUnavailable(f"{script.name} did not finish in 900s") from None
    if out.returncode != 0:
        tail = " | ".join(out.stderr.strip().splitlines()[-3:])
        raise ServiceUnavailable(f"{script.name} failed (rc={out.returncode}): {tail}")
    values: dict[str, str] = {}
    for line in out.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            values[key] = value.strip().strip("'\"")
    if not all(k in values for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD")):
        raise ServiceUnavailable(f"{script.name} printed no WP_URL/WP_USER/WP_APP_PASSWORD")
    return values
