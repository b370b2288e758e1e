"""Shared helpers for the operations tests: WSGI apps served for real, configs, waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import waitress.server

from tests.ops.websub_hub import LocalHub


class WsgiServer:
    """A WSGI app served by waitress on 127.0.0.1 in a thread."""

    def __init__(self, app: Any) -> None:
        self.server: Any = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=4)
        self.port = int(self.server.effective_port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)


class SwappableApp:
    """Lets a server start (and its port be known) before the app it serves is built."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    local = LocalHub()
    yield local
    local.close()
