"""``syndicate worker``: a Celery worker for some or all of the stage queues.

Queues that only wait on the network (``fetch``, ``deliver``) run on a thread pool; any
queue with CPU work (``process``, ``render``) runs on a process pool (one process per core
by default). The configuration file is passed to every worker process through
``$SYNDICATE_CONFIG``.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence

from syndicate.distributed.app import CONFIG_ENV, QUEUES, configure
from syndicate.errors import ConfigError
from syndicate.pipeline.context import Context
from syndicate.redact import scrub

log = logging.getLogger("syndicate.worker")

IO_QUEUES = frozenset({"fetch", "deliver"})
THREADS_PER_CORE = 8  # network-bound queues: threads mostly wait


def parse_queues(text: str | Sequence[str] | None) -> list[str]:
    """``"fetch,deliver"`` → ["fetch", "deliver"]; None → every queue. Unknown names are a ConfigError."""
    if text is None:
        return list(QUEUES)
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [q.strip() for q in items if q.strip()]
    unknown = [q for q in names if q not in QUEUES]
    if unknown or not names:
        raise ConfigError(f"--queues: unknown queue {unknown[0]!r}" if unknown else "--queues: no queue named")
    return list(dict.fromkeys(names))


def pool_for(queues: Sequence[str], concurrency: int | None) -> tuple[str, int]:
    """The worker pool and its size for these queues (pure)."""
    cores = os.cpu_count() or 1
    if set(queues) <= IO_QUEUES:
        return "threads", concurrency or cores * THREADS_PER_CORE
    return "prefork", concurrency or cores


def worker_argv(queues: Sequence[str], concurrency: int | None, *, loglevel: str = "WARNING") -> list[str]:
    pool, size = pool_for(queues, concurrency)
    return [
        "--quiet",
        "worker",
        f"--queues={','.join(queues)}",
        f"--pool={pool}",
        f"--concurrency={size}",
        f"--hostname=syndicate-{os.getpid()}@{socket.gethostname()}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]


def start_worker(ctx: Context, *, concurrency: int | None = None, queues: str | Sequence[str] | None = None) -> None:
    """Run a worker in the foreground until SIGTERM/SIGINT (a warm shutdown: tasks in hand finish)."""
    config = ctx.config
    names = parse_queues(queues)
    os.environ[CONFIG_ENV] = str(config.path.resolve())
    app = configure(config)
    ctx.close()  # the worker processes open their own connections
    argv = worker_argv(names, concurrency)
    pool, size = pool_for(names, concurrency)
    log.warning("worker starting: queues %s, %s pool of %d, broker %s", ",".join(names), pool, size,
                scrub(str(app.conf.broker_url).split("@")[-1]))
    app.worker_main(argv)
