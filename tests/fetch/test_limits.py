"""The limits that keep one bad server from hurting the rest: deadline, size cap, per-host slots."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from syndicate.fetch import Fetcher
from syndicate.models import FetchResult
from tests.fetch.fetch_servers import FAST_BACKOFF, FEED, FeedServer, RawServer, Reply, settings, source, state

CAP = 64 * 1024


def fetch(url: str, **overrides: object) -> FetchResult:
    with Fetcher(settings(**overrides), backoff=FAST_BACKOFF) as fetcher:
        return fetcher.fetch(source(url), state(url))


def trickle(data: bytes, stop: threading.Event, conn: socket.socket) -> None:
    """Send ``data`` one byte a second until the client hangs up."""
    for byte in data:
        if stop.wait(1.0):
            return
        conn.sendall(bytes([byte]))


# -- the total deadline ---------------------------------------------------------


@pytest.mark.timeout(20)
def test_trickled_body_is_cut_off_at_the_deadline(raw_server: Callable[..., RawServer]) -> None:
    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
        trickle(b"<" * 100_000, stop, conn)

    srv = raw_server(script)
    result = fetch(srv.url(), deadline=2, read_timeout=5)
    assert result.status == "error"
    assert result.error == "no complete response within the 2s deadline"
    assert srv.connections == 1  # the deadline also ends the retries


@pytest.mark.timeout(20)
def test_trickled_headers_are_cut_off_at_the_deadline(raw_server: Callable[..., RawServer]) -> None:
    def script(conn: socket.socket, stop: threading.Event) -> None:
        trickle(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 100_000, stop, conn)

    srv = raw_server(script)
    result = fetch(srv.url(), deadline=2, read_timeout=5)
    assert result.status == "error"
    assert result.error == "no complete response within the 2s deadline"


def test_retries_stop_when_the_back_off_would_pass_the_deadline(server: FeedServer) -> None:
    url = server.add("/feed", Reply(500))
    with Fetcher(settings(deadline=0.5)) as fetcher:  # default back-off: at least 0.5 s before a retry
        result = fetcher.fetch(source(url), state(url))
    assert result.error == "HTTP 500 Internal Server Error"
    assert len(server.hits("/feed")) == 1


# -- the size cap -----------------------------------------------------------------


def test_declared_content_length_over_the_cap_fails_at_once(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, b"x" * (CAP + 1)))
    result = fetch(url, max_bytes=CAP)
    assert result.status == "error"
    assert result.error == f"Content-Length {CAP + 1} is larger than max_bytes ({CAP} bytes)"
    assert result.body is None


def test_body_exactly_at_the_cap_is_fine(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, b"x" * CAP))
    result = fetch(url, max_bytes=CAP)
    assert result.status == "ok"
    assert len(result.body or b"") == CAP


@pytest.mark.parametrize("framing", ["close-delimited", "chunked"])
def test_endless_body_without_length_is_cut_at_the_cap(raw_server: Callable[..., RawServer], framing: str) -> None:
    sent = [0]

    def script(conn: socket.socket, stop: threading.Event) -> None:
        if framing == "chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        block = b"<item>" * 1000
        while not stop.is_set() and sent[0] < 100 * CAP:
            conn.sendall(b"%x\r\n%s\r\n" % (len(block), block) if framing == "chunked" else block)
            sent[0] += len(block)

    srv = raw_server(script)
    result = fetch(srv.url(), max_bytes=CAP)
    assert result.status == "error"
    assert result.error == f"response is larger than max_bytes ({CAP} bytes)"
    assert sent[0] < 100 * CAP  # the client hung up long before the server was done


def test_content_length_is_the_frame_not_a_promise(raw_server: Callable[..., RawServer]) -> None:
    """A server sending more than it declared gets its declared length read, nothing more."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n" + b"y" * (4 * CAP))

    srv = raw_server(script)
    result = fetch(srv.url(), max_bytes=CAP)
    assert result.status == "ok"
    assert result.body == b"y" * 10


def test_gzip_bomb_is_cut_at_the_cap_after_decompression(server: FeedServer) -> None:
    bomb = gzip.compress(b"\0" * (200 * CAP), compresslevel=9)
    assert len(bomb) < CAP  # small on the wire
    url = server.add("/feed", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    result = fetch(url, max_bytes=CAP)
    assert result.status == "error"
    assert result.error == f"decompressed response is larger than max_bytes ({CAP} bytes)"


def test_gzip_body_within_the_cap_after_decompression(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, gzip.compress(FEED), {"Content-Encoding": "gzip"}))
    result = fetch(url, max_bytes=len(FEED))
    assert result.status == "ok"
    assert result.body == FEED


# -- per-host limit --------------------------------------------------------------


@pytest.mark.parametrize("per_host", [1, 2, 3])
def test_concurrent_requests_to_one_host_are_limited(server: FeedServer, per_host: int) -> None:
    url = server.add("/feed", Reply(200, FEED, delay=0.15))
    with Fetcher(settings(per_host=per_host, fetch_workers=8)) as fetcher, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _n: fetcher.fetch(source(url), state(url)), range(8)))
    assert all(result.status == "ok" for result in results)
    assert len(server.hits("/feed")) == 8
    assert server.max_active == per_host


def test_waiting_for_a_busy_host_does_not_use_up_the_deadline(server: FeedServer) -> None:
    """The deadline starts once the request has its slot: queueing behind a slow host is not the host's fault."""
    url = server.add("/feed", Reply(200, FEED, delay=0.4))
    with Fetcher(settings(per_host=1, deadline=1, fetch_workers=4)) as fetcher, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _n: fetcher.fetch(source(url), state(url)), range(4)))
    assert [result.status for result in results] == ["ok"] * 4
    assert server.max_active == 1


@pytest.mark.timeout(20)
def test_trickled_tls_handshake_is_cut_off_at_the_deadline(raw_server: Callable[..., RawServer]) -> None:
    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"\x16\x03\x03\x40\x00")  # a TLS handshake record header announcing 16 KiB…
        trickle(b"\x02" * 16384, stop, conn)  # …that arrives one byte a second

    srv = raw_server(script)
    url = f"https://127.0.0.1:{srv.port}/feed"
    result = fetch(url, deadline=2, connect_timeout=5)
    assert result.status == "error"
    assert result.error == "no complete response within the 2s deadline"


def test_deadlines_are_kept_by_one_thread_not_one_per_request(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, FEED))
    keepers: set[int | None] = set()
    with Fetcher(settings(), backoff=FAST_BACKOFF) as fetcher:
        for _ in range(20):
            assert fetcher.fetch(source(url), state(url)).status == "ok"
            alive = threading.enumerate()
            assert not any(isinstance(t, threading.Timer) for t in alive)
            keepers.update(t.ident for t in alive if t.name == "fetch-watchdog")
    assert len(keepers) == 1  # the same thread, for every request
