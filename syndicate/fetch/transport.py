"""The HTTP plumbing under :class:`~syndicate.fetch.Fetcher`: a requests session whose
connections are checked against the SSRF guard and watched by a deadline.

requests/urllib3 give no hook between "socket connected" and "request sent", so
the adapter installs its own urllib3 connection classes. Before a request goes
out on a socket (new or reused from the pool) they consult the fetch running in
this thread (:func:`guarded`):

* unless private networks are allowed for this hop, the address the socket is
  actually connected to (``getpeername``) must be public — this is what defeats
  DNS rebinding, since the pre-flight :func:`~syndicate.fetch.guard.check_url_allowed`
  looked at an earlier DNS answer;
* the socket is handed to a :class:`Watchdog` that shuts it down when the
  fetch's :class:`~syndicate.fetch.deadline.Deadline` runs out, so a read blocked
  on a server trickling one byte a second returns.

Sessions from :func:`build_session` are safe to share between threads: requests
are prepared without the session (no merged state), cookies are refused,
``trust_env`` is off (no proxies or ``.netrc`` credentials picked up from the
environment), and the urllib3 pool manager underneath is thread-safe.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from syndicate.fetch.deadline import Deadline
from syndicate.fetch.guard import check_address

_local = threading.local()


class Watchdog:
    """Shuts down every socket of one fetch once its deadline has passed.

    The timer starts with the first socket (after the fetch got its per-host
    slot), runs in a daemon thread and is cancelled when the fetch ends. Each
    socket is watched through a duplicate of its descriptor: shutting that down
    ends reads on the original too, even after TLS wrapping has moved the
    descriptor into another socket object (so a trickled handshake is cut off as well).
    """

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._lock = threading.Lock()
        self._watched: list[tuple[socket.socket, socket.socket | None]] = []  # (socket, duplicate)
        self._timer: threading.Timer | None = None
        self._over = False
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.fired:
                _shutdown(sock)
                return
            if not any(known is sock for known, _twin in self._watched):
                try:
                    twin: socket.socket | None = socket.fromfd(sock.fileno(), sock.family, sock.type)
                except OSError:
                    twin = None
                self._watched.append((sock, twin))
            if self._timer is None and not self._over:
                self._deadline.start()
                self._timer = threading.Timer(self._deadline.remaining(), self._fire)
                self._timer.daemon = True
                self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.fired = True
            for sock, twin in self._watched:
                _shutdown(twin if twin is not None else sock)

    def cancel(self) -> None:
        """The fetch is over: stop the timer and let go of the duplicates (the sockets stay usable)."""
        with self._lock:
            self._over = True
            if self._timer is not None:
                self._timer.cancel()
            for _sock, twin in self._watched:
                if twin is not None:
                    twin.close()
            self._watched = []


def _shutdown(sock: socket.socket) -> None:
    """Make blocked reads on ``sock`` return, without touching TLS state from this thread."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket method, also for SSLSocket


@dataclass
class GuardContext:
    """What the connection classes need to know about the fetch running in this thread."""

    allow_private: bool
    watchdog: Watchdog | None = None
    peers: list[str] = field(default_factory=list)  # addresses contacted, for logs and tests


@contextmanager
def guarded(deadline: Deadline | None, *, allow_private: bool) -> Iterator[GuardContext]:
    """Apply the SSRF guard and the deadline to requests made in this thread by a
    :func:`build_session` session. ``allow_private`` may be changed per hop on the
    yielded context."""
    context = GuardContext(allow_private=allow_private, watchdog=Watchdog(deadline) if deadline else None)
    previous = getattr(_local, "context", None)
    _local.context = context
    try:
        yield context
    finally:
        _local.context = previous
        if context.watchdog is not None:
            context.watchdog.cancel()


def _admit(sock: socket.socket) -> None:
    """Check and watch a socket before a request is written to it."""
    context: GuardContext | None = getattr(_local, "context", None)
    if context is None:
        return
    peer = str(sock.getpeername()[0])
    if not context.allow_private:
        check_address(peer)
    context.peers.append(peer)
    if context.watchdog is not None:
        context.watchdog.watch(sock)


class GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        try:
            _admit(sock)
        except BaseException:
            sock.close()
            raise
        return sock

    def request(  # type: ignore[override]
        self, method: str, url: str, body: Any = None, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        if self.sock is not None:  # a connection reused from the pool
            _admit(self.sock)
        super().request(method, url, body=body, headers=headers, **kwargs)


class GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        try:
            _admit(sock)
        except BaseException:
            sock.close()
            raise
        return sock

    def request(  # type: ignore[override]
        self, method: str, url: str, body: Any = None, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        if self.sock is not None:  # the TLS socket (the plain one was detached by the handshake)
            _admit(self.sock)
        super().request(method, url, body=body, headers=headers, **kwargs)


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """An :class:`HTTPAdapter` whose pools use the guarded connection classes."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }


def build_session(pool_size: int) -> requests.Session:
    """A session for many threads at once: ``pool_size`` host pools of up to
    ``pool_size`` connections each, no retries (callers retry), no cookies, no
    environment proxies or credentials."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers.clear()
    adapter = GuardedAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
