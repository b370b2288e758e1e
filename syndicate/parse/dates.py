"""Dates from feeds as timezone-aware UTC datetimes; nonsense becomes None, never an exception."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from feedparser.datetimes import _parse_date  # feedparser's own tolerant date parser

EARLIEST_YEAR = 1900  # earlier years are placeholders or overflows, not publication dates
LATEST_YEAR = 2200


def _sane(value: datetime) -> datetime | None:
    return value if EARLIEST_YEAR <= value.year <= LATEST_YEAR else None


def from_struct_time(value: Any) -> datetime | None:
    """A ``time.struct_time`` (UTC, as feedparser returns it) as an aware datetime."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return _sane(datetime(*value[:6], tzinfo=UTC))
    except (ValueError, OverflowError, TypeError):
        return None


def parse_date_text(value: Any) -> datetime | None:
    """RFC 3339 first (JSON Feed, Atom), then whatever feedparser's date parsers accept."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            return from_struct_time(_parse_date(text))
        except Exception:  # feedparser's date handlers are many and loose; a bad date is no date
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return _sane(parsed.astimezone(UTC))
    except (ValueError, OverflowError):
        return None
