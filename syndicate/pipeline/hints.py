"""Polling hints a feed or its server gives: how long before asking again (pure)."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from syndicate.models import ParsedFeed

_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400, "yearly": 365 * 86400}
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.I)


def poll_hint(feed: ParsedFeed, headers: Mapping[str, str], now: datetime) -> float | None:
    """The longest of: RSS ``ttl``, ``sy:updatePeriod``/``updateFrequency``, ``Cache-Control: max-age``, ``Expires``.

    None when nothing is said. The caller never polls *more* often than configured because of a hint.
    """
    hints: list[float] = []
    if feed.ttl_minutes and feed.ttl_minutes > 0:
        hints.append(feed.ttl_minutes * 60.0)
    if feed.update_period:
        period = _PERIODS.get(feed.update_period.strip().lower())
        if period:
            hints.append(period / max(feed.update_frequency or 1, 1))
    cache_control = headers.get("cache-control", "")
    match = _MAX_AGE.search(cache_control)
    if match:
        hints.append(float(match.group(1)))
    elif headers.get("expires"):
        try:
            expires = email.utils.parsedate_to_datetime(headers["expires"])
        except (TypeError, ValueError):
            expires = None
        if expires is not None:
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            delta = (expires - now).total_seconds()
            if delta > 0:
                hints.append(delta)
    return max(hints) if hints else None


def skip_to_allowed(due: datetime, feed_skip_hours: tuple[int, ...], feed_skip_days: tuple[str, ...]) -> datetime:
    """Move ``due`` past the hours (UTC) and days an RSS feed says not to poll in."""
    from datetime import timedelta

    hours = set(feed_skip_hours)
    days = {d.strip().lower() for d in feed_skip_days}
    candidate = due
    for _ in range(24 * 8):
        if candidate.hour not in hours and candidate.strftime("%A").lower() not in days:
            return candidate
        candidate = (candidate + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return due
