"""A forwarding proxy in front of a real server (WordPress, Ghost), for answers the real one
cannot be made to give on demand (a host's or WAF's 429). Everything else is passed through."""

from __future__ import annotations

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

    def handle(self, request: Request) -> Reply:
        query = urlencode(request.query, doseq=True)
        url = self.upstream + request.path + (f"?{query}" if query else "")
        headers = {k: v for k, v in request.headers.items() if k not in HOP}
        if self.host_header:
            headers["Host"] = self.host_header
        response = self.session.request(request.method, url, headers=headers, data=request.body,
                                        allow_redirects=False, timeout=60)
        out = {k: v for k, v in response.headers.items() if k.lower() not in HOP}
        return Reply(response.status_code, response.content, out)
