"""The polite fetcher: one shared session, conditional GETs, redirects followed by
hand, retries within a total deadline, per-host limits and the SSRF guard.

:meth:`Fetcher.fetch` never raises for an expected failure: every outcome is a
:class:`~syndicate.models.FetchResult` (``ok``, ``not-modified``, ``gone`` or
``error`` with a one-line, scrubbed ``error``).

Why one session for all threads: requests are prepared without the session
(nothing is merged from it), cookies are refused and ``trust_env`` is off, so
the session holds no per-request state; what is shared is urllib3's pool
manager, which is thread-safe. Its pools are sized to ``fetch_workers``, so
every worker thread can hold a connection without blocking, and keep-alive
connections are reused across threads and passes.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3.exceptions
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from syndicate import redact
from syndicate.config import Settings, SourceConfig
from syndicate.errors import FetchError
from syndicate.fetch import rules
from syndicate.fetch.body import read_capped
from syndicate.fetch.deadline import Deadline, format_seconds
from syndicate.fetch.files import fetch_file
from syndicate.fetch.guard import ALLOWED_SCHEMES, check_url_allowed, same_host
from syndicate.fetch.hostlimit import HostSlots
from syndicate.fetch.network_errors import describe_network_error, display_host
from syndicate.fetch.transport import GuardContext, build_session, guarded, prepare_get, send
from syndicate.models import FetchResult, SourceState

# what a request can raise that is the network's fault, not ours
NETWORK_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
DRAIN_LIMIT = 64 * 1024  # the body of a redirect or error response read to keep the connection


@dataclass(frozen=True, slots=True)
class _Reply:
    """One HTTP exchange, with the library's response object already gone."""

    status: int
    reason: str
    headers: dict[str, str]  # lower-cased names
    body: bytes | None


class _Transient(Exception):
    """An attempt failed in a way worth retrying; carries the result to report if no retry is left."""

    def __init__(self, result: FetchResult) -> None:
        super().__init__(result.error)
        self.result = result


