"""A local WebSub hub on 127.0.0.1 that speaks the protocol (W3C WebSub §5–8).

It accepts (un)subscription requests with 202, verifies intent asynchronously by
calling the subscriber's callback with a random ``hub.challenge`` (and the lease it
grants), and pushes content signed with the subscriber's ``hub.secret``. Like a real
hub it ends a subscription whose lease has run out (pushes stop; a lease renewed too
late is counted in ``lapses``), can deny a subscription (§5.2), refuse requests, and
send thin pings (a signed empty body) as well as fat ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import requests


@dataclass
class HubSubscription:
    topic: str
    callback: str
    secret: str | None
    lease_seconds: int
    verified: bool = False
    expires: float = float("inf")  # time.monotonic() when the lease ends

    def live(self) -> bool:
        return self.verified and time.monotonic() < self.expires


@dataclass
class Verification:
    mode: str
    topic: str
    status: int
    echoed: bool
    at: float = 0.0  # time.monotonic()


@dataclass
class LocalHub:
    lease_seconds: int = 3600
    requests: list[dict[str, str]] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    subscriptions: dict[tuple[str, str], HubSubscription] = field(default_factory=dict)
    lapses: list[str] = field(default_factory=list)  # topics whose lease ended before it was renewed
    refuse: bool = False  # answer subscription requests with 400 (as a hub at quota does)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                moved = {"/moved-for-now": 307, "/moved-for-good": 308}.get(self.path)  # the hub changed its URL
                status = moved or (hub.accept(form) if self.path == "/hub" else 400)
                self.send_response(status)
                if moved:
                    self.send_header("Location", "/hub")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hub"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    # -- the hub's side of subscribing ------------------------------------

    def accept(self, form: dict[str, str]) -> int:
        mode, topic, callback = form.get("hub.mode"), form.get("hub.topic"), form.get("hub.callback")
        if mode not in ("subscribe", "unsubscribe") or not topic or not callback or self.refuse:
            return 400
        with self.changed:
            self.requests.append(form)
            self.changed.notify_all()
        threading.Thread(target=self._verify, args=(form,), daemon=True).start()
        return 202

    def _verify(self, form: dict[str, str]) -> None:
        mode, topic, callback = form["hub.mode"], form["hub.topic"], form["hub.callback"]
        challenge = secrets.token_urlsafe(16)
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            query["hub.lease_seconds"] = str(self.lease_seconds)
        try:
            answer = requests.get(callback + "?" + urlencode(query), timeout=10)
        except requests.RequestException:  # the subscriber is gone (a test that ended): no verification
            return
        echoed = answer.status_code // 100 == 2 and answer.text == challenge
        now = time.monotonic()
        with self.changed:
            self.verifications.append(Verification(mode, topic, answer.status_code, echoed, now))
            if echoed and mode == "subscribe":
                previous = self.subscriptions.get((topic, callback))
                if previous is not None and not previous.live():
                    self.lapses.append(topic)
                self.subscriptions[(topic, callback)] = HubSubscription(
                    topic, callback, form.get("hub.secret"), self.lease_seconds, verified=True,
                    expires=now + self.lease_seconds,
                )
            elif echoed:
                self.subscriptions.pop((topic, callback), None)
            self.changed.notify_all()

    def wait_until(self, predicate: Any, timeout: float = 15) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)

    # -- content distribution --------------------------------------------

    def push(self, topic: str, body: bytes, *, content_type: str = "application/atom+xml",
             method: str = "sha256", forge: bool = False, sign: bool = True,
             link_self: str | None = None, link_hub: str | None = None) -> list[int]:
        """POST ``body`` (empty: a thin ping) to every live subscriber of ``topic``; their HTTP statuses.

        ``link_self``/``link_hub`` change what the ``Link`` header names (a hub's bug, or a forgery)."""
        with self.lock:
            targets = [s for s in self.subscriptions.values() if s.topic == topic and s.live()]
        statuses = []
        for sub in targets:
            link = f'<{link_hub or self.url}>; rel="hub", <{link_self or topic}>; rel="self"'
            headers = {"Content-Type": content_type, "Link": link}
            if sign and sub.secret:
                key = ("not-the-secret" if forge else sub.secret).encode()
                headers["X-Hub-Signature"] = f"{method}={hmac.new(key, body, getattr(hashlib, method)).hexdigest()}"
            statuses.append(requests.post(sub.callback, data=body, headers=headers, timeout=10).status_code)
        return statuses

    def deny(self, topic: str, reason: str = "denied by policy") -> list[int]:
        """§5.2: tell every subscriber of ``topic`` its subscription is denied (and drop it); their statuses."""
        with self.lock:
            targets = [s for s in self.subscriptions.values() if s.topic == topic]
            for sub in targets:
                self.subscriptions.pop((sub.topic, sub.callback), None)
        query = {"hub.mode": "denied", "hub.topic": topic, "hub.reason": reason}
        return [requests.get(sub.callback + "?" + urlencode(query), timeout=10).status_code for sub in targets]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
