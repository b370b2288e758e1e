"""A webhook receiver on 127.0.0.1 that counts every request per delivery, duplicates included."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # Idempotency-Key -> requests received
        self.accepted: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> first event
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key") or ""
                with receiver.lock:
                    receiver.requests[key] += 1
                    duplicate = key in receiver.accepted
                    if not duplicate:
                        receiver.accepted[key] = body
                answer = json.dumps({"id": key, "duplicate": duplicate}).encode()
                self.send_response(200 if duplicate else 201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def created(self) -> set[str]:
        """Delivery ids of the create events received."""
        with self.lock:
            return {e["delivery_id"] for e in self.accepted.values() if e.get("event") == "create"}

    def resent(self) -> dict[str, int]:
        """Keys that arrived more than once."""
        with self.lock:
            return {k: n for k, n in self.requests.items() if n > 1}

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.accepted.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
