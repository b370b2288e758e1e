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
  on a server trickling one byte a second returns. One daemon thread per process
  (:class:`_Reaper`) keeps every watchdog's time, so a request starts no thread.

Sessions from :func:`build_session` are safe to share between threads: requests
are prepared without the session (no merged state), cookies are refused,
``trust_env`` is off (no proxies or ``.netrc`` credentials picked up from the
environment), and the urllib3 pool manager underneath is thread-safe.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
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


class _Reaper:
    """One daemon thread that fires each scheduled :class:`Watchdog` when its time comes.

    Watchdogs are kept in a heap by firing time; one that ended first is dropped
    when it reaches the top (it only holds its lock and an empty list by then).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def after_fork(self) -> None:
        """In a forked child the thread is gone and the lock may be held: start afresh."""
        self._cond = threading.Condition()
        self._heap = []
        self._thread = None

    def schedule(self, when: float, watchdog: Watchdog) -> None:
        """Fire ``watchdog`` at ``when`` (on the monotonic clock) unless it has ended by then."""
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fetch-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (when, next(self._order), watchdog))
            if self._heap[0][2] is watchdog:  # the earliest now: wake the thread to wait less
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    while self._heap and self._heap[0][2].ended:
                        heapq.heappop(self._heap)
                    if not self._heap:
                        self._cond.wait()
                        continue
                    delay = self._heap[0][0] - time.monotonic()
                    if delay <= 0:
                        due = heapq.heappop(self._heap)[2]
                        break
                    self._cond.wait(delay)
            with contextlib.suppress(Exception):  # one watchdog's failure must not stop the others' clocks
                due.fire()


_reaper = _Reaper()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reaper.after_fork)


class Watchdog:
    """Shuts down every socket of one fetch once its deadline has passed.

    The clock starts with the first socket (after the fetch got its per-host
    slot), is kept by the process's :class:`_Reaper` thread and stops when the fetch ends. Each
    socket is watched through a duplicate of its descriptor: shutting that down
    ends reads on the original too, even after TLS wrapping has moved the
    descriptor into another socket object (so a trickled handshake is cut off as well).
    """

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._lock = threading.Lock()
        self._watched: list[tuple[socket.socket, socket.socket | None]] = []  # (socket, duplicate)
        self._scheduled = False
        self._over = False
        self.fired = False

    @property
    def ended(self) -> bool:
        """The fetch is over (the reaper forgets this watchdog)."""
        return self._over

    def watch(self, sock: socket.socket, *, duplicate: bool = True) -> None:
        """Watch ``sock``; through a duplicate descriptor when TLS wrapping is still to come."""
        with self._lock:
            if self.fired:
                _shutdown(sock)
                return
            if not any(known is sock for known, _twin in self._watched):
                twin: socket.socket | None = None
                if duplicate:
                    with contextlib.suppress(OSError):
                        twin = socket.fromfd(sock.fileno(), sock.family, sock.type)
                self._watched.append((sock, twin))
            if not self._scheduled and not self._over:
                self._deadline.start()
                self._scheduled = True
                _reaper.schedule(time.monotonic() + self._deadline.remaining(), self)

    def fire(self) -> None:
        """The deadline has passed: shut down every watched socket (nothing once the fetch is over)."""
        with self._lock:
            if self._over:
                return
            self.fired = True
            for sock, twin in self._watched:
                _shutdown(twin if twin is not None else sock)

    def cancel(self) -> None:
        """The fetch is over: stop the clock and let go of the duplicates (the sockets stay usable)."""
        with self._lock:
            self._over = True
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


def _admit(sock: socket.socket, *, wrapped_later: bool = False) -> None:
    """Check and watch a socket before a request is written to it (``wrapped_later``: a new
    socket that TLS will wrap, so the watchdog holds a duplicate of its descriptor)."""
    context: GuardContext | None = getattr(_local, "context", None)
    if context is None:
        return
    peer = str(sock.getpeername()[0])
    if not context.allow_private:
        check_address(peer)
    context.peers.append(peer)
    if context.watchdog is not None:
        context.watchdog.watch(sock, duplicate=wrapped_later)


class _AdmitsItsSocket:
    """Checks the address a socket actually connected to before any request bytes leave: on a new
    connection and on one reused from the pool (for TLS, the wrapped socket — the plain one was
    detached by the handshake)."""

    sock: socket.socket | None
    tls = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        try:
            _admit(sock, wrapped_later=self.tls)
        except BaseException:
            sock.close()
            raise
        return sock

    def request(
        self, method: str, url: str, body: Any = None, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        if self.sock is not None:
            _admit(self.sock)
        super().request(method, url, body=body, headers=headers, **kwargs)  # type: ignore[misc]


class GuardedHTTPConnection(_AdmitsItsSocket, HTTPConnection):  # type: ignore[misc]
    pass


class GuardedHTTPSConnection(_AdmitsItsSocket, HTTPSConnection):  # type: ignore[misc]
    tls = True


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


def prepare_get(url: str, headers: Mapping[str, str]) -> requests.PreparedRequest:
    """``requests.Request("GET", url, headers=headers).prepare()`` without the cookie jar it builds
    for every request (our sessions refuse cookies, so it would always be empty)."""
    request = requests.PreparedRequest()
    request.prepare_method("GET")
    request.prepare_url(url, None)
    request.prepare_headers(headers)
    request.prepare_body(None, None)
    request.prepare_auth(None, url)  # user:pass@ in the URL
    return request


def send(
    session: requests.Session, request: requests.PreparedRequest, timeout: tuple[float, float]
) -> requests.Response:
    """``session.send(request, stream=True, allow_redirects=False)`` for a :func:`build_session` session,
    straight to its adapter: with ``trust_env`` off, no proxies, no hooks and no cookies, the session
    adds nothing but per-request lookups."""
    adapter = session.get_adapter(request.url or "")
    verify = session.verify if session.verify is not None else True
    return adapter.send(request, stream=True, timeout=timeout, verify=verify, cert=session.cert, proxies={})

