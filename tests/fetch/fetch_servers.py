"""Real servers on loopback for the fetch tests (imported by conftest.py and the tests).

``FeedServer`` is a threaded ``http.server`` whose answers are set per path and
which records every request (path, headers) and how many were in flight at
once. ``RawServer`` runs a script on each accepted socket, for servers that
misbehave below HTTP (trickling, endless, silent).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from syndicate.config import Settings, SourceConfig
from syndicate.models import SourceState

DATA = Path(__file__).resolve().parents[1] / "data" / "fetch"
FEED = (DATA / "feed.atom").read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hold the request before answering (for concurrency tests)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]  # lower-cased names


Route = Callable[[Seen, int], Reply]  # (request, how many times this path was requested) → reply


class FeedServer:
    """A threaded HTTP/1.1 server on ``host`` (127.0.0.1 unless told)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                request = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.seen.append(request)
                    count = sum(1 for s in server.seen if s.path == self.path)
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    route = server.routes.get(self.path.split("?", 1)[0])
                    reply = route(request, count) if route else Reply(404, b"no such path")
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    with server._lock:
                        server.active -= 1
                self.send_response(reply.status)
                headers = {"Content-Length": str(len(reply.body)), **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.status != 304:
                    try:
                        self.wfile.write(reply.body)
                    except (BrokenPipeError, ConnectionResetError):  # the client stopped reading on purpose
                        self.close_connection = True

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str = "/feed") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, reply: Reply | Route) -> str:
        """Answer ``path`` with ``reply`` (or a function of the request); returns its URL."""
        if isinstance(reply, Reply):
            fixed = reply

            def answer(_request: Seen, _count: int) -> Reply:
                return fixed

            self.routes[path] = answer
        else:
            self.routes[path] = reply
        return self.url(path)

    def hits(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path is None or s.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RawServer:
    """Accepts TCP connections on loopback and runs ``script(sock, stop)`` on each, in a thread."""

    def __init__(self, script: Callable[[socket.socket, threading.Event], None]) -> None:
        self.script = script
        self.stop = threading.Event()
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/feed") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            try:
                _read_request_head(conn)
                self.script(conn, self.stop)
            except OSError:  # the client hung up: that is what these tests want
                pass

    def close(self) -> None:
        self.stop.set()
        self._listener.close()


def _read_request_head(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def settings(**overrides: object) -> Settings:
    """Test settings: short timeouts and deadline unless a test says otherwise."""
    values: dict[str, object] = {"connect_timeout": 2, "read_timeout": 2, "deadline": 6, "max_bytes": 1024 * 1024}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


FAST_BACKOFF = 0.01  # seconds before the first retry, so retry tests stay quick


def source(url: str, **overrides: object) -> SourceConfig:
    return SourceConfig(name="test-source", url=url, **overrides)  # type: ignore[arg-type]


def state(url: str, **overrides: object) -> SourceState:
    return SourceState(name="test-source", url=url, **overrides)  # type: ignore[arg-type]


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loopback_alias_available() -> bool:
    """127.0.0.2 can be bound (true on Linux; macOS needs an alias)."""
    try:
        with socket.create_server(("127.0.0.2", 0)):
            return True
    except OSError:
        return False
