"""Fixtures for the fetch tests: real servers on loopback, stopped after each test."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.fetch.fetch_servers import FeedServer, RawServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer()
    yield srv
    srv.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], RawServer]]:
    started: list[RawServer] = []

    def start(script: Callable[[socket.socket, threading.Event], None]) -> RawServer:
        srv = RawServer(script)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.close()
