"""``X-Hub-Signature: method=hex`` (WebSub §8): HMAC of the pushed body with the subscription's secret."""

from __future__ import annotations

import hashlib
import hmac

# the methods WebSub names; anything else is refused
METHODS: dict[str, str] = {"sha1": "sha1", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}


def sign(body: bytes, secret: str, method: str = "sha256") -> str:
    """The header value a hub sends for ``body``: ``sha256=<hex>``."""
    digest = hmac.new(secret.encode("utf-8"), body, getattr(hashlib, METHODS[method])).hexdigest()
    return f"{method}={digest}"


def verify_signature(header: str | None, body: bytes, secret: str) -> bool:
    """True only for a well-formed header whose HMAC matches (compared in constant time)."""
    if not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    method = method.strip().lower()
    if method not in METHODS:
        return False
    expected = sign(body, secret, method).partition("=")[2]
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("ascii", "replace"))
