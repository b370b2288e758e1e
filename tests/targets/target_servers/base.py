"""A threaded HTTP server on 127.0.0.1 that records every request and can be told to misbehave.

Subclasses implement ``handle(request) -> Reply``. ``limit(n, window)`` makes the
server answer like its real counterpart once more than ``n`` writes arrive within
``window`` seconds (each server renders its own 429).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def form(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)

    def form_value(self, name: str) -> str | None:
        for key, value in self.form:
            if key == name:
                return value
        return None

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list → JSON, bytes/str → as is
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, body: Any, **headers: str) -> Reply:
    return Reply(status, body, dict(headers))


class RecordingServer:
    """Start with ``with Server() as server:``; ``server.url`` is its base URL."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self._canned: list[tuple[Callable[[Request], bool], Reply]] = []
        self._limit: tuple[int, float] | None = None
        self._writes: list[float] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                reply = outer._dispatch(request)
                payload = reply.body
                data: bytes
                if isinstance(payload, (dict, list)):
                    data = json.dumps(payload).encode()
                    reply.headers.setdefault("Content-Type", "application/json; charset=utf-8")
                elif isinstance(payload, str):
                    data = payload.encode()
                else:
                    data = payload or b""
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> RecordingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- misbehaving on demand ---------------------------------------------------

    def answer_next(self, reply: Reply, when: Callable[[Request], bool] = lambda r: True) -> None:
        """Answer the next request that matches ``when`` with ``reply`` instead of handling it."""
        with self.lock:
            self._canned.append((when, reply))

    def limit(self, writes: int, window: float) -> None:
        """Allow ``writes`` POST/PUT/DELETE requests per ``window`` seconds; then ``rate_limited()``."""
        with self.lock:
            self._limit = (writes, window)
            self._writes.clear()

    def rate_limited(self, request: Request, wait: float) -> Reply:
        return json_reply(429, {"error": "Too many requests"}, **{"Retry-After": str(int(wait + 0.999))})

    def _dispatch(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            for index, (when, reply) in enumerate(self._canned):
                if when(request):
                    del self._canned[index]
                    return reply
            if self._limit is not None and request.method in ("POST", "PUT", "DELETE", "PATCH"):
                writes, window = self._limit
                now = time.time()
                self._writes = [t for t in self._writes if t > now - window]
                if len(self._writes) >= writes:
                    return self.rate_limited(request, self._writes[0] + window - now)
                self._writes.append(now)
            return self.handle(request)

    def handle(self, request: Request) -> Reply:
        return json_reply(404, {"error": "not found"})

    def count(self, method: str, path_prefix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.method == method and r.path.startswith(path_prefix))
