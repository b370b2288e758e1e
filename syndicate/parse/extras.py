"""Light lxml passes over the raw bytes for what feedparser loses.

* ``media:copyright`` with a ``url`` attribute: feedparser keeps the URL and
  drops the text;
* RFC 6721 ``at:deleted-entry`` tombstones: feedparser flattens them into one
  feed-level dict and lets their ``atom:link`` overwrite ``feed.link``, so the
  feed's own links are read again here as well;
* ``skipHours`` / ``skipDays``: feedparser keeps only the last hour and day.

Each pass runs only when the bytes mention what it looks for, so ordinary feeds
pay nothing. The parser never resolves entities, loads a DTD or touches the
network, and works on bytes already defused by :mod:`syndicate.parse.hardening`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from syndicate.models import Link, Tombstone
from syndicate.parse.dates import parse_date_text
from syndicate.parse.text import clean, join_url

ATOM_NS = "http://www.w3.org/2005/Atom"
TOMBSTONE_NS = "http://purl.org/atompub/tombstones/1.0"
MRSS_NAMESPACES = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
_ENTRY_NAMES = frozenset({"item", "entry"})

_TRIGGER_TOMBSTONES = TOMBSTONE_NS.encode()
_TRIGGER_MRSS = b"search.yahoo.com/mrss"
_TRIGGER_SKIP = (b"skipHours", b"skipDays")


@dataclass(frozen=True, slots=True)
class DocumentExtras:
    """What the lxml passes found. ``entry_media_copyright`` is aligned with the entries, or None."""

    entry_media_copyright: tuple[str | None, ...] | None = None
    feed_media_copyright: str | None = None
    tombstones: tuple[Tombstone, ...] = ()
    feed_links: tuple[Link, ...] | None = None  # the root's own atom:link children, when tombstones exist
    skip_hours: tuple[int, ...] = ()
    skip_days: tuple[str, ...] = ()


def wanted(body: bytes) -> bool:
    """True when the bytes mention anything the lxml passes look for."""
    return (
        _TRIGGER_TOMBSTONES in body
        or (_TRIGGER_MRSS in body and b"copyright" in body)
        or any(trigger in body for trigger in _TRIGGER_SKIP)
    )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        recover=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _split(element: etree._Element) -> tuple[str, str]:
    """(namespace, local name); never raises (recovered documents can hold tags like 'dc:x' unbound)."""
    tag = element.tag
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _local(element: etree._Element) -> str:
    return _split(element)[1]


def _text(element: etree._Element) -> str | None:
    return clean("".join(element.itertext()))


def repaired_copy(body: bytes) -> bytes | None:
    """The document as lxml's recovering parser understands it, re-serialized as UTF-8 (None if hopeless)."""
    try:
        root = etree.fromstring(body, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def scan(body: bytes, url: str, entry_count: int) -> DocumentExtras:
    """Run the lxml passes; an unreadable document gives empty extras."""
    try:
        root = etree.fromstring(body, _parser(), base_url=url or None)
    except (etree.XMLSyntaxError, ValueError):
        return DocumentExtras()
    if root is None:
        return DocumentExtras()
    entries = [
        el
        for el in root.iter()
        if _local(el) in _ENTRY_NAMES and not any(_local(a) in _ENTRY_NAMES for a in el.iterancestors())
    ]
    channel = _channel(root)
    tombstones = _tombstones(root)
    return DocumentExtras(
        entry_media_copyright=(tuple(_media_copyright(el) for el in entries) if len(entries) == entry_count else None),
        feed_media_copyright=_media_copyright(channel, shallow=True) if channel is not None else None,
        tombstones=tombstones,
        feed_links=_feed_links(channel, url) if tombstones and channel is not None else None,
        skip_hours=_skip_hours(channel),
        skip_days=_skip_days(channel),
    )


def _channel(root: etree._Element) -> etree._Element | None:
    if _local(root) in ("feed", "channel"):
        return root
    for child in root:
        if _local(child) == "channel":
            return child
    return None


def _media_copyright(element: etree._Element, shallow: bool = False) -> str | None:
    candidates = element if shallow else element.iter()
    for el in candidates:
        namespace, local = _split(el)
        if namespace in MRSS_NAMESPACES and local == "copyright":
            text = _text(el)
            if text:
                return text
    return None


def _tombstones(root: etree._Element) -> tuple[Tombstone, ...]:
    out: list[Tombstone] = []
    for el in root.iter(f"{{{TOMBSTONE_NS}}}deleted-entry"):
        ref = clean(el.get("ref"))
        if ref:
            out.append(Tombstone(ref=ref, when=parse_date_text(el.get("when"))))
    return tuple(out)


def _feed_links(channel: etree._Element, url: str) -> tuple[Link, ...]:
    """The feed's own links: its atom:link children, and an RSS channel's ``<link>``."""
    out: list[Link] = []
    for el in channel:
        if el.tag == "link" and not el.get("href"):  # RSS 2.0 <link>text</link>
            text = _text(el)
            if text:
                out.append(Link(href=join_url(el.base or url, text)))
            continue
        if el.tag not in (f"{{{ATOM_NS}}}link", "link"):
            continue
        href = clean(el.get("href"))
        if href:
            out.append(
                Link(
                    href=join_url(el.base or url, href),
                    rel=clean(el.get("rel")) or "alternate",
                    type=clean(el.get("type")),
                    title=clean(el.get("title")),
                )
            )
    return tuple(out)


def _children_text(channel: etree._Element | None, container: str, item: str) -> list[str]:
    if channel is None:
        return []
    out: list[str] = []
    for el in channel:
        if _local(el) == container:
            out.extend(t for t in (_text(c) for c in el if _local(c) == item) if t)
    return out


def _skip_hours(channel: etree._Element | None) -> tuple[int, ...]:
    hours = {int(h) % 24 for h in _children_text(channel, "skipHours", "hour") if h.isdigit() and int(h) <= 24}
    return tuple(sorted(hours))


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _skip_days(channel: etree._Element | None) -> tuple[str, ...]:
    named = {d.strip().capitalize() for d in _children_text(channel, "skipDays", "day")}
    return tuple(d for d in _DAYS if d in named)
