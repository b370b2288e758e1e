"""The project's own typed data, shared by every stage.

Data flows one way: ``FetchResult`` → ``ParsedFeed`` (with ``ParsedEntry``) →
``NormalizedEntry`` (one copy of an article, as one source carries it) →
``Article`` (all copies merged; what outputs and crossposts use).

Everything here is a frozen, slotted dataclass of plain values (str, int,
datetime, tuples), so it pickles cheaply into a process pool or a Celery task
and compares by value in tests. Third-party shapes (feedparser dicts,
``struct_time``, HTTP responses) never cross a stage boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, Literal

# --------------------------------------------------------------------------
# fetch
# --------------------------------------------------------------------------

FetchStatus = Literal["ok", "not-modified", "gone", "error"]


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about a source between fetches."""

    name: str
    url: str  # the URL to fetch now (after permanent redirects)
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of fetching one source. ``body`` is set only when ``status == "ok"``."""

    source: str
    status: FetchStatus
    url: str  # the URL that was requested
    final_url: str | None = None  # set when a permanent redirect (301/308) moved the feed
    http_status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # one line, no secrets
    retry_after: float | None = None  # seconds, from Retry-After on 429/503
    elapsed: float = 0.0
    # when the fetch started (epoch seconds): the ingest of its entries, if redone after a lost
    # worker, recognizes what the earlier try wrote and counts it the same
    fetched_at: float | None = None


# --------------------------------------------------------------------------
# parse
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    rel: str = "alternate"
    type: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class RawRights:
    """Rights and attribution elements exactly as a feed states them (entry or feed level).

    Filled from Atom ``rights``/``link rel=license``, RSS ``copyright``, ``dc:*``,
    ``dcterms:*``, ``creativeCommons:license``, ``cc:license``, ``media:*``.
    """

    statement: str | None = None  # atom:rights, dc:rights, dcterms:rights, <copyright>
    license_urls: tuple[
        str, ...
    ] = ()  # rel=license, creativeCommons:license, cc:license, dcterms:license, media:license
    publisher: str | None = None  # dc:publisher, dcterms:publisher
    creators: tuple[str, ...] = ()  # dcterms:creator (dc:creator lands in authors)
    media_copyright: str | None = None
    media_credits: tuple[str, ...] = ()
    dc_source: str | None = None  # dc:source / dcterms:source (often the original's URL)

    def is_empty(self) -> bool:
        return not any(
            (
                self.statement,
                self.license_urls,
                self.publisher,
                self.creators,
                self.media_copyright,
                self.media_credits,
                self.dc_source,
            )
        )


@dataclass(frozen=True, slots=True)
class SourceFeedInfo:
    """The feed an entry was first published in: Atom ``source``, RSS ``<source url>``."""

    title: str | None = None
    id: str | None = None
    url: str | None = None  # the feed document (self link / RSS source@url)
    link: str | None = None  # the site (alternate link)
    updated: datetime | None = None
    rights: RawRights = field(default_factory=RawRights)
    authors: tuple[Person, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    guid: str | None
    title: str | None
    link: str | None  # the entry's alternate link, as given
    links: tuple[Link, ...] = ()  # every link with its rel (via, license, enclosure, ...)
    published: datetime | None = None  # timezone-aware UTC
    updated: datetime | None = None  # timezone-aware UTC
    authors: tuple[Person, ...] = ()
    summary_html: str | None = None
    content_html: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    rights: RawRights = field(default_factory=RawRights)
    source: SourceFeedInfo | None = None
    raw_hash: str = ""  # hash of the entry as parsed: unchanged hash => nothing to redo


@dataclass(frozen=True, slots=True)
class Tombstone:
    """RFC 6721 ``at:deleted-entry``."""

    ref: str
    when: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    format: str  # "rss20", "rss10", "rss09x", "atom10", "atom03", "json10", "json11", ...
    title: str | None = None
    link: str | None = None  # the site
    self_url: str | None = None
    hub_urls: tuple[str, ...] = ()
    language: str | None = None
    authors: tuple[Person, ...] = ()
    rights: RawRights = field(default_factory=RawRights)
    entries: tuple[ParsedEntry, ...] = ()
    tombstones: tuple[Tombstone, ...] = ()
    # polling hints
    ttl_minutes: int | None = None
    skip_hours: tuple[int, ...] = ()
    skip_days: tuple[str, ...] = ()
    update_period: str | None = None  # sy:updatePeriod
    update_frequency: int | None = None  # sy:updateFrequency
    # a partly broken feed keeps its good entries; what was wrong is said here
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# normalize / attribution
# --------------------------------------------------------------------------

Condition = Literal[
    "attribution",
    "link-to-original",
    "noncommercial",
    "no-derivatives",
    "share-alike",
    "permission-required",
]
CONDITIONS: tuple[str, ...] = (
    "attribution",
    "link-to-original",
    "noncommercial",
    "no-derivatives",
    "share-alike",
    "permission-required",
)
NoticeKind = Literal["disclaimer", "fair-use", "permission", "copyright"]


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # NoticeKind
    text: str


@dataclass(frozen=True, slots=True)
class Rights:
    holder: str | None = None
    statement: str | None = None
    license: str | None = None  # SPDX id, LicenseRef-…, "permission", "all-rights-reserved", or None
    license_url: str | None = None
    conditions: tuple[str, ...] = ()  # sorted, from CONDITIONS
    notices: tuple[Notice, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "statement": self.statement,
            "license": self.license,
            "license_url": self.license_url,
            "conditions": list(self.conditions),
            "notices": [{"kind": n.kind, "text": n.text} for n in self.notices],
        }


@dataclass(frozen=True, slots=True)
class Republisher:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Which recognizer read which text into which fact ("how a wrong fact gets fixed")."""

    fact: str  # original_publisher, original_author, original_url, author, copyright_holder, license, notice…
    value: str | None  # the fact's value (a name, a URL, a licence id, a notice kind; None for a removed appeal)
    recognizer: str  # the row's id, "<lang>.<id>" ("es.origin.publicado-originalmente"), or "feed.<element>"
    lang: str  # the row's language ("" for a feed element)
    text: str  # the notice text it matched, as written
    where: str  # lead | tail | body | caption | feed

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "value": self.value, "recognizer": self.recognizer, "lang": self.lang,
                "text": self.text, "where": self.where}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        value = data.get("value")
        return cls(str(data.get("fact") or ""), None if value is None else str(value),
                   str(data.get("recognizer") or ""),
                   str(data.get("lang") or ""), str(data.get("text") or ""), str(data.get("where") or ""))


