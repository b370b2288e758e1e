"""What an output says about its feed and each article, decided once for every format.

The Atom, RSS and JSON Feed renderers all draw from these facts, so the three
documents of one output agree on ids, dates, authors, rights, the licence
link, the ``via`` copy and the original's source feed. Everything here is
pure: no clock, no I/O; the same input gives the same facts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal, TypeVar
from urllib.parse import quote, urlsplit

from syndicate.config import OutputConfig, RightsConfig, Settings
from syndicate.models import Article
from syndicate.outputs.fulltext import excerpt_html, excerpt_text, in_full
from syndicate.outputs.text import clean, clean_or_none

Format = Literal["atom", "rss", "json"]
EXTENSIONS: dict[str, str] = {"atom": "atom", "rss": "rss", "json": "json"}
MEDIA_TYPES: dict[str, str] = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
GENERATOR = "syndicate"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UNTITLED = "(untitled)"
TOMBSTONE_COMMENT = "Withdrawn at the source."

# How a rights line is built when the source gave no statement: licence id → phrase.
LICENSE_PHRASES: dict[str, str] = {
    "all-rights-reserved": "All rights reserved.",
    "permission": "Republished with permission.",
}
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
# characters RFC 2141 allows in a URN's namespace-specific string without escaping
_URN_SAFE = "()+,-.:=@;$_!*'"


@dataclass(frozen=True, slots=True)
class ArchiveLinks:
    """RFC 5005 archive links.

    In the subscription document pass only ``prev_archive`` (the newest
    archive). An archive document sets ``current`` (the subscription
    document's URL), which also marks it with ``fh:archive``, plus
    ``prev_archive``/``next_archive`` for its neighbours. Render an archive
    document with an ``OutputConfig`` whose name is the archive's name (e.g.
    ``output.model_copy(update={"name": "all-archive-3"})``).
    """

    current: str | None = None
    prev_archive: str | None = None
    next_archive: str | None = None

    @property
    def is_archive(self) -> bool:
        return self.current is not None


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """The feed an entry was first published in (Atom ``source``, RSS ``<source>``)."""

    title: str | None
    id: str | None
    updated: datetime | None
    rights: str | None
    feed_url: str | None  # the feed document (self link)
    site_url: str | None  # the site (alternate link)
    license_url: str | None


@dataclass(frozen=True, slots=True)
class EntryFacts:
    id: str  # stable URN, the same in every output and format
    title: str
    url: str
    published: datetime | None
    updated: datetime
    authors: tuple[str, ...]
    summary: str
    content_html: str
    tags: tuple[str, ...]
    language: str | None  # a valid language tag or None
    rights_line: str | None
    license_url: str | None
    via_url: str | None  # the republisher's copy this article came through
    publisher: str | None
    source: SourceFacts | None
    article: Article
    full_text: bool = True  # False: the terms forbid republication; content is the excerpt and a link


@dataclass(frozen=True, slots=True)
class TombstoneFacts:
    ref: str
    when: datetime
    comment: str


@dataclass(frozen=True, slots=True)
class FeedFacts:
    name: str
    id: str
    title: str
    subtitle: str | None
    icon: str | None
    site_url: str
    self_url: str
    media_type: str
    hubs: tuple[str, ...]
    updated: datetime
    language: str | None
    archive: ArchiveLinks | None
    curator: str  # the feed-level author, used only when some entry names nobody
    entries: tuple[EntryFacts, ...]
    tombstones: tuple[TombstoneFacts, ...]

    @property
    def needs_author(self) -> bool:
        return any(not entry.authors for entry in self.entries)


# --------------------------------------------------------------------------
# small pure helpers
# --------------------------------------------------------------------------


def feed_filename(name: str, fmt: str) -> str:
    """``all`` + ``atom`` → ``all.atom``."""
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown feed format {fmt!r} (expected atom, rss or json)")
    return f"{name}.{EXTENSIONS[fmt]}"


def base_url_for(output: OutputConfig, settings: Settings) -> str:
    base = output.base_url or settings.base_url
    return base if base.endswith("/") else base + "/"


def document_url(output: OutputConfig, settings: Settings, fmt: str) -> str:
    """The public URL of one output document (its self link)."""
    return base_url_for(output, settings) + feed_filename(output.name, fmt)


def hubs_for(output: OutputConfig, settings: Settings) -> tuple[str, ...]:
    hubs = output.hubs if output.hubs is not None else settings.hubs
    return tuple(h for h in (clean_or_none(h) for h in hubs) if h)


def feed_id(output: OutputConfig, settings: Settings) -> str:
    """A stable id for the output, the same for its three formats."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, base_url_for(output, settings) + output.name))


