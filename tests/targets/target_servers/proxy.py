"""A forwarding proxy in front of a real server (WordPress, Ghost), for answers the real one
cannot be made to give on demand (a host's or WAF's 429). Everything else is passed through.

``kill_sender_after(pid, when)``: once a request matching ``when`` has been forwarded and the
real server has answered (the post is made), SIGKILL process ``pid`` before the answer goes
back: a crash between the target's answer and the ledger's record, from the outside.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from urllib.parse import urlencode

import requests

from target_servers.base import RecordingServer, Reply, Request

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


class FaultProxy(RecordingServer):
    def __init__(self, upstream: str, host_header: str | None = None) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self.host_header = host_header
        self.session = requests.Session()
        self._kill: tuple[int, Callable[[Request], bool]] | None = None

    def kill_sender_after(self, pid: int, when: Callable[[Request], bool]) -> None:
        """SIGKILL ``pid`` once the real server has answered the first request matching ``when``."""
        with self.lock:
            self._kill = (pid, when)

    def handle(self, request: Request) -> Reply:
        query = urlencode(request.query, doseq=True)
        url = self.upstream + request.path + (f"?{query}" if query else "")
        headers = {k: v for k, v in request.headers.items() if k not in HOP}
        if self.host_header:
            headers["Host"] = self.host_header
        response = self.session.request(request.method, url, headers=headers, data=request.body,
                                        allow_redirects=False, timeout=60)
        out = {k: v for k, v in response.headers.items() if k.lower() not in HOP}
        with self.lock:
            kill, self._kill = self._kill, None
            if kill is not None and not kill[1](request):
                self._kill, kill = kill, None
        if kill is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(kill[0], signal.SIGKILL)
        return Reply(response.status_code, response.content, out)
