"""Shared helpers for the operations tests: WSGI apps served for real, configs, waiting."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.distributed.receiver import WebhookReceiver
from tests.helpers.feedserver import FeedServer
from tests.ops.websub_hub import LocalHub


class WsgiServer:
    """A WSGI app served by waitress on 127.0.0.1 in a thread (the daemon's own server handle)."""

    def __init__(self, app: Any) -> None:
        from syndicate.serve import start_in_thread

        self.handle = start_in_thread(app, "127.0.0.1", 0)
        self.port = self.handle.port
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.handle.stop()


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


@pytest.fixture
def servers(feed_server: FeedServer) -> Iterator[tuple[FeedServer, WebhookReceiver]]:
    """A feed server and a webhook receiver, both real, on 127.0.0.1."""
    hook = WebhookReceiver()
    yield feed_server, hook
    hook.close()


def received_titles(hook: WebhookReceiver) -> list[str]:
    """The titles of the articles the receiver accepted, in the order they came."""
    with hook.lock:
        return [str(event["article"]["title"]) for event in hook.accepted.values()]
