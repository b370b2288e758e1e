"""Telling WebSub hubs that output documents changed (W3C WebSub §6, "publish" pings).

Hubs commonly accept ``POST hub.mode=publish&hub.url=<topic>``; we send one
request per hub and topic, retry briefly on network errors, 429 and 5xx, and
never raise: each failure becomes one line (no secrets) and the pass goes on.
"""

from __future__ import annotations

from collections.abc import Sequence

import requests
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from syndicate import redact

USER_AGENT = "syndicate (WebSub publisher)"
ATTEMPTS = 3
WAIT_INITIAL = 0.2  # seconds; doubled each retry, at most WAIT_MAX
WAIT_MAX = 2.0


class _Retryable(Exception):
    """A hub answer worth trying again (429, 5xx)."""


def publish(hubs: Sequence[str], topic_urls: Sequence[str], *, timeout: float = 10) -> list[str]:
    """Ping every hub about every topic; return one error line per failed (hub, topic)."""
    errors: list[str] = []
    if not hubs or not topic_urls:
        return errors
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        for hub in hubs:
            for topic in topic_urls:
                try:
                    error = _publish_one(session, hub, topic, timeout)
                except Exception as exc:  # never let one hub stop the pass
                    error = _describe(exc)
                if error:
                    errors.append(redact.scrub(f"websub: {hub}: {topic}: {error}"))
    return errors


def _publish_one(session: requests.Session, hub: str, topic: str, timeout: float) -> str | None:
    """None when the hub accepted the ping, else why not (one line)."""
    retrying = Retrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=WAIT_INITIAL, max=WAIT_MAX),
        retry=retry_if_exception_type((_Retryable, requests.ConnectionError, requests.Timeout)),
        reraise=False,
    )
    try:
        for attempt in retrying:
            with attempt:
                response = session.post(hub, data={"hub.mode": "publish", "hub.url": topic}, timeout=timeout)
                status = response.status_code
                response.close()
                if 200 <= status < 300:
                    return None
                if status == 429 or status >= 500:
                    raise _Retryable(f"HTTP {status} after {ATTEMPTS} attempts")
                return f"HTTP {status}"
    except RetryError as exc:
        cause = exc.last_attempt.exception()
        return _describe(cause)
    except requests.RequestException as exc:  # invalid URL, too many redirects, ...
        return _describe(exc)
    return "no attempt made"


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, _Retryable):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return f"timed out after {ATTEMPTS} attempts"
    if isinstance(exc, requests.ConnectionError):
        return f"cannot connect after {ATTEMPTS} attempts"
    if exc is None:
        return "failed"
    return " ".join(f"{type(exc).__name__}: {exc}".split())
