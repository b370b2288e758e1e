"""Running the feed app under waitress: in the foreground, or in a thread for the daemon."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

import waitress
from waitress.server import create_server

IDENT = "syndicate"
THREADS = 8
STOP_TIMEOUT = 5.0

WSGIApp = Callable[..., Iterable[bytes]]


def serve(app: WSGIApp, host: str, port: int) -> None:
    """Serve ``app`` until interrupted (blocks)."""
    waitress.serve(app, host=host, port=port, threads=THREADS, ident=IDENT)


class ServerHandle:
    """A waitress server running in a background thread; ``port`` is the port it really listens on."""

    def __init__(self, app: WSGIApp, host: str, port: int, *, threads: int = THREADS):
        self._map: dict[Any, Any] = {}
        self._server = create_server(app, map=self._map, host=host, port=port, threads=threads, ident=IDENT)
        self.host: str = host
        self.port: int = int(self._server.effective_port)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"syndicate-serve-{self.port}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def _run(self) -> None:
        server = self._server
        try:
            while not self._stopping.is_set():
                server.asyncore.loop(timeout=0.5, map=self._map, use_poll=server.adj.asyncore_use_poll, count=1)
        finally:
            for dispatcher in list(self._map.values()):  # the listener, the trigger and open channels
                with suppress(OSError):
                    dispatcher.close()
            server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        """Stop listening, close connections and wait for the worker threads (idempotent)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with suppress(OSError, AttributeError):
            self._server.pull_trigger()  # wake the poll loop now
        self._thread.join(STOP_TIMEOUT + 1)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(app: WSGIApp, host: str, port: int) -> ServerHandle:
    """Start serving ``app`` in a daemon thread (port 0 picks a free port); ``.stop()`` ends it."""
    return ServerHandle(app, host, port)