class _StopBeforeDeadline(stop_base):
    """Stop retrying when the back-off plus a minimal attempt would not fit in the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.deadline.remaining() < retry_state.upcoming_sleep + rules.MIN_ATTEMPT_SECONDS


class Fetcher:
    """Fetches sources for many threads at once; ``close()`` when done (or use ``with``)."""

    def __init__(
        self, settings: Settings, *, user_agent: str | None = None, backoff: float = rules.BACKOFF_MULTIPLIER
    ) -> None:
        """``backoff``: seconds before the first retry; it doubles per retry, plus as much again at random."""
        self.settings = settings
        self.backoff = backoff
        self.user_agent = user_agent or settings.user_agent or rules.user_agent()
        self._session = build_session(settings.fetch_workers)
        self._slots = HostSlots(settings.per_host)

    # -- public ----------------------------------------------------------

    def fetch(self, source: SourceConfig, state: SourceState, *, path: Path | None = None) -> FetchResult:
        """Fetch ``source`` from ``state.url`` (or the file at ``path``)."""
        started = time.monotonic()
        if path is not None or source.is_file:
            file_path = path if path is not None else Path(source.url.removeprefix("file://"))
            result = fetch_file(source.name, state.url or source.url, file_path, state, self.settings.max_bytes)
        else:
            result = self._fetch_http(source, state)
        error = _scrub(result.error, source, state) if result.error else None
        return replace(result, error=error, elapsed=time.monotonic() - started)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- attempts and retries ------------------------------------------

    def _fetch_http(self, source: SourceConfig, state: SourceState) -> FetchResult:
        deadline = Deadline(self.settings.deadline, start=False)  # starts once the first host slot is ours
        attempts = 0

        def attempt(context: GuardContext) -> FetchResult:
            nonlocal attempts
            attempts += 1
            return self._attempt(source, state, deadline, context)

        retrying = Retrying(
            stop=stop_after_attempt(rules.MAX_ATTEMPTS) | _StopBeforeDeadline(deadline),
            wait=wait_exponential_jitter(multiplier=self.backoff, max=rules.BACKOFF_MAX, jitter=self.backoff),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        with guarded(deadline, allow_private=True) as context:
            try:
                result: FetchResult = retrying(attempt, context)
                return result
            except _Transient as failure:
                suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
                return replace(failure.result, error=f"{failure.result.error}{suffix}")

    def _attempt(
        self, source: SourceConfig, state: SourceState, deadline: Deadline, context: GuardContext
    ) -> FetchResult:
        """One try: the request and the redirects it leads to. Raises :class:`_Transient` to be retried."""
        start_url = state.url or source.url
        url = start_url
        chain = [url]
        permanent = True
        for _hop in range(rules.MAX_REDIRECTS + 1):
            try:
                reply = self._exchange(source, state, url, deadline, context)
            except FetchError as exc:  # blocked, too large, deadline, undecodable
                return self._error(source, start_url, str(exc))
            except NETWORK_ERRORS as exc:
                if deadline.expired:
                    return self._error(source, start_url, deadline.message())
                message, transient = describe_network_error(exc, url)
                failed = self._error(source, start_url, message)
                if transient:
                    raise _Transient(failed) from None
                return failed
            action = rules.classify(reply.status)
            if action != "redirect":
                moved = url if permanent and len(chain) > 1 else None
                return self._conclude(source, state, start_url, reply, action, moved)
            target = _redirect_target(url, reply.headers.get("location"))
            if target is None:
                return self._error(
                    source,
                    start_url,
                    f"{rules.status_text(reply.status)} without a usable Location header",
                    reply.status,
                )
            if urlsplit(target).scheme.lower() not in ALLOWED_SCHEMES:
                return self._error(
                    source, start_url, f"refused a redirect to a {urlsplit(target).scheme}: URL", reply.status
                )
            permanent = permanent and reply.status in rules.PERMANENT_REDIRECTS
            if target in chain:
                loop = " → ".join(_display_url(u) for u in [*chain, target])
                return self._error(source, start_url, f"redirect loop: {loop}", reply.status)
            chain.append(target)
            url = target
        return self._error(source, start_url, f"too many redirects (more than {rules.MAX_REDIRECTS})")

    def _exchange(
        self, source: SourceConfig, state: SourceState, url: str, deadline: Deadline, context: GuardContext
    ) -> _Reply:
        """One request under the host's slot; the body is read only for a 2xx answer."""
        trusted = same_host(url, source.url)  # the operator chose this host
        context.allow_private = trusted or self.settings.allow_private_networks
        if not context.allow_private:
            check_url_allowed(url, self.settings)
        headers = self._headers(source, state, trusted)
        request = prepare_get(url, headers)
        explicit = [value for name, value in source.headers.items() if name.lower() == "authorization"]
        if trusted and explicit:  # an explicit header beats user:pass@ in the URL
            request.headers["Authorization"] = explicit[-1]
        host = urlsplit(url).hostname or ""
        with self._slots.hold(host, deadline.remaining() if deadline.started else None):
            deadline.start()
            timeout = deadline.timeouts(self.settings.connect_timeout, self.settings.read_timeout)
            response = send(self._session, request, timeout)
            try:
                received = {name.lower(): value for name, value in response.headers.items()}
                if rules.classify(response.status_code) == "ok":
                    body: bytes | None = read_capped(response, self.settings.max_bytes, deadline)
                else:
                    body = None
                    _drain(response, deadline)
                return _Reply(response.status_code, response.reason or "", received, body)
            finally:
                response.close()

    def _headers(self, source: SourceConfig, state: SourceState, trusted: bool) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept": rules.ACCEPT}
        if trusted:  # the source's own headers (often credentials) go to its own host only
            headers.update(source.headers)
        headers["Accept-Encoding"] = rules.ACCEPT_ENCODING  # what read_capped can undo
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        return headers

    # -- results ---------------------------------------------------------

    def _conclude(
        self,
        source: SourceConfig,
        state: SourceState,
        url: str,
        reply: _Reply,
        action: rules.Action,
        moved: str | None,
    ) -> FetchResult:
        headers = rules.kept_headers(reply.headers)
        text = rules.status_text(reply.status, reply.reason)
        base = FetchResult(source=source.name, status="error", url=url, http_status=reply.status, headers=headers)
        if action == "ok":
            return replace(
                base,
                status="ok",
                final_url=moved,
                body=reply.body,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
            )
        if action == "not-modified":
            return replace(
                base,
                status="not-modified",
                final_url=moved,
                etag=headers.get("etag") or state.etag,
                last_modified=headers.get("last-modified") or state.last_modified,
            )
        if action == "gone":
            return replace(base, status="gone", error=text)
        if action == "throttled":
            retry_after = rules.parse_retry_after(headers.get("retry-after"))
            if retry_after is not None:
                text = f"{text} (retry after {format_seconds(round(retry_after))})"
            return replace(base, error=text, retry_after=retry_after)
        if action == "retry":
            raise _Transient(replace(base, error=text))
        return replace(base, error=text)

    def _error(self, source: SourceConfig, url: str, message: str, http_status: int | None = None) -> FetchResult:
        return FetchResult(
            source=source.name, status="error", url=url, http_status=http_status, error=rules.one_line(message)
        )


def _redirect_target(current: str, location: str | None) -> str | None:
    """The absolute URL a ``Location`` header points to (fragment dropped), or None."""
    if not location or not location.strip():
        return None
    try:
        target = urljoin(current, location.strip())
    except ValueError:
        return None
    return urldefrag(target)[0] or None


def _display_url(url: str) -> str:
    """A URL for messages: scheme, host and path (no credentials; a query, which may hold a token, is elided)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{display_host(url)}{parts.path or '/'}{'?…' if parts.query else ''}"


def _drain(response: requests.Response, deadline: Deadline) -> None:
    """Read a small unused body so the connection can be reused; give up quietly otherwise."""
    try:
        read_capped(response, DRAIN_LIMIT, deadline)
    except (FetchError, *NETWORK_ERRORS):
        response.close()


def _scrub(text: str, source: SourceConfig, state: SourceState) -> str:
    """``text`` without the source's header values, URL passwords or registered secrets, on one line."""
    secrets = [value for value in source.headers.values() if len(value) >= 4]
    for url in (source.url, state.url):
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            secrets.append(password)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, redact.MASK)
    return rules.one_line(redact.scrub(text))