@dataclass(frozen=True, slots=True)
class Attribution:
    original_publisher: str | None = None
    original_author: str | None = None
    original_url: str | None = None
    republishers: tuple[Republisher, ...] = ()
    original_feed: SourceFeedInfo | None = None  # for an outbound atom:source
    evidence: tuple[Evidence, ...] = ()  # what the body's notices (and feed elements) said, row by row

    def to_json(self) -> dict[str, Any]:
        return {
            "original_publisher": self.original_publisher,
            "original_author": self.original_author,
            "original_url": self.original_url,
            "republishers": [{"name": r.name, "url": r.url} for r in self.republishers],
        }


@dataclass(frozen=True, slots=True)
class NormalizedEntry:
    """One copy of an article as one source carries it, cleaned and understood."""

    source: str  # the source's configured name
    guid: str | None
    copy_url: str | None  # this copy's own link, tracking parameters removed
    url: str  # canonical URL: the original's when known, else this copy's
    title: str
    published: datetime | None
    updated: datetime | None
    authors: tuple[str, ...]
    summary: str  # plain text
    content_html: str  # sanitized, boilerplate removed
    tags: tuple[str, ...]
    language: str | None
    attribution: Attribution
    rights: Rights
    raw_hash: str  # ParsedEntry.raw_hash
    content_hash: str  # hash of the normalized fields that matter downstream
    is_original: bool = False  # this copy is the original publisher's own
    rights_configured: bool = False  # rights come from the source's configured terms (they win in a merge)


# --------------------------------------------------------------------------
# articles (merged) and their outputs
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Copy:
    source: str
    url: str | None
    guid: str | None


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    url: str
    published: datetime | None
    updated: datetime | None
    authors: tuple[str, ...]
    summary: str
    content_html: str
    tags: tuple[str, ...]
    language: str | None
    copies: tuple[Copy, ...]
    attribution: Attribution
    rights: Rights
    content_hash: str
    first_seen: datetime | None = None
    deleted_at: datetime | None = None  # withdrawn at the source

    def to_json(self) -> dict[str, Any]:
        """The article JSON of INTERFACE.md (one line of ``syndicate articles --json``)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "published": rfc3339(self.published),
            "updated": rfc3339(self.updated),
            "authors": list(self.authors),
            "summary": self.summary,
            "content_html": self.content_html,
            "tags": list(self.tags),
            "language": self.language,
            "copies": [{"source": c.source, "url": c.url, "guid": c.guid} for c in self.copies],
            "attribution": self.attribution.to_json(),
            "rights": self.rights.to_json(),
            "deleted": rfc3339(self.deleted_at),
            "evidence": [e.to_json() for e in self.attribution.evidence],
        }


def rfc3339(value: datetime | None) -> str | None:
    """``2024-05-01T12:30:00Z`` for an aware UTC datetime; None stays None."""
    if value is None:
        return None
    text = value.isoformat()
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def as_plain(obj: Any) -> Any:
    """A dataclass as JSON-ready plain data (for logs and debugging)."""
    return asdict(obj)


def quick_pickle(*classes: type) -> None:
    """Pickle these slotted dataclasses by their field values in one ``attrgetter`` call.

    A slotted dataclass pickles through ``dataclasses``' own ``__getstate__``/``__setstate__``,
    which call ``dataclasses.fields()`` for every instance; a pass sends every normalized entry
    from a worker process to the main one, and this way costs ~35 % less (``tests/core/test_models.py``
    round-trips every model).
    """
    for cls in classes:
        getstate, setstate = _state_by_fields(tuple(f.name for f in fields(cls)))
        setattr(cls, "__getstate__", getstate)  # noqa: B010 (mypy: methods cannot be assigned)
        setattr(cls, "__setstate__", setstate)  # noqa: B010


def _state_by_fields(names: tuple[str, ...]) -> tuple[Callable[[Any], Any], Callable[[Any, Any], None]]:
    """``__getstate__`` and ``__setstate__`` for a slotted class with these fields, in this order."""
    get = attrgetter(*names)
    single = len(names) == 1  # attrgetter of one name gives the value, not a 1-tuple

    def getstate(self: Any) -> Any:
        return (get(self),) if single else get(self)

    def setstate(self: Any, state: Any) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    return getstate, setstate


quick_pickle(
    SourceState, FetchResult, Person, Link, RawRights, SourceFeedInfo, ParsedEntry, Tombstone, ParsedFeed,
    Notice, Rights, Republisher, Evidence, Attribution, NormalizedEntry, Copy, Article,
)  # fmt: skip
