"""feedgen extensions for what feedgen 1.0.0 cannot write itself.

feedgen drops ``rel``/``type`` on entry links in Atom (python-feedgen#135),
refuses an entry ``rel="license"`` link, writes only a title and a rel-less
link inside ``atom:source``, keeps only the ``self`` link in RSS (no
``rel="hub"``), and has no tombstones (RFC 6721), archive markers (RFC 5005),
``creativeCommons:license`` or per-format control over RSS ``<source>``.
These extensions add those elements to the lxml trees feedgen builds, through
its ``register_extension``/``extend_atom``/``extend_rss`` hooks.

Each extension is filled with the facts of :mod:`syndicate.outputs.facts`
(``set_facts``) before the document is serialized.
"""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from syndicate.outputs.facts import EntryFacts, FeedFacts, SourceFacts

ATOM_NS = "http://www.w3.org/2005/Atom"
AT_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
DC_NS = "http://purl.org/dc/elements/1.1/"
CC_NS = "http://backend.userland.com/creativeCommonsRssModule"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

EXTENSION_NAME = "syndicate"
# feedgen builds Atom elements without a namespace under a literal xmlns
# attribute on <feed>; Atom elements added here follow the same convention so
# they serialize unprefixed inside that default namespace.


def _sub(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _archive_links(facts: FeedFacts) -> list[tuple[str, str]]:
    """(rel, href) pairs of the RFC 5005 links this document carries."""
    archive = facts.archive
    if archive is None:
        return []
    pairs = [("current", archive.current), ("prev-archive", archive.prev_archive),
             ("next-archive", archive.next_archive)]
    return [(rel, href) for rel, href in pairs if href]


class _FeedExtension(BaseExtension):  # type: ignore[misc]
    facts: FeedFacts | None = None

    def set_facts(self, facts: FeedFacts) -> None:
        self.facts = facts


class AtomFeedExtension(_FeedExtension):
    """Feed level, Atom: ``fh:archive`` and ``at:deleted-entry`` tombstones."""

    def extend_ns(self) -> dict[str, str]:
        facts = self.facts
        ns: dict[str, str] = {}
        if facts is not None and facts.tombstones:
            ns["at"] = AT_NS
        if facts is not None and facts.archive is not None and facts.archive.is_archive:
            ns["fh"] = FH_NS
        return ns

    def extend_atom(self, feed: Any) -> Any:
        facts = self.facts
        if facts is None:
            return feed
        if facts.archive is not None and facts.archive.is_archive:
            _sub(feed, f"{{{FH_NS}}}archive")
        for tombstone in facts.tombstones:
            deleted = _sub(feed, f"{{{AT_NS}}}deleted-entry", ref=tombstone.ref, when=tombstone.when.isoformat())
            _sub(deleted, f"{{{AT_NS}}}comment", tombstone.comment)
        return feed


class RssFeedExtension(_FeedExtension):
    """Feed level, RSS: ``atom:link`` rel=hub and archive links, ``fh:archive``; declares dc/cc."""

    def extend_ns(self) -> dict[str, str]:
        ns = {"dc": DC_NS, "creativeCommons": CC_NS}
        if self.facts is not None and self.facts.archive is not None and self.facts.archive.is_archive:
            ns["fh"] = FH_NS
        return ns

    def extend_rss(self, rss: Any) -> Any:
        facts = self.facts
        if facts is None:
            return rss
        channel = rss[0]
        for hub in facts.hubs:
            _sub(channel, f"{{{ATOM_NS}}}link", rel="hub", href=hub)
        for rel, href in _archive_links(facts):
            _sub(channel, f"{{{ATOM_NS}}}link", rel=rel, href=href)
        if facts.archive is not None and facts.archive.is_archive:
            _sub(channel, f"{{{FH_NS}}}archive")
        return rss


class EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Entry level: attribution and rights in each format's own vocabulary."""

    facts: EntryFacts | None = None

    def set_facts(self, facts: EntryFacts) -> None:
        self.facts = facts

    def extend_atom(self, entry: Any) -> Any:
        facts = self.facts
        if facts is None:
            return entry
        if facts.language:
            entry.set(XML_LANG, facts.language)
        for link in entry.findall("link"):  # feedgen drops the rel it was given (python-feedgen#135)
            if link.get("rel") is None and link.get("href") == facts.url:
                link.set("rel", "alternate")
                link.set("type", "text/html")
        if facts.via_url:
            _sub(entry, "link", rel="via", href=facts.via_url)
        if facts.license_url:
            _sub(entry, "link", rel="license", href=facts.license_url)
        if facts.source is not None:
            _atom_source(entry, facts.source)
        return entry

    def extend_rss(self, item: Any) -> Any:
        facts = self.facts
        if facts is None:
            return item
        for author in facts.authors:
            _sub(item, f"{{{DC_NS}}}creator", author)
        if facts.publisher:
            _sub(item, f"{{{DC_NS}}}publisher", facts.publisher)
        if facts.rights_line:
            _sub(item, f"{{{DC_NS}}}rights", facts.rights_line)
        if facts.license_url:
            _sub(item, f"{{{CC_NS}}}license", facts.license_url)
        if facts.via_url:
            _sub(item, f"{{{ATOM_NS}}}link", rel="via", href=facts.via_url)
        source = facts.source
        if source is not None and source.feed_url:
            _sub(item, "source", source.title or source.feed_url, url=source.feed_url)
        return item


def _atom_source(entry: Any, source: SourceFacts) -> None:
    element = _sub(entry, "source")
    if source.id:
        _sub(element, "id", source.id)
    if source.title:
        _sub(element, "title", source.title)
    if source.updated:
        _sub(element, "updated", source.updated.isoformat())
    if source.rights:
        _sub(element, "rights", source.rights)
    if source.feed_url:
        _sub(element, "link", rel="self", href=source.feed_url)
    if source.site_url:
        _sub(element, "link", rel="alternate", type="text/html", href=source.site_url)
    if source.license_url:
        _sub(element, "link", rel="license", href=source.license_url)
