"""Fetching over HTTP: validators, conditional GETs, status codes, retries, network failures."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from syndicate.fetch import Fetcher
from syndicate.models import FetchResult
from tests.fetch.fetch_servers import (
    DATA,
    FAST_BACKOFF,
    FEED,
    FeedServer,
    RawServer,
    Reply,
    Seen,
    free_port,
    settings,
    source,
    state,
)

CASES = json.loads((DATA / "statuses.json").read_text())["cases"]


def fetch(url: str, *, fetcher: Fetcher | None = None, **state_fields: object) -> FetchResult:
    owned = fetcher is None
    fetcher = fetcher or Fetcher(settings(), backoff=FAST_BACKOFF)
    try:
        return fetcher.fetch(source(url), state(url, **state_fields))
    finally:
        if owned:
            fetcher.close()


def test_ok_returns_body_validators_and_kept_headers(server: FeedServer) -> None:
    url = server.add(
        "/feed",
        Reply(
            200,
            FEED,
            {
                "Content-Type": "application/atom+xml; charset=utf-8",
                "ETag": '"v1"',
                "Last-Modified": "Wed, 01 May 2024 12:00:00 GMT",
                "Link": '<https://hub.example/>; rel="hub"',
                "Cache-Control": "max-age=300",
                "X-Powered-By": "not kept",
            },
        ),
    )
    result = fetch(url)
    assert result.status == "ok", result.error
    assert result.body == FEED
    assert result.http_status == 200
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 01 May 2024 12:00:00 GMT"
    assert result.headers == {
        "cache-control": "max-age=300",
        "content-type": "application/atom+xml; charset=utf-8",
        "etag": '"v1"',
        "last-modified": "Wed, 01 May 2024 12:00:00 GMT",
        "link": '<https://hub.example/>; rel="hub"',
    }
    assert result.final_url is None
    assert result.url == url
    assert result.elapsed > 0


def test_request_headers_are_honest_and_prefer_feeds(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, FEED))
    fetch(url)
    (request,) = server.hits("/feed")
    assert request.headers["user-agent"].startswith("syndicate/")
    assert request.headers["user-agent"].endswith("(+https://github.com/syndicate-feeds/syndicate)")
    assert request.headers["accept"].startswith("application/atom+xml")
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in request.headers
    assert "cookie" not in request.headers


def test_user_agent_can_be_overridden(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, FEED))
    with Fetcher(settings(), user_agent="custom/1.0") as fetcher:
        fetch(url, fetcher=fetcher)
    assert server.hits("/feed")[0].headers["user-agent"] == "custom/1.0"


def test_etag_then_not_modified(server: FeedServer) -> None:
    def route(request: Seen, _count: int) -> Reply:
        if request.headers.get("if-none-match") == '"abc"':
            return Reply(304, headers={"ETag": '"abc"'})
        return Reply(200, FEED, {"ETag": '"abc"'})

    url = server.add("/feed", route)
    with Fetcher(settings()) as fetcher:
        first = fetch(url, fetcher=fetcher)
        assert first.status == "ok" and first.etag == '"abc"'
        second = fetch(url, fetcher=fetcher, etag=first.etag)
    assert second.status == "not-modified"
    assert second.http_status == 304
    assert second.body is None
    assert second.etag == '"abc"'
    assert server.hits("/feed")[1].headers["if-none-match"] == '"abc"'


def test_last_modified_then_not_modified(server: FeedServer) -> None:
    stamp = "Wed, 01 May 2024 12:00:00 GMT"

    def route(request: Seen, _count: int) -> Reply:
        if request.headers.get("if-modified-since") == stamp:
            return Reply(304)
        return Reply(200, FEED, {"Last-Modified": stamp})

    url = server.add("/feed", route)
    with Fetcher(settings()) as fetcher:
        first = fetch(url, fetcher=fetcher)
        second = fetch(url, fetcher=fetcher, last_modified=first.last_modified, etag='"old"')
    assert first.status == "ok"
    assert second.status == "not-modified"
    assert second.last_modified == stamp  # kept from the state when the 304 does not repeat it
    assert second.etag == '"old"'
    assert server.hits("/feed")[1].headers["if-modified-since"] == stamp


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("gzip", lambda data: gzip.compress(data[:100]) + gzip.compress(data[100:])),  # two gzip members
    ],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate", "gzip-members"],
)
def test_compressed_bodies_are_decoded(server: FeedServer, encoding: str, compress: Callable[[bytes], bytes]) -> None:
    url = server.add("/feed", Reply(200, compress(FEED), {"Content-Encoding": encoding}))
    result = fetch(url)
    assert result.status == "ok", result.error
    assert result.body == FEED


def test_unsupported_content_encoding_is_an_error(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, b"\x00\x01", {"Content-Encoding": "br"}))
    result = fetch(url)
    assert result.status == "error"
    assert result.error == "unsupported Content-Encoding 'br'"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_status_codes(server: FeedServer, case: dict[str, Any]) -> None:
    body = FEED if case["status"] < 300 and case["status"] != 204 else b"oops"
    url = server.add("/feed", Reply(case["status"], body if case["status"] != 204 else b"", case["headers"]))
    result = fetch(url)
    expect = case["expect"]
    assert result.status == expect["status"]
    assert result.error == expect["error"]
    assert result.http_status == case["status"]
    if "retry_after" in expect:
        assert result.retry_after == expect["retry_after"]
    assert len(server.hits("/feed")) == expect["attempts"]
    assert (result.body is not None) == (expect["status"] == "ok")


def test_retry_after_http_date(server: FeedServer) -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    url = server.add("/feed", Reply(429, b"", {"Retry-After": format_datetime(when, usegmt=True)}))
    result = fetch(url)
    assert result.status == "error"
    assert result.retry_after is not None
    assert 3500 < result.retry_after <= 3600
    assert result.headers["retry-after"] == format_datetime(when, usegmt=True)
    assert len(server.hits("/feed")) == 1


def test_server_error_is_retried_until_it_succeeds(server: FeedServer) -> None:
    url = server.add("/feed", lambda _request, count: Reply(500, b"down") if count < 3 else Reply(200, FEED))
    result = fetch(url)
    assert result.status == "ok", result.error
    assert result.body == FEED
    assert len(server.hits("/feed")) == 3


def test_request_timeout_408_is_retried(server: FeedServer) -> None:
    url = server.add("/feed", lambda _request, count: Reply(408) if count < 2 else Reply(200, FEED))
    result = fetch(url)
    assert result.status == "ok", result.error
    assert len(server.hits("/feed")) == 2


def test_connection_refused() -> None:
    result = fetch(f"http://127.0.0.1:{free_port()}/feed")
    assert result.status == "error"
    assert result.error is not None
    assert result.error.startswith("connection refused by 127.0.0.1:")
    assert result.error.endswith("(after 3 attempts)")
    assert result.http_status is None


def test_unknown_host_is_not_retried() -> None:
    result = fetch("http://no-such-host.invalid/feed")
    assert result.status == "error"
    assert result.error == "cannot resolve host no-such-host.invalid"


def test_silent_server_times_out(raw_server: Callable[..., RawServer]) -> None:
    def silent(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(30)

    srv = raw_server(silent)
    with Fetcher(settings(read_timeout=0.5, deadline=4), backoff=FAST_BACKOFF) as fetcher:
        result = fetch(srv.url(), fetcher=fetcher)
    assert result.status == "error"
    assert result.error is not None
    assert result.error.startswith("127.0.0.1:") and "(read timeout)" in result.error
    assert srv.connections >= 2  # retried within the deadline


def test_broken_response_is_an_error(raw_server: Callable[..., RawServer]) -> None:
    def garbage(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"this is not HTTP\r\n\r\n")

    srv = raw_server(garbage)
    result = fetch(srv.url())
    assert result.status == "error"
    assert result.error is not None and "127.0.0.1" in result.error
