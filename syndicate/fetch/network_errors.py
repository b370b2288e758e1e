"""Network failures as one line a user can act on, and whether to try again.

requests and urllib3 wrap the cause several layers deep and their messages
carry object reprs and URLs (with query strings that may hold tokens); the
cause is found by walking the chain and described with our own words.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from syndicate.errors import BlockedAddressError

# (exception types, message template, transient?) — first rule matching anything in the chain wins
_RULES: tuple[tuple[tuple[type[BaseException], ...], str, bool], ...] = (
    ((BlockedAddressError,), "{message}", False),
    ((socket.gaierror, urllib3.exceptions.NameResolutionError), "cannot resolve host {host}", False),
    ((ConnectionRefusedError,), "connection refused by {host}", True),
    (
        (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError),
        "connecting to {host} timed out",
        True,
    ),
    (
        (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError),
        "{host} stopped sending data (read timeout)",
        True,
    ),
    ((ssl.SSLCertVerificationError,), "TLS certificate of {host} not accepted: {tls}", False),
    ((ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError), "TLS error with {host}: {tls}", False),
    ((ConnectionResetError,), "connection reset by {host}", True),
    (
        (
            http.client.RemoteDisconnected,
            http.client.IncompleteRead,
            urllib3.exceptions.ProtocolError,
            requests.exceptions.ChunkedEncodingError,
        ),
        "connection to {host} broken before the response was complete",
        True,
    ),
    ((http.client.HTTPException,), "{host} sent an invalid HTTP response", True),
    ((requests.exceptions.InvalidHeader,), "invalid request header (check the source's headers)", False),
    (
        (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema),
        "invalid URL",
        False,
    ),
    ((OSError,), "connection to {host} failed", True),
)


def display_host(url: str) -> str:
    """``host`` or ``host:port`` of a URL, never its credentials, path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "the server"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def causes(exc: BaseException, *, limit: int = 12) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (``reason``, exception ``args``, ``__cause__``, ``__context__``)."""
    seen: set[int] = set()
    queue: list[BaseException] = [exc]
    while queue and len(seen) < limit:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [
            getattr(current, "reason", None),
            *getattr(current, "args", ()),
            current.__cause__,
            current.__context__,
        ]
        queue.extend(item for item in linked if isinstance(item, BaseException))


def describe_network_error(exc: BaseException, url: str) -> tuple[str, bool]:
    """``(one-line message, transient)`` for an exception raised while talking to ``url``."""
    chain = list(causes(exc))
    for types, template, transient in _RULES:
        for item in chain:
            if isinstance(item, types):
                return template.format(host=display_host(url), message=str(item), tls=_tls_reason(item)), transient
    return f"request to {display_host(url)} failed ({type(exc).__name__})", True


def _tls_reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return str(exc.verify_message)
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        return reason.replace("_", " ").lower()
    return type(exc).__name__
