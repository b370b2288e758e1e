"""What a worker process keeps between tasks: the configuration, the database engine, a fetcher.

Opened on the first task in each process (after the fork), from the configuration file named
by ``$SYNDICATE_CONFIG`` (set by :func:`syndicate.distributed.worker.start_worker`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from syndicate.config import load_config
from syndicate.distributed.app import CONFIG_ENV
from syndicate.fetch import Fetcher
from syndicate.pipeline.context import Context


@dataclass
class WorkerRuntime:
    ctx: Context
    fetcher: Fetcher
    pid: int


_lock = threading.Lock()
_runtime: WorkerRuntime | None = None


def runtime() -> WorkerRuntime:
    """This process's runtime, opened once (thread-safe; re-opened after a fork)."""
    global _runtime
    current = _runtime
    if current is not None and current.pid == os.getpid():
        return current
    with _lock:
        if _runtime is None or _runtime.pid != os.getpid():
            config = load_config(os.environ.get(CONFIG_ENV) or None)
            ctx = Context.open(config=config)
            _runtime = WorkerRuntime(ctx=ctx, fetcher=Fetcher(config.syndicate), pid=os.getpid())
        return _runtime


def close_runtime() -> None:
    global _runtime
    with _lock:
        if _runtime is not None and _runtime.pid == os.getpid():
            _runtime.fetcher.close()
            _runtime.ctx.close()
        _runtime = None
