"""Outbound feeds: Atom 1.0, RSS 2.0 and JSON Feed 1.1 documents for each ``[[output]]``.

:func:`render_feed` is pure (same articles, same bytes; the feed's date is
the newest article's, never "now"), :func:`write_if_changed` writes a
document atomically only when its bytes changed, and
:mod:`syndicate.outputs.websub` tells WebSub hubs about changed documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Literal

from syndicate.config import OutputConfig, RightsConfig, Settings
from syndicate.models import Article
from syndicate.outputs.facts import (
    MEDIA_TYPES,
    ArchiveLinks,
    FeedFacts,
    document_url,
    feed_facts,
    feed_filename,
)
from syndicate.outputs.files import write_if_changed

__all__ = [
    "MEDIA_TYPES",
    "ArchiveLinks",
    "document_url",
    "feed_filename",
    "render_feed",
    "write_if_changed",
]

FORMATS = ("atom", "rss", "json")


def _renderer(fmt: str) -> Callable[[FeedFacts], bytes]:
    """The renderer of one format, imported on first use (feedgen and lxml are not needed to start)."""
    if fmt == "json":
        from syndicate.outputs.jsonfeed import render_json

        return render_json
    from syndicate.outputs.xmlfeeds import render_atom, render_rss

    return render_atom if fmt == "atom" else render_rss


def render_feed(
    output: OutputConfig,
    fmt: Literal["atom", "rss", "json"],
    articles: Sequence[Article],
    *,
    settings: Settings,
    tombstones: Sequence[Article] = (),
    archive: ArchiveLinks | None = None,
    updated: datetime | None = None,
    source_rights: Mapping[str, RightsConfig] | None = None,
) -> bytes:
    """One output document. ``articles`` are already selected and ordered newest first.

    ``tombstones`` are withdrawn articles (``deleted_at`` set), written as
    RFC 6721 ``at:deleted-entry`` in Atom and ``_syndicate.deleted`` in JSON.
    ``updated`` overrides the feed-level date (default: the newest article's).
    ``source_rights`` (source name → its ``[source].rights``) are the agreements the
    output's ``full_text = "allowed"`` weighs (:mod:`syndicate.outputs.fulltext`).
    Atom and RSS link the browser stylesheet unless ``output.stylesheet`` is off
    (:mod:`syndicate.outputs.stylesheet`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown feed format {fmt!r} (expected atom, rss or json)")
    facts = feed_facts(
        output, fmt, articles, settings=settings, tombstones=tombstones, archive=archive, updated=updated,
        source_rights=source_rights,
    )
    data = _renderer(fmt)(facts)
    if fmt != "json" and output.stylesheet:
        from syndicate.outputs.stylesheet import with_stylesheet

        data = with_stylesheet(data)
    return data
