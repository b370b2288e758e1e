"""What the fetcher does with each HTTP answer: tables and pure functions.

Nothing here does I/O, so every decision is tested directly.
"""

from __future__ import annotations

import email.utils
import http
import importlib
import re
from datetime import UTC, datetime
from typing import Literal

PROJECT_URL = "https://github.com/syndicate-feeds/syndicate"
FALLBACK_VERSION = "0.1.0"

MAX_REDIRECTS = 5
MAX_ATTEMPTS = 3
# back-off between attempts: b * 2**n + uniform(0, b), at most BACKOFF_MAX seconds
BACKOFF_MULTIPLIER = 0.5
BACKOFF_MAX = 8.0
# an attempt is not started with less time than this left before the deadline
MIN_ATTEMPT_SECONDS = 0.25

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, text/html;q=0.2, */*;q=0.1"
)
ACCEPT_ENCODING = "gzip, deflate"

# response headers handed on in FetchResult.headers (lower-cased)
KEPT_HEADERS = (
    "cache-control",
    "content-location",
    "content-type",
    "etag",
    "expires",
    "last-modified",
    "link",
    "retry-after",
)

Action = Literal["ok", "not-modified", "redirect", "gone", "throttled", "retry", "error"]

# status → action; anything not listed is decided by its class in classify()
STATUS_ACTIONS: dict[int, Action] = {
    301: "redirect",
    302: "redirect",
    303: "redirect",
    304: "not-modified",
    307: "redirect",
    308: "redirect",
    408: "retry",
    410: "gone",
    429: "throttled",
    500: "retry",
    502: "retry",
    503: "throttled",
    504: "retry",
}
PERMANENT_REDIRECTS = frozenset({301, 308})


def classify(status: int) -> Action:
    """What to do with an HTTP status code."""
    if status in STATUS_ACTIONS:
        return STATUS_ACTIONS[status]
    if 200 <= status < 300:
        return "ok"
    return "error"


def status_text(status: int, reason: str | None = None) -> str:
    """``"HTTP 404 Not Found"`` (the standard phrase, else the server's, else none)."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = (reason or "").strip()
    phrase = " ".join(phrase.split())[:60]
    return f"HTTP {status} {phrase}".rstrip()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date. None if absent or invalid."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def user_agent() -> str:
    """``syndicate/<version> (+https://github.com/syndicate-feeds/syndicate)``."""
    try:
        version = str(getattr(importlib.import_module("syndicate"), "__version__", FALLBACK_VERSION))
    except ImportError:
        version = FALLBACK_VERSION
    return f"syndicate/{version} (+{PROJECT_URL})"


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    """The response headers later stages use, with lower-cased names."""
    lowered = {name.lower(): value for name, value in headers.items()}
    return {name: lowered[name] for name in KEPT_HEADERS if name in lowered}


def one_line(text: str, limit: int = 300) -> str:
    """Whitespace collapsed to single spaces, cut to ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