def entry_id(article_id: str) -> str:
    """The article's stable URN, e.g. ``urn:syndicate:article:3f2a…``."""
    return "urn:syndicate:article:" + quote(clean(article_id) or "unknown", safe=_URN_SAFE)


def utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime without microseconds (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def rights_line(article: Article) -> str | None:
    """The statement as written, or a line built from the holder and the licence."""
    rights = article.rights
    statement = clean_or_none(rights.statement)
    if statement:
        return statement
    parts: list[str] = []
    holder = clean_or_none(rights.holder)
    if holder:
        parts.append(f"© {holder}.")
    license_id = clean_or_none(rights.license)
    if license_id:
        parts.append(LICENSE_PHRASES.get(license_id, f"Licensed under {license_id}."))
    return " ".join(parts) or None


def via_url(article: Article) -> str | None:
    """The republisher's copy the article came through, when it came through one."""
    canonical = article.url.rstrip("/")
    for copy in article.copies:
        url = clean_or_none(copy.url)
        if url and url.rstrip("/") != canonical:
            return url
    for republisher in article.attribution.republishers:
        url = clean_or_none(republisher.url)
        if url and url.rstrip("/") != canonical:
            return url
    return None


def web_url(value: str | None) -> str | None:
    """An http(s) URL to link to from a feed; anything else (``javascript:``, ``data:``, relative) is dropped.

    The feed-level URLs of a source (its site, its self link, licence links) come straight from
    the source's document, so they are checked here, where they enter an output.
    """
    text = clean_or_none(value)
    if not text:
        return None
    try:
        scheme = urlsplit(text.strip()).scheme.lower()
    except ValueError:
        return None
    return text if scheme in ("http", "https") else None


def _not_script(value: str | None) -> str | None:
    """An identifier as given (``tag:``, ``urn:``, a URL), unless it is a script or data URL."""
    text = clean_or_none(value)
    return None if text and _SCRIPT_URL.match(text) else text


_SCRIPT_URL = re.compile(r"\s*(javascript|vbscript|data|livescript):", re.I)


def site_root(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}/"


def source_facts(article: Article, line: str | None, entry_updated: datetime | None = None) -> SourceFacts | None:
    """The original's feed, from ``attribution.original_feed`` or else the original publisher and URL.

    Atom's ``source`` should carry an ``id`` and an ``updated`` (the W3C validator warns without
    them): a feed that gave no id is named by its feed URL, its site or else a UUID of its title,
    and one that gave no date is taken as updated when this entry was (it held the entry then).
    """
    attribution = article.attribution
    original = attribution.original_feed
    publisher = clean_or_none(attribution.original_publisher)
    if original is not None:
        licenses = [u for u in (web_url(x) for x in original.rights.license_urls) if u]
        facts = SourceFacts(
            title=clean_or_none(original.title) or publisher,
            id=_not_script(original.id) or web_url(original.url),
            updated=utc(original.updated),
            rights=clean_or_none(original.rights.statement) or line,
            feed_url=web_url(original.url),
            site_url=web_url(original.link) or site_root(web_url(attribution.original_url)),
            license_url=licenses[0] if licenses else web_url(article.rights.license_url),
        )
    elif publisher:
        facts = SourceFacts(
            title=publisher,
            id=None,
            updated=None,
            rights=line,
            feed_url=None,
            site_url=site_root(web_url(attribution.original_url) or web_url(article.url)),
            license_url=web_url(article.rights.license_url),
        )
    else:
        return None
    if not (facts.title or facts.id or facts.feed_url or facts.site_url):
        return None
    return replace(
        facts,
        id=facts.id or facts.feed_url or facts.site_url or _source_uuid(facts.title or ""),
        updated=facts.updated or utc(entry_updated),
    )


def _source_uuid(title: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "syndicate:source:" + title))


