"""Keeping secrets out of logs, errors, status rows and outputs.

Every secret the configuration resolves (``${VAR}`` values and ``*_file``
contents) is registered here; :func:`scrub` replaces each occurrence with
``***``. :class:`RedactingFilter` applies it to every log record, and the
store scrubs every error text before saving it.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
MASK = "***"
# credentials in URLs (https://user:pass@host) and common auth query parameters
_URL_USERINFO = re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:access_token|token|api_key|apikey|key|password|secret)=)[^&\s]+")


def register(secret: str) -> None:
    """Remember a secret so that :func:`scrub` hides it. Short values (< 4 chars) are ignored."""
    global _pattern
    if not secret or len(secret) < 4:
        return
    with _lock:
        if secret in _secrets:
            return
        _secrets.add(secret)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def scrub(text: str) -> str:
    """``text`` with every registered secret and URL credential masked."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _URL_USERINFO.sub(MASK + "@", text)
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, text)


def scrub_any(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_any(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_any(v) for v in value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs the formatted message and any extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the caller's bug; keep the record
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key.startswith("ev_"):
                record.__dict__[key] = scrub_any(value)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
