"""The one HTTP helper every HTTP target uses.

A :class:`requests.Session` with timeouts and a User-Agent; answers are turned
into our own :class:`Reply` (requests' objects never leave this module), and
failures into :class:`~syndicate.errors.TransientTargetError` (network errors,
408/425/429/5xx) or :class:`~syndicate.errors.PermanentTargetError` (other
4xx), with ``retry_after`` read from ``Retry-After`` (seconds or an HTTP date),
``X-RateLimit-Reset`` / ``RateLimit-Reset`` (an ISO time, epoch seconds or
seconds) or a Discourse-style ``extras.wait_seconds`` body. Messages are one
line, start with the target's name and pass through :func:`syndicate.redact.scrub`.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from syndicate.errors import PermanentTargetError, TransientTargetError
from syndicate.fetch.network_errors import describe_network_error
from syndicate.redact import scrub

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
MAX_DETAIL = 200


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    url: str
    history: tuple[int, ...] = field(default_factory=tuple)  # statuses of redirects followed

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return jsonlib.loads(self.body)
        except ValueError:
            return None


class HttpClient:
    """Requests to one service on behalf of one target."""

    def __init__(
        self,
        target: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: tuple[float, float] = (10.0, 30.0),
        user_agent: str | None = None,
    ):
        self.target = target
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent or "syndicate"
        self.session.headers["Accept"] = "application/json"
        if headers:
            self.session.headers.update(headers)
        if auth:
            self.session.auth = auth

    def url(self, path: str) -> str:
        return path if "://" in path else urljoin(self.base_url, path.lstrip("/"))

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: Iterable[int] = (),
        allow_redirects: bool = True,
    ) -> Reply:
        """Send a request; 2xx and the ``accept`` statuses come back, anything else raises."""
        url = self.url(path)
        where = f"{method} {urlsplit(url).path}"
        try:
            response = self.session.request(
                method,
                url,
                json=json,
                data=data,
                params=params,
                headers=dict(headers or {}),
                timeout=self.timeout,
                allow_redirects=allow_redirects,
            )
        except requests.RequestException as exc:  # worded as fetch errors are: "connection refused by host:port"
            problem, _transient = describe_network_error(exc, url)
            raise TransientTargetError(f"{self.target}: {where}: {scrub(problem)}", target=self.target) from None
        reply = Reply(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=response.content,
            url=response.url,
            history=tuple(r.status_code for r in response.history),
        )
        response.close()
        if 200 <= reply.status < 300 or reply.status in set(accept):
            return reply
        raise error_for(self.target, where, reply)

    def close(self) -> None:
        self.session.close()


def error_for(target: str, where: str, reply: Reply) -> TransientTargetError | PermanentTargetError:
    """The error an unwanted answer means: transient (retry, maybe after a delay) or permanent."""
    detail = describe_body(reply)
    message = scrub(f"{target}: {where}: HTTP {reply.status}" + (f": {detail}" if detail else ""))
    if reply.status in TRANSIENT_STATUSES:
        return TransientTargetError(message, target=target, status=reply.status, retry_after=retry_after(reply))
    return PermanentTargetError(message, target=target, status=reply.status)


def retry_after(reply: Reply, *, now: datetime | None = None) -> float | None:
    """Seconds to wait, from the headers (or body) of a 429/503 answer."""
    now = now or datetime.now(UTC)
    value = reply.headers.get("retry-after")
    if value:
        seconds = _seconds_or_date(value, now)
        if seconds is not None:
            return seconds
    for name in ("x-ratelimit-reset", "ratelimit-reset"):
        value = reply.headers.get(name)
        if value:
            seconds = _reset_value(value, now)
            if seconds is not None:
                return seconds
    body = reply.json()
    if isinstance(body, dict):
        extras = body.get("extras")
        if isinstance(extras, dict) and isinstance(extras.get("wait_seconds"), (int, float)):
            return max(0.0, float(extras["wait_seconds"]))
    return None


def _seconds_or_date(value: str, now: datetime) -> float | None:
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _reset_value(value: str, now: datetime) -> float | None:
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        number = float(value)
        # epoch seconds (e.g. GitHub) vs. seconds to wait (IETF RateLimit-Reset)
        return max(0.0, number - now.timestamp()) if number > 1e9 else number
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _seconds_or_date(value, now)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def describe_body(reply: Reply) -> str:
    """A short, one-line account of an error body (JSON error fields or text)."""
    body = reply.json()
    text = ""
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "errors", "detail"):
            value = body.get(key)
            if isinstance(value, list):
                value = "; ".join(str(v.get("message", v) if isinstance(v, dict) else v) for v in value)
            if isinstance(value, dict):
                value = value.get("message") or jsonlib.dumps(value)
            if value:
                text = str(value)
                break
        code = body.get("code") or body.get("error_type")
        if code and isinstance(code, str) and code not in text:
            text = f"{code}: {text}" if text else code
    elif reply.body and reply.headers.get("content-type", "").startswith("text/plain"):
        text = reply.body[:MAX_DETAIL].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:MAX_DETAIL]
