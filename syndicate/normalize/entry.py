"""``normalize_entry``: one parsed entry → one :class:`~syndicate.models.NormalizedEntry`.

Pure and total: it never raises. On an input it cannot make sense of (a bug), it logs
and returns a minimal entry built only from safe, simple steps.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from syndicate.attribution.attribute import decide, feed_evidence, is_house_account, own_outlet
from syndicate.attribution.notices import Block, Verdict
from syndicate.attribution.rights import RightsClaim, claim_from_config, claim_from_raw, combine
from syndicate.config import SourceConfig
from syndicate.models import Attribution, NormalizedEntry, ParsedEntry, ParsedFeed, Rights
from syndicate.normalize.authors import normalize_authors, split_names, unique
from syndicate.normalize.body import clean_body, clean_text
from syndicate.normalize.hashing import content_hash
from syndicate.normalize.sanitize import sanitize
from syndicate.normalize.text import clean_line, first_words, html_to_text, summarize
from syndicate.normalize.urls import clean_url, is_absolute_http

log = logging.getLogger(__name__)

UNTITLED = "(untitled)"


def normalize_entry(entry: ParsedEntry, feed: ParsedFeed, source: SourceConfig) -> NormalizedEntry:
    """Clean and understand one copy of an article (see the README, "Attribution and rights")."""
    try:
        return _normalize(entry, feed, source)
    except Exception:  # a bug must not stop the other entries of the pass
        log.exception("normalize failed for an entry of source %s; keeping a minimal copy", source.name)
        return _minimal(entry, source)


def copy_url_of(entry: ParsedEntry, feed: ParsedFeed) -> str | None:
    """This copy's own link: the entry link, an alternate link, or a permalink guid; tracking removed."""
    base = feed.link or feed.self_url
    candidates = [entry.link, *(link.href for link in entry.links if link.rel == "alternate"), entry.guid]
    for candidate in candidates:
        url = clean_url(candidate, base)
        if url and is_absolute_http(url):
            return url
    return None


def _normalize(entry: ParsedEntry, feed: ParsedFeed, source: SourceConfig) -> NormalizedEntry:
    own = own_outlet(feed, source.publisher, source.name)
    copy_url = copy_url_of(entry, feed)
    base = copy_url or clean_url(feed.link) or None
    raw_body = entry.content_html or entry.summary_html or ""
    verdicts: dict[Block, Verdict] = {}  # paragraphs the summary shares with the content are scanned once
    language = clean_line(entry.language) or clean_line(source.language) or clean_line(feed.language) or None
    body = clean_body(raw_body, base, source.rules, verdicts, language)
    if entry.content_html and entry.summary_html:
        summary_text = clean_text(entry.summary_html, base, source.rules, verdicts, language) or body.text
    else:
        summary_text = body.text
    found = body.findings

    title = clean_line(entry.title) or first_words(body.text) or UNTITLED

    authors = normalize_authors(p.name or None for p in entry.authors)
    if not authors:
        authors = normalize_authors(entry.rights.creators)
    if not authors:
        authors = tuple(unique(found.authors or found.original_authors))
    if not authors and entry.source is not None:
        authors = normalize_authors(p.name for p in entry.source.authors)
    if not authors and entry.source is None:
        authors = normalize_authors(p.name for p in feed.authors)
    named = found.original_authors or found.authors
    if named and all(is_house_account(name, own, feed) for name in authors):
        authors = tuple(unique(named))  # "Authored by X via Y" beats the republisher's "Tyler Durden" or "admin"

    decision = decide(entry, feed, own=own, copy_url=copy_url, authors=authors, found=found)
    attribution = decision.attribution
    evidence = found.evidence + feed_evidence(entry, attribution) if attribution.original_publisher else found.evidence
    if evidence:
        attribution = replace(attribution, evidence=evidence)

    entry_license_links = [link.href for link in entry.links if link.rel == "license"]
    levels: list[RightsClaim] = [
        claim_from_config(source.rights),
        claim_from_raw(entry.rights, entry_license_links),
    ]
    if entry.source is not None:
        levels.append(claim_from_raw(entry.source.rights))
    if decision.is_original:
        # RFC 4287 §4.2.10: an entry without rights inherits the feed's; a republisher's feed-level
        # rights cover its compilation, not the articles it copies
        levels.append(claim_from_raw(feed.rights))
    levels.append(found.rights)
    rights = combine(levels)

    tags = tuple(unique(t for t in (clean_line(tag) for tag in (*entry.tags, *source.tags)) if t))
    url = decision.url or ""
    return NormalizedEntry(
        source=source.name,
        guid=clean_line(entry.guid) or None,
        copy_url=copy_url,
        url=url,
        title=title,
        published=entry.published or entry.updated,  # RSS 1.0 dc:date arrives as `updated` only
        updated=entry.updated,
        authors=authors,
        summary=summarize(summary_text),
        content_html=body.html,
        tags=tags,
        language=language,
        attribution=attribution,
        rights=rights,
        raw_hash=entry.raw_hash,
        content_hash=content_hash(title, url, body.html, authors, rights, attribution),
        is_original=decision.is_original,
        rights_configured=source.rights is not None,
    )


def _names(people: Iterable[str | None]) -> tuple[str, ...]:
    names: list[str] = []
    for person in people:
        names.extend(split_names(person))
    return tuple(unique(names))


def _minimal(entry: ParsedEntry, source: SourceConfig) -> NormalizedEntry:
    """A safe copy made of the simplest steps only (the fallback when normalizing hit a bug)."""
    try:
        content = sanitize(entry.content_html or entry.summary_html or "")
    except Exception:
        content = ""
    try:
        text = html_to_text(content)
    except Exception:
        text = ""
    title = clean_line(entry.title if isinstance(entry.title, str) else None) or UNTITLED
    copy_url = entry.link if isinstance(entry.link, str) and is_absolute_http(entry.link) else None
    try:
        authors = _names(p.name for p in entry.authors)
    except Exception:
        authors = ()
    attribution = Attribution()
    rights = Rights()
    return NormalizedEntry(
        source=source.name,
        guid=entry.guid if isinstance(entry.guid, str) else None,
        copy_url=copy_url,
        url=copy_url or "",
        title=title,
        published=entry.published or entry.updated,  # RSS 1.0 dc:date arrives as `updated` only
        updated=entry.updated,
        authors=authors,
        summary=summarize(text),
        content_html=content,
        tags=(),
        language=None,
        attribution=attribution,
        rights=rights,
        raw_hash=getattr(entry, "raw_hash", "") or "",
        content_hash=content_hash(title, copy_url or "", content, authors, rights, attribution),
        is_original=False,
        rights_configured=False,
    )
