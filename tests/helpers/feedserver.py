"""A real HTTP server on 127.0.0.1 that serves feeds the way real sites do (and misbehave).

Routes are set per path: a body with ETag/Last-Modified and 304 support, a status
with headers, or "garbage". Every request is recorded so tests can assert what a
client sent (conditional headers, user agent, concurrency).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml; charset=utf-8"
    validators: bool = True  # send ETag + Last-Modified and answer 304


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with server.lock:
                    server.requests.append(Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                    route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
                    return
                headers = {"Content-Type": route.content_type, **route.headers}
                if route.status == 200 and route.validators:
                    etag = '"' + hashlib.md5(route.body).hexdigest() + '"'
                    headers["ETag"] = etag
                    headers["Last-Modified"] = "Tue, 24 Nov 2026 10:00:00 GMT"
                    if self.headers.get("If-None-Match") == etag:
                        self._send(304, b"", {"ETag": etag})
                        return
                self._send(route.status, route.body, headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes | str, **kwargs: Any) -> str:
        data = body.encode() if isinstance(body, str) else body
        with self.lock:
            self.routes[path] = Route(body=data, **kwargs)
        return self.url(path)

    def requests_to(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