def _unique(values: Sequence[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        text = clean_or_none(value)
        if text and text not in seen:
            seen[text] = None
    return tuple(seen)


def entry_facts(article: Article, fallback_updated: datetime, *, full_text: bool = True) -> EntryFacts:
    """What every format says about ``article``; without ``full_text`` its body is an excerpt and a link."""
    published = utc(article.published)
    updated = utc(article.updated) or published or utc(article.first_seen) or fallback_updated
    authors = _unique(article.authors) or _unique([article.attribution.original_author])
    line = rights_line(article)
    language = clean_or_none(article.language)
    summary, content = clean(article.summary).strip(), clean(article.content_html)
    if not full_text:
        summary = excerpt_text(article)
        content = excerpt_html(article, summary)
    return EntryFacts(
        id=entry_id(article.id),
        title=clean_or_none(article.title) or UNTITLED,
        url=clean_or_none(article.url) or "",
        published=published,
        updated=updated,
        authors=authors,
        summary=summary,
        content_html=content,
        tags=_unique(article.tags),
        language=language if language and _LANGUAGE_TAG.match(language) else None,
        rights_line=line,
        license_url=web_url(article.rights.license_url),
        via_url=via_url(article),
        publisher=clean_or_none(article.attribution.original_publisher),
        source=source_facts(article, line, updated),
        article=article,
        full_text=full_text,
    )


def newest(articles: Sequence[Article], tombstones: Sequence[Article]) -> datetime:
    """The feed's ``updated``: the newest date among its articles and withdrawals, never "now"."""
    dates = [utc(a.updated) or utc(a.published) or utc(a.first_seen) for a in articles]
    dates += [utc(t.deleted_at) for t in tombstones]
    known = [d for d in dates if d is not None]
    return max(known) if known else EPOCH


def feed_facts(
    output: OutputConfig,
    fmt: str,
    articles: Sequence[Article],
    *,
    settings: Settings,
    tombstones: Sequence[Article] = (),
    archive: ArchiveLinks | None = None,
    updated: datetime | None = None,
    source_rights: Mapping[str, RightsConfig] | None = None,
) -> FeedFacts:
    """``source_rights`` (source name → ``[source].rights``) are the agreements ``full_text`` weighs."""
    feed_updated = utc(updated) or newest(articles, tombstones)
    rights = source_rights or {}
    entries = _unique_by_id(
        entry_facts(a, feed_updated, full_text=in_full(output.full_text, a, rights)) for a in articles
    )
    live = {entry.id for entry in entries}
    stones = _unique_by_id(
        TombstoneFacts(ref=entry_id(t.id), when=utc(t.deleted_at) or feed_updated, comment=TOMBSTONE_COMMENT)
        for t in tombstones
    )
    languages = _unique(list(output.languages))
    title = clean_or_none(output.title) or output.name
    site = clean_or_none(output.link) or base_url_for(output, settings)
    return FeedFacts(
        name=output.name,
        id=feed_id(output, settings),
        title=title,
        subtitle=clean_or_none(output.subtitle),
        icon=clean_or_none(output.icon),
        site_url=site,
        self_url=document_url(output, settings, fmt),
        media_type=MEDIA_TYPES[fmt],
        hubs=hubs_for(output, settings),
        updated=feed_updated,
        language=languages[0] if len(languages) == 1 and _LANGUAGE_TAG.match(languages[0]) else None,
        archive=archive,
        curator=title,
        entries=entries,
        tombstones=tuple(stone for stone in stones if stone.ref not in live),
    )


_T = TypeVar("_T", EntryFacts, TombstoneFacts)


def _unique_by_id(items: Iterable[_T]) -> tuple[_T, ...]:
    """The first of each id: an id repeated in one document makes it invalid (RFC 4287 §4.2.6)."""
    seen: set[str] = set()
    result = []
    for item in items:
        key = item.id if isinstance(item, EntryFacts) else item.ref
        if key not in seen:
            seen.add(key)
            result.append(item)
    return tuple(result)
