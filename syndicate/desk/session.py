"""Signed session cookies, CSRF tokens and the login rate limit.

A session is a cookie holding ``{"u": user, "e": expiry, "n": nonce}`` and an HMAC-SHA256 of it
under the desk's key; nothing is stored on the server. The CSRF token of a session is an HMAC of
its nonce, so a form copied from another session (or without one) is refused. Before login, a
short-lived nonce cookie plays the same part for the login form (double submit).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

SESSION_COOKIE = "syndicate_desk"
LOGIN_COOKIE = "syndicate_desk_login"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    expires: float
    nonce: str


class Signer:
    """Makes and checks session cookies and CSRF tokens with one secret key."""

    def __init__(self, key: bytes, ttl: float):
        self.key = key
        self.ttl = ttl

    def _mac(self, purpose: str, payload: str) -> str:
        return _b64(hmac.new(self.key, f"{purpose}|{payload}".encode(), hashlib.sha256).digest())

    def new_session(self, user: str, now: float | None = None) -> tuple[Session, str]:
        session = Session(user=user, expires=(now or time.time()) + self.ttl, nonce=secrets.token_urlsafe(16))
        payload = _b64(json.dumps({"u": session.user, "e": session.expires, "n": session.nonce}).encode())
        return session, f"{payload}.{self._mac('session', payload)}"

    def read_session(self, cookie: str | None, now: float | None = None) -> Session | None:
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = Session(user=str(data["u"]), expires=float(data["e"]), nonce=str(data["n"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > (now or time.time()) else None

    def csrf_token(self, nonce: str) -> str:
        return self._mac("csrf", nonce)

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce and token) and hmac.compare_digest(self.csrf_token(nonce or ""), token or "")


class LoginLimiter:
    """At most ``attempts`` failed logins per client address, and per user name, in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0):
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, keys: tuple[str, ...], now: float | None = None) -> float:
        """Seconds until another attempt is allowed for these keys (0: allowed now)."""
        now = now or time.monotonic()
        with self._lock:
            waits = [
                times[0] + self.window - now for key in keys if len(times := self._recent(key, now)) >= self.attempts
            ]
        return max(waits, default=0.0)

    def failed(self, keys: tuple[str, ...], now: float | None = None) -> None:
        now = now or time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # an address flood: forget the quiet ones
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeeded(self, keys: tuple[str, ...]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
