"""The fetcher's pure decisions: status table, Retry-After, headers, user agent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syndicate.fetch import rules
from syndicate.fetch.deadline import Deadline
from syndicate.fetch.exceptions import DeadlineExceededError
from syndicate.fetch.network_errors import display_host

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (200, "ok"), (203, "ok"), (204, "ok"), (304, "not-modified"),
        (301, "redirect"), (302, "redirect"), (303, "redirect"), (307, "redirect"), (308, "redirect"),
        (300, "error"), (305, "error"), (400, "error"), (401, "error"), (403, "error"), (404, "error"),
        (408, "retry"), (410, "gone"), (429, "throttled"),
        (500, "retry"), (501, "error"), (502, "retry"), (503, "throttled"), (504, "retry"), (599, "error"),
    ],
)  # fmt: skip
def test_classify(status: int, action: str) -> None:
    assert rules.classify(status) == action


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("Wed, 01 May 2024 12:05:00 GMT", 300.0),
        ("Wednesday, 01-May-24 12:01:00 GMT", 60.0),  # RFC 850 form
        ("Wed May  1 12:00:30 2024", 30.0),  # asctime form
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert rules.parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("status", "reason", "text"),
    [
        (404, "Not Found", "HTTP 404 Not Found"),
        (404, "Nope", "HTTP 404 Not Found"),  # the standard phrase, not the server's
        (599, "Network Connect Timeout", "HTTP 599 Network Connect Timeout"),
        (599, "", "HTTP 599"),
        (599, "line\nbreak", "HTTP 599 line break"),
    ],
)
def test_status_text(status: int, reason: str, text: str) -> None:
    assert rules.status_text(status, reason) == text


def test_user_agent_names_the_project_and_a_version() -> None:
    agent = rules.user_agent()
    name, _, rest = agent.partition(" ")
    assert name.startswith("syndicate/") and len(name) > len("syndicate/")
    assert rest == "(+https://github.com/syndicate-feeds/syndicate)"


def test_kept_headers_are_lower_cased_and_filtered() -> None:
    headers = {"Content-Type": "text/xml", "ETAG": '"x"', "Set-Cookie": "a=b", "Link": "<h>; rel=hub"}
    assert rules.kept_headers(headers) == {"content-type": "text/xml", "etag": '"x"', "link": "<h>; rel=hub"}


def test_one_line() -> None:
    assert rules.one_line("a\n  b\r\n\tc") == "a b c"
    assert rules.one_line("x" * 500, limit=10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@example.org/feed?token=1", "example.org"),
        ("https://example.org:8443/", "example.org:8443"),
        ("http://[::1]:8080/", "[::1]:8080"),
    ],
)
def test_display_host_never_shows_credentials(url: str, shown: str) -> None:
    assert display_host(url) == shown


def test_deadline_counts_from_start() -> None:
    now = [100.0]
    deadline = Deadline(2, start=False, clock=lambda: now[0])
    now[0] += 50  # waiting before the start is free
    assert deadline.remaining() == 2 and not deadline.expired
    deadline.start()
    now[0] += 1.5
    assert deadline.remaining() == 0.5
    assert deadline.timeouts(10, 30) == (0.5, 0.5)
    assert deadline.timeouts(0.1, 0.2) == (0.1, 0.2)
    now[0] += 1
    assert deadline.expired
    with pytest.raises(DeadlineExceededError, match="within the 2s deadline"):
        deadline.timeouts(10, 30)
