"""WebSub publish pings against a local hub (a threaded http.server on 127.0.0.1)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from syndicate.outputs import websub


class Hub:
    """A fake hub that records publish pings and answers with scripted statuses."""

    def __init__(self, statuses: list[int]):
        self.statuses = statuses
        self.pings: list[dict[str, list[str]]] = []
        self.content_types: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                hub.pings.append(parse_qs(self.rfile.read(length).decode()))
                hub.content_types.append(self.headers.get("Content-Type", ""))
                status = hub.statuses.pop(0) if len(hub.statuses) > 1 else hub.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub?token=s3cr3tvalue"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def make_hub() -> Iterator[Callable[[list[int]], Hub]]:
    hubs: list[Hub] = []

    def factory(statuses: list[int]) -> Hub:
        hub = Hub(statuses)
        hubs.append(hub)
        return hub

    yield factory
    for hub in hubs:
        hub.close()


def _dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hub"


def test_publish_pings_every_topic(make_hub: Any) -> None:
    hub = make_hub([204])
    topics = ["https://feeds.example.org/all.atom", "https://feeds.example.org/all.rss"]
    assert websub.publish([hub.url], topics) == []
    assert [p["hub.mode"] for p in hub.pings] == [["publish"], ["publish"]]
    assert [p["hub.url"] for p in hub.pings] == [[topics[0]], [topics[1]]]
    assert hub.content_types[0].startswith("application/x-www-form-urlencoded")


def test_server_error_is_retried(make_hub: Any) -> None:
    hub = make_hub([500, 204])
    assert websub.publish([hub.url], ["https://feeds.example.org/all.atom"]) == []
    assert len(hub.pings) == 2


def test_failures_are_lines_not_exceptions(make_hub: Any) -> None:
    always_500 = make_hub([503])
    refuses = make_hub([400])
    dead = _dead_url()
    good = make_hub([202])
    errors = websub.publish(
        [always_500.url, refuses.url, dead, "not a url", good.url], ["https://feeds.example.org/all.json"], timeout=2
    )
    assert len(errors) == 4
    assert all("\n" not in e and e.startswith("websub: ") for e in errors)
    assert "HTTP 503" in errors[0] and len(always_500.pings) == websub.ATTEMPTS
    assert "HTTP 400" in errors[1] and len(refuses.pings) == 1  # a client error is not retried
    assert "cannot connect" in errors[2]
    assert len(good.pings) == 1  # the pass went on to the last hub
    assert not any("s3cr3tvalue" in e for e in errors)  # credentials in hub URLs stay out of messages


def test_nothing_to_do() -> None:
    assert websub.publish([], ["https://feeds.example.org/all.atom"]) == []
    assert websub.publish(["http://127.0.0.1:9/"], []) == []
