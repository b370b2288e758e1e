"""The normalize stage: a parsed entry becomes one clean, understood copy of an article.

``normalize_entry(entry, feed, source)`` sanitizes the body, removes boilerplate after
reading it, and works out attribution and rights (see :mod:`syndicate.attribution`).
The helpers here (:mod:`.text`, :mod:`.urls`, :mod:`.authors`, :mod:`.sanitize`) are
also used by :mod:`syndicate.attribution`, so the entry point is imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicate.config import SourceConfig
    from syndicate.models import NormalizedEntry, ParsedEntry, ParsedFeed

__all__ = ["normalize_entry"]


def normalize_entry(entry: ParsedEntry, feed: ParsedFeed, source: SourceConfig) -> NormalizedEntry:
    """Clean and understand one copy of an article; pure, never raises (see the README, "Attribution and rights")."""
    from syndicate.normalize.entry import normalize_entry as normalize

    return normalize(entry, feed, source)
