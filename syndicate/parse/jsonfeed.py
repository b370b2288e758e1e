"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser 6.0 cannot read.

Mapping choices worth knowing:

* ``external_url`` (the page an item is *about*, e.g. the article a link-blog
  post comments on) becomes a ``Link(rel="related")`` in ``links``; when the
  item has no ``url`` of its own it is also the entry's ``link``.
* ``content_text`` is escaped into ``<p>`` paragraphs; ``summary`` (plain text
  by the spec) likewise.
* ``attachments`` become ``rel="enclosure"`` links.
* Rights come from our own extension ``_syndicate`` ({"attribution": …,
  "rights": …} in the article JSON shapes) or a ``_rights`` object
  ({statement|copyright, license_url|license, publisher|holder}), at item and
  feed level, so a syndicate output read by another syndicate keeps its
  provenance: original author → ``creators``, original URL → ``dc_source``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from feedparser.urls import resolve_relative_uris

from syndicate.errors import ParseError
from syndicate.models import Link, ParsedEntry, ParsedFeed, Person, RawRights
from syndicate.parse.common import SPDX_LICENSE_URLS, Warnings, cap_entries, content, finish_entry, unique
from syndicate.parse.dates import parse_date_text
from syndicate.parse.people import make_person
from syndicate.parse.text import clean, join_url, text_to_html

VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
FORMATS = {"1": "json10", "1.0": "json10", "1.1": "json11"}
JSON_CONTENT_TYPES = ("application/feed+json", "application/json")


def looks_like_json(body: bytes, headers: Mapping[str, str]) -> bool:
    """True when the content type says JSON or the document starts with ``{``."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start == b"{" or (content_type in JSON_CONTENT_TYPES and start != b"<")


def parse_json(body: bytes, url: str) -> ParsedFeed:
    """Parse a JSON Feed; ParseError when the bytes are not one."""
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"), strict=False)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(data, dict):
        raise ParseError("JSON, but not a JSON Feed (not an object)")
    version = data.get("version")
    warnings = Warnings()
    if isinstance(version, str) and version.startswith(VERSION_PREFIXES):
        fmt = FORMATS.get(version.rstrip("/").rsplit("/", 1)[-1], "json11")
    elif isinstance(data.get("items"), list):
        fmt = "json11"
        warnings.add("JSON Feed without a jsonfeed.org version; read as 1.1")
    else:
        raise ParseError("JSON, but not a JSON Feed")
    items = data.get("items")
    if not isinstance(items, list):
        warnings.add("JSON Feed without an items list")
        items = []
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) != len(items):
        warnings.add(f"skipped {len(items) - len(objects)} item(s) that are not objects")
    base = _url(data.get("feed_url"), url) or url
    entries = [finish_entry(_entry(item, base, warnings)) for item in cap_entries(objects, warnings)]
    return ParsedFeed(
        format=fmt,
        title=clean(data.get("title")),
        link=_url(data.get("home_page_url"), url),
        self_url=_url(data.get("feed_url"), url),
        hub_urls=unique(_url(h.get("url"), url) for h in _objects(data.get("hubs"))),
        language=clean(data.get("language")),
        authors=_authors(data),
        rights=_rights(data),
        entries=tuple(entries),
        warnings=warnings.as_tuple(),
    )


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _url(value: Any, base: str) -> str | None:
    text = clean(value)
    return join_url(base, text) if text else None


def _authors(obj: dict[str, Any]) -> tuple[Person, ...]:
    raw = _objects(obj.get("authors")) or _objects([obj.get("author")])
    people = [make_person(a.get("name"), a.get("url")) for a in raw]
    return tuple(dict.fromkeys(p for p in people if p))


def _entry(item: dict[str, Any], base: str, warnings: Warnings) -> ParsedEntry:
    url = _url(item.get("url"), base)
    external = _url(item.get("external_url"), base)
    links: list[Link] = []
    if url:
        links.append(Link(href=url, rel="alternate", type="text/html"))
    if external:
        links.append(Link(href=external, rel="related"))
    for attachment in _objects(item.get("attachments")):
        href = _url(attachment.get("url"), base)
        if href:
            mime, title = clean(attachment.get("mime_type")), clean(attachment.get("title"))
            links.append(Link(href=href, rel="enclosure", type=mime, title=title))
    html_body = item.get("content_html") if isinstance(item.get("content_html"), str) else None
    if html_body:
        html_body = resolve_relative_uris(html_body, base, "utf-8", "text/html")
    elif isinstance(item.get("content_text"), str):
        html_body = text_to_html(item["content_text"])
    summary = item.get("summary")
    tags: list[Any] = item["tags"] if isinstance(item.get("tags"), list) else []
    return ParsedEntry(
        guid=clean(item.get("id")) if not isinstance(item.get("id"), bool) else None,
        title=clean(item.get("title")),
        link=url or external,
        links=tuple(links),
        published=parse_date_text(item.get("date_published")),
        updated=parse_date_text(item.get("date_modified")),
        authors=_authors(item),
        summary_html=content(text_to_html(summary) if isinstance(summary, str) else None, "summary", warnings),
        content_html=content(html_body, "content", warnings),
        tags=unique(clean(t) for t in tags if isinstance(t, str)),
        language=clean(item.get("language")),
        rights=_rights(item),
    )


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _rights(obj: dict[str, Any]) -> RawRights:
    """RawRights from the ``_syndicate`` or ``_rights`` extension object, if any."""
    ours = _obj(obj, "_syndicate")
    rights, attribution, other = _obj(ours, "rights"), _obj(ours, "attribution"), _obj(obj, "_rights")
    license_id = clean(rights.get("license")) or clean(other.get("license"))
    license_urls = [clean(rights.get("license_url")), clean(other.get("license_url"))]
    if license_id and license_id.startswith(("http://", "https://")):
        license_urls.append(license_id)
    elif license_id in SPDX_LICENSE_URLS:
        license_urls.append(SPDX_LICENSE_URLS[license_id])
    return RawRights(
        statement=clean(rights.get("statement")) or clean(other.get("statement")) or clean(other.get("copyright")),
        license_urls=unique(license_urls),
        publisher=clean(attribution.get("original_publisher"))
        or clean(other.get("publisher"))
        or clean(rights.get("holder"))
        or clean(other.get("holder")),
        creators=unique([clean(attribution.get("original_author"))]),
        dc_source=clean(attribution.get("original_url")),
    )
