"""RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and CDF through feedparser 6.0.14.

feedparser is handed an in-memory stream (never a string: it would open a
path or fetch a URL it is given) of bytes already defused by
:mod:`syndicate.parse.hardening`, plus the response headers, with its HTML
sanitizer off (normalize sanitizes with nh3 later). Its ``FeedParserDict``
never leaves this module: values are read with plain ``dict.get`` (no alias
magic, no deprecation fallbacks) and become our dataclasses here. What
feedparser gets wrong is repaired from the raw bytes: RSS author e-mails
(:mod:`syndicate.parse.people`), ``media:copyright`` text, tombstones and skip
lists (:mod:`syndicate.parse.extras`).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import feedparser

from syndicate.errors import ParseError
from syndicate.models import Link, ParsedEntry, ParsedFeed, Person, RawRights, SourceFeedInfo
from syndicate.parse import extras
from syndicate.parse.common import (
    Warnings,
    bounded_int,
    cap_entries,
    content,
    finish_entry,
    merge_rights,
    unique,
)
from syndicate.parse.dates import from_struct_time
from syndicate.parse.hardening import harden_xml
from syndicate.parse.http_links import parse_link_header
from syndicate.parse.people import make_person, parse_person_text
from syndicate.parse.text import clean, html_to_text, join_url, text_to_html

# feedparser version -> our ParsedFeed.format
FORMATS: dict[str, str] = {
    "rss090": "rss09x",
    "rss091n": "rss09x",
    "rss091u": "rss09x",
    "rss092": "rss09x",
    "rss093": "rss09x",
    "rss094": "rss09x",
    "rss10": "rss10",
    "rss20": "rss20",
    "rss": "rss",
    "atom01": "atom03",
    "atom02": "atom03",
    "atom03": "atom03",
    "atom10": "atom10",
    "atom": "atom",
    "cdf": "cdf",
}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
DEFAULT_CONTENT_TYPE = "application/xml"  # without one, feedparser reports a bozo error for every local file
FORWARDED_HEADERS = ("content-type", "content-language", "last-modified", "etag")
_WEBMASTER = re.compile(
    rb"<webMaster(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?([^<]{0,1000}?)(?:\]\]>)?\s*</webMaster>", re.S | re.I
)
_RAW_AUTHOR = re.compile(
    r"<(author|managingEditor|webMaster)(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?([^<]{0,1000}?)(?:\]\]>)?\s*</\1>", re.S | re.I
)
_ADDRESS = re.compile(r"[^\s@()<>\"',;:]+@[^\s@()<>\"',;]+")
_RAW_ID = re.compile(r"<(guid|id)(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?([^<]*?)(?:\]\]>)?\s*</\1>")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _g(mapping: Any, key: str) -> Any:
    """``mapping[key]`` without FeedParserDict's aliases and warnings; None when absent."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _list(mapping: Any, key: str) -> list[Any]:
    value = _g(mapping, key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


@dataclass
class _Document:
    """The per-document state the converters share."""

    body: bytes
    url: str
    warnings: Warnings
    webmasters: frozenset[str] = frozenset()  # feedparser files RSS webMaster under "publisher"
    extras: extras.DocumentExtras = field(default_factory=extras.DocumentExtras)
    _truncated_emails: dict[str, str] | None = None
    _relative_ids: dict[str, str] | None = None

    def raw_id(self, resolved: str | None) -> str | None:
        """The id as written when feedparser resolved a relative guid against the feed URL."""
        if resolved is None or not self.url.startswith(("http://", "https://")):
            return resolved
        origin = self.url.split("/", 3)[:3]
        if not resolved.startswith("/".join(origin)):
            return resolved  # not something feedparser made by joining with the feed URL
        if self._relative_ids is None:
            text = self.body.decode("utf-8", "replace")
            self._relative_ids = {}
            for match in _RAW_ID.finditer(text):
                raw = html.unescape(match.group(2)).strip()
                if raw and not _HAS_SCHEME.match(raw):
                    self._relative_ids.setdefault(join_url(self.url, raw), raw)
        return self._relative_ids.get(resolved, resolved)

    def repaired_author(self, email: str) -> Person | None:
        """The author as written, when feedparser's e-mail regex cut ``email`` short; else None."""
        if self._truncated_emails is None:
            self._truncated_emails = _truncation_index(self.body.decode("utf-8", "replace"))
        raw = self._truncated_emails.get(email)
        return parse_person_text(raw) if raw is not None else None


def _truncation_index(text: str) -> dict[str, str]:
    """Every way an e-mail in an RSS author-like element could have been cut short → that element's text.

    feedparser only allows 2–4 letter top-level domains, so ``jane@orig.example``
    comes out as ``jane@orig.exam``: each proper prefix of an address that ends
    inside its domain is a key (unless it is itself an address in the document).
    """
    index: dict[str, str] = {}
    complete: set[str] = set()
    for match in _RAW_AUTHOR.finditer(text):
        raw = html.unescape(match.group(2))
        for address in _ADDRESS.findall(raw):
            complete.add(address)
            at = address.index("@")
            for end in range(at + 2, len(address)):
                index.setdefault(address[:end], raw)
    for address in complete:
        index.pop(address, None)
    return index


def parse_xml(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Parse an XML feed. Raises ParseError only when the bytes are not a feed at all."""
    hardened = harden_xml(body, dict(headers))
    warnings = Warnings(hardened.warnings)
    response_headers = {k: v for k, v in hardened.headers.items() if k in FORWARDED_HEADERS}
    response_headers["content-type"] = _content_type_for_feedparser(response_headers.get("content-type", ""))
    if url.startswith(("http://", "https://")):
        response_headers["content-location"] = url  # the base for relative links
    body = hardened.body
    try:
        result = _feedparser(body, response_headers)
    except Exception as exc:  # feedparser 6.0.14 crashes on some broken input (e.g. KeyError in namespaces/cc.py)
        repaired = extras.repaired_copy(body)
        failure = f"{type(exc).__name__} in feedparser"
        if repaired is None:
            raise ParseError(f"unreadable XML ({failure})") from None
        response_headers["content-type"] = "application/xml; charset=utf-8"
        try:
            result = _feedparser(repaired, response_headers)
        except Exception:  # the same bugs again, on lxml's repaired copy: give up on this document
            raise ParseError(f"unreadable XML ({failure})") from None
        body = repaired
        warnings.add(f"{failure}; read lxml's repaired copy of the document instead")
    version = str(result.get("version") or "")
    raw_entries = [e for e in (result.get("entries") or []) if isinstance(e, dict)]
    bozo = result.get("bozo_exception") if result.get("bozo") else None
    if not raw_entries and not version:
        raise ParseError(_not_a_feed_reason(body, bozo))
    if bozo is not None:
        warnings.add(f"{type(bozo).__name__}: {bozo}")
    raw_entries = list(cap_entries(raw_entries, warnings))
    doc = _Document(
        body=body,
        url=url,
        warnings=warnings,
        webmasters=frozenset(
            html.unescape(m.group(1).decode("utf-8", "replace")).strip() for m in _WEBMASTER.finditer(body)
        ),
    )
    if extras.wanted(body):
        doc.extras = extras.scan(body, url, len(raw_entries))
    feed = result.get("feed") or {}
    entries = [finish_entry(_entry(raw, i, doc)) for i, raw in enumerate(raw_entries)]
    return _feed(feed, FORMATS.get(version, version or "unknown"), entries, headers, doc)


def _feedparser(body: bytes, response_headers: dict[str, str]) -> Any:
    """feedparser on a stream (given a str or bytes it may open a path or fetch a URL)."""
    return feedparser.parse(
        io.BytesIO(body),
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=True,
    )


def _content_type_for_feedparser(content_type: str) -> str:
    """The content type to show feedparser.

    RFC 7303 dropped the us-ascii default of ``text/*`` without a charset (the
    XML declaration decides, as for application/xml); feedparser 6.0 still
    applies it and reports every UTF-8 feed served as text/xml as mis-encoded.
    """
    media_type = content_type.split(";")[0].strip().lower()
    if not media_type or (media_type.startswith("text/") and "charset" not in content_type.lower()):
        return DEFAULT_CONTENT_TYPE
    return content_type


def _not_a_feed_reason(body: bytes, bozo: Any) -> str:
    """Why the bytes are not a feed, in words that read well after "not a feed: "."""
    head = body[:2048].lstrip().lower()
    if not head:
        return "the document is empty"
    if head.startswith(b"<!doctype html") or b"<html" in head:
        return "an HTML page"
    if bozo is not None:
        return f"unreadable XML ({' '.join(str(bozo).split())[:200]})"
    return "no RSS, Atom, RDF or JSON Feed document found"


# --------------------------------------------------------------------------
# feed level
# --------------------------------------------------------------------------


def _feed(feed: Any, fmt: str, entries: list[ParsedEntry], headers: Mapping[str, str], doc: _Document) -> ParsedFeed:
    links = list(doc.extras.feed_links) if doc.extras.feed_links is not None else _links(feed, doc.url)
    link = _first(links, "alternate") if doc.extras.feed_links is not None else clean(_g(feed, "link"))
    header_links = parse_link_header(headers.get("link", ""), doc.url)
    self_url = _first(links, "self") or next((h for r, h in header_links if r == "self"), None)
    hubs = unique([lk.href for lk in links if lk.rel == "hub"] + [h for r, h in header_links if r == "hub"])
    rights = _rights(feed, links, doc, feed_level=True)
    if doc.extras.feed_media_copyright and not rights.media_copyright:
        rights = merge_rights(rights, RawRights(media_copyright=doc.extras.feed_media_copyright))
    return ParsedFeed(
        format=fmt,
        title=_text_construct(feed, "title"),
        link=link,
        self_url=self_url,
        hub_urls=hubs,
        language=clean(_g(feed, "language")),
        authors=_authors(feed, doc),
        rights=rights,
        entries=tuple(entries),
        tombstones=doc.extras.tombstones,
        ttl_minutes=_int(_g(feed, "ttl")),
        skip_hours=doc.extras.skip_hours or _single_hour(feed),
        skip_days=doc.extras.skip_days or _single_day(feed),
        update_period=clean(_g(feed, "sy_updateperiod")),
        update_frequency=_int(_g(feed, "sy_updatefrequency")),
        warnings=doc.warnings.as_tuple(),
    )


def _int(value: Any) -> int | None:
    return bounded_int(clean(value))


def _single_hour(feed: Any) -> tuple[int, ...]:
    hour = _int(_g(feed, "hour")) if _g(feed, "skiphours") is not None else None
    return (hour % 24,) if hour is not None and hour <= 24 else ()


def _single_day(feed: Any) -> tuple[str, ...]:
    day = clean(_g(feed, "day")) if _g(feed, "skipdays") is not None else None
    return (day.capitalize(),) if day else ()


# --------------------------------------------------------------------------
# entries
# --------------------------------------------------------------------------


def _entry(raw: Any, index: int, doc: _Document) -> ParsedEntry:
    links = _links(raw, doc.url)
    rights = _rights(raw, links, doc, feed_level=False)
    aligned = doc.extras.entry_media_copyright
    if aligned is not None and aligned[index] and not rights.media_copyright:
        rights = merge_rights(rights, RawRights(media_copyright=aligned[index]))
    return ParsedEntry(
        guid=doc.raw_id(clean(_g(raw, "id"))),
        title=_text_construct(raw, "title"),
        link=clean(_g(raw, "link")) or _first(links, "alternate"),
        links=tuple(links),
        published=from_struct_time(_g(raw, "published_parsed")) or from_struct_time(_g(raw, "created_parsed")),
        updated=from_struct_time(_g(raw, "updated_parsed")),
        authors=_authors(raw, doc),
        summary_html=_summary(raw, doc.warnings),
        content_html=_content(raw, doc.warnings),
        tags=unique(clean(_g(t, "label")) or clean(_g(t, "term")) for t in _list(raw, "tags")),  # label: for people
        language=_language(raw),
        rights=rights,
        source=_source(_g(raw, "source"), doc),
    )


def _text_construct(context: Any, key: str) -> str | None:
    """A title-like field as plain text (HTML titles are reduced to their text)."""
    value = _g(context, key)
    if not isinstance(value, str):
        return None
    detail = _g(context, key + "_detail")
    if _g(detail, "type") in HTML_TYPES:
        value = html_to_text(value)
    return clean(value)


def _as_html(value: Any, content_type: Any) -> Any:
    if isinstance(value, str) and content_type not in HTML_TYPES:
        return text_to_html(value)
    return value


def _summary(raw: Any, warnings: Warnings) -> str | None:
    if any(_g(raw, "summary") == _g(part, "value") for part in _list(raw, "content")):
        return None  # feedparser copies the content into a missing summary
    detail = _g(raw, "summary_detail")
    return content(_as_html(_g(raw, "summary"), _g(detail, "type") or "text/html"), "summary", warnings)


def _content(raw: Any, warnings: Warnings) -> str | None:
    parts = _list(raw, "content")
    if not parts:
        return None
    chosen = next((p for p in parts if _g(p, "type") in HTML_TYPES and _g(p, "value")), None)
    chosen = chosen or next((p for p in parts if _g(p, "value")), None)
    if chosen is None:
        return None
    return content(_as_html(_g(chosen, "value"), _g(chosen, "type") or "text/html"), "content", warnings)


def _language(raw: Any) -> str | None:
    """dc:language, else the xml:lang in effect on the content, summary or title."""
    details = [*_list(raw, "content")[:1], _g(raw, "summary_detail"), _g(raw, "title_detail")]
    candidates = [_g(raw, "language"), *(_g(d, "language") for d in details)]
    return next((c for c in (clean(v) for v in candidates) if c), None)


def _links(context: Any, base: str) -> list[Link]:
    """Every link with its rel; hrefs feedparser left relative (enclosures) resolved against the feed URL."""
    out: list[Link] = []
    for item in _list(context, "links"):
        href = clean(_g(item, "href"))
        if href:
            link = Link(
                href=join_url(base, href),
                rel=clean(_g(item, "rel")) or "alternate",
                type=clean(_g(item, "type")),
                title=clean(_g(item, "title")),
            )
            if link not in out:
                out.append(link)
    return out


def _first(links: list[Link], rel: str) -> str | None:
    return next((lk.href for lk in links if lk.rel == rel), None)


# --------------------------------------------------------------------------
# people
# --------------------------------------------------------------------------


def _authors(context: Any, doc: _Document) -> tuple[Person, ...]:
    people: list[Person] = []
    for item in _list(context, "authors"):
        person = _repaired_author(item, doc) or make_person(_g(item, "name"), _g(item, "href"), _g(item, "email"))
        if person and person not in people:
            people.append(person)
    if not people:
        single = _g(context, "author")
        person = parse_person_text(single) if isinstance(single, str) else None
        if person:
            people.append(person)
    return tuple(people)


def _repaired_author(item: Any, doc: _Document) -> Person | None:
    """The author re-read from the raw text when feedparser's e-mail regex cut the address short."""
    email = clean(_g(item, "email"))
    return doc.repaired_author(email) if email else None


# --------------------------------------------------------------------------
# rights and source
# --------------------------------------------------------------------------


def _statement(context: Any) -> str | None:
    value = _g(context, "rights")
    if isinstance(value, str) and _g(_g(context, "rights_detail"), "type") in HTML_TYPES:
        value = html_to_text(value)
    return clean(value) or clean(_g(context, "dcterms_rights"))


def _media_copyright(context: Any) -> str | None:
    value = _g(context, "media_copyright")
    if isinstance(value, str):
        return clean(value)
    return None  # a dict: feedparser kept only the url attribute; extras recovers the text


def _rights(context: Any, links: list[Link], doc: _Document, *, feed_level: bool) -> RawRights:
    media_license = _g(context, "media_license")
    publisher = clean(_g(context, "publisher"))
    if feed_level and publisher in doc.webmasters:
        publisher = None  # the technical contact, not the publisher
    return RawRights(
        statement=_statement(context),
        license_urls=unique(
            [lk.href for lk in links if lk.rel == "license"]
            + [clean(_g(context, "dcterms_license")), clean(_g(media_license, "href"))]
        ),
        publisher=publisher or clean(_g(context, "dcterms_publisher")),
        creators=unique([clean(_g(context, "dcterms_creator"))]),
        media_copyright=_media_copyright(context),
        media_credits=unique(clean(_g(c, "content")) for c in _list(context, "media_credit")),
        dc_source=clean(_g(context, "dc_source")) or clean(_g(context, "dcterms_source")),
    )


def _source(raw: Any, doc: _Document) -> SourceFeedInfo | None:
    if not isinstance(raw, dict) or not raw:
        return None
    links = _links(raw, doc.url)
    href = clean(_g(raw, "href"))
    info = SourceFeedInfo(
        title=_text_construct(raw, "title"),
        id=clean(_g(raw, "id")),
        url=_first(links, "self") or (join_url(doc.url, href) if href else None),
        link=_first(links, "alternate") or clean(_g(raw, "link")),
        updated=from_struct_time(_g(raw, "updated_parsed")),
        rights=_rights(raw, links, doc, feed_level=False),
        authors=_authors(raw, doc),
    )
    return None if info == SourceFeedInfo() else info
