"""The shared HTTP helper against a real local server: status mapping, retry hints, one-line scrubbed errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer

from syndicate import redact
from syndicate.errors import PermanentTargetError, TransientTargetError
from syndicate.targets.http import HttpClient, Reply, retry_after

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def reply(status: int = 429, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
    return Reply(status, {k.lower(): v for k, v in (headers or {}).items()}, body, "http://x/")


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Retry-After": "120"}, b"", 120.0),
        ({"Retry-After": format_datetime(NOW + timedelta(seconds=90), usegmt=True)}, b"", 90.0),
        ({"X-RateLimit-Reset": (NOW + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")}, b"", 300.0),
        ({"X-RateLimit-Reset": "2026-03-01T12:00:30.000Z"}, b"", 30.0),
        ({"X-RateLimit-Reset": str(int((NOW + timedelta(seconds=40)).timestamp()))}, b"", 40.0),
        ({"RateLimit-Reset": "15"}, b"", 15.0),
        ({}, b'{"error_type": "rate_limit", "extras": {"wait_seconds": 33}}', 33.0),
        ({}, b"", None),
        ({"Retry-After": "soon"}, b"", None),
    ],
)
def test_retry_after(headers: dict[str, str], body: bytes, expected: float | None) -> None:
    assert retry_after(reply(429, headers, body), now=NOW) == expected


@pytest.mark.parametrize(
    ("status", "kind"),
    [(429, TransientTargetError), (500, TransientTargetError), (502, TransientTargetError),
     (503, TransientTargetError), (408, TransientTargetError), (400, PermanentTargetError),
     (401, PermanentTargetError), (403, PermanentTargetError), (404, PermanentTargetError),
     (409, PermanentTargetError), (422, PermanentTargetError)],
)
def test_status_mapping(httpserver: HTTPServer, status: int, kind: type[Exception]) -> None:
    httpserver.expect_request("/api").respond_with_json({"message": "nope"}, status=status,
                                                        headers={"Retry-After": "7"})
    client = HttpClient("blog", httpserver.url_for("/"))
    with pytest.raises(kind) as caught:
        client.request("POST", "/api", json={})
    error = caught.value
    assert str(error) == f"blog: POST /api: HTTP {status}: nope"
    assert error.status == status  # type: ignore[attr-defined]
    if kind is TransientTargetError:
        assert error.retry_after == 7.0  # type: ignore[attr-defined]


def test_accepted_statuses_come_back(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_json({"code": "rest_already_trashed"}, status=410)
    answer = HttpClient("blog", httpserver.url_for("/")).request("DELETE", "/gone", accept=(410,))
    assert answer.status == 410 and answer.json() == {"code": "rest_already_trashed"}


def test_network_errors_are_transient_and_secrets_never_shown(httpserver: HTTPServer) -> None:
    redact.register("sup3r-secret-token")
    url = httpserver.url_for("/")
    httpserver.stop()
    client = HttpClient("forum", url + "?api_key=sup3r-secret-token")
    with pytest.raises(TransientTargetError) as caught:
        client.request("GET", url + "x?token=sup3r-secret-token")
    message = str(caught.value)
    assert message.startswith("forum: GET /x: ") and "sup3r-secret-token" not in message
    assert "\n" not in message
    httpserver.start()


def test_error_bodies_are_summarised_on_one_line(httpserver: HTTPServer) -> None:
    redact.register("leaky-password-99")
    httpserver.expect_request("/posts.json").respond_with_json(
        {"errors": ["Title is too short\nreally", "password leaky-password-99 wrong"]}, status=422)
    with pytest.raises(PermanentTargetError) as caught:
        HttpClient("forum", httpserver.url_for("/")).request("POST", "/posts.json", json={})
    assert str(caught.value) == "forum: POST /posts.json: HTTP 422: Title is too short really; password *** wrong"
