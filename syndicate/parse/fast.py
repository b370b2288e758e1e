"""A fast lxml back end for well-formed, ordinary RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) feeds.

feedparser costs 1–2 ms per entry, most of it in re-serializing every HTML field through
its SGML parser to resolve relative URLs. This back end reads the same documents with
lxml in a fraction of that and builds the same :class:`~syndicate.models.ParsedFeed` the
feedparser adapter builds (proved by tests/perf/test_fast_parse_equivalence.py over the
farm and the shared corpus). It is a fast *path*, not a second parser for everything:
:func:`parse_fast` returns None ("declined") for anything it does not fully understand,
and :func:`syndicate.parse.parse_feed` then uses feedparser as before:

* a document not fetched over http(s) (file sources), XML that is not well-formed, has a
  DOCTYPE, or is served with a charset other than UTF-8;
* any element in a namespace outside :data:`KNOWN_NAMESPACES` (media, dcterms,
  creativeCommons, itunes, tombstones …), any element of a known namespace that the
  tables below do not list, any Atom/RSS ``source``, base64 or out-of-line content;
* text feedparser would rewrite (C1 controls it maps from windows-1252, UTF-8 read as
  Latin-1), relative IRIs in places feedparser resolves in its own way.

Documented differences (tested as decisions, see the equivalence test): HTML in
``summary_html``/``content_html`` keeps its markup as written (feedparser re-serializes it
with sorted attributes); relative URLs in it are resolved against the same base
(``xml:base`` in scope, else the document URL) as feedparser does.
"""

from __future__ import annotations

import html as html_module
import html.entities
import re
from collections.abc import Callable, Mapping
from typing import Any

from feedparser.datetimes import _parse_date
from lxml import etree

from syndicate.models import Link, ParsedEntry, ParsedFeed, Person, RawRights
from syndicate.parse import extras
from syndicate.parse.common import Warnings, bounded_int, cap_entries, content, finish_entry, unique
from syndicate.parse.dates import from_struct_time
from syndicate.parse.hardening import harden_xml
from syndicate.parse.http_links import parse_link_header
from syndicate.parse.people import make_person, parse_person_text
from syndicate.parse.text import clean, html_to_text, join_url, text_to_html

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XHTML = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SY = "http://purl.org/rss/1.0/modules/syndication/"
SLASH = "http://purl.org/rss/1.0/modules/slash/"
WFW = "http://wellformedweb.org/CommentAPI/"
KNOWN_NAMESPACES = frozenset({"", ATOM, RSS1, RDF, DC, CONTENT, XHTML, SY, SLASH, WFW})
_XML_BASE = f"{{{XML_NS}}}base"
_XML_LANG = f"{{{XML_NS}}}lang"

# elements read (or knowingly ignored) in each context; anything else declines the document
_RSS_CHANNEL = frozenset(
    {"title", "link", "description", "language", "copyright", "managingEditor", "webMaster", "pubDate",
     "lastBuildDate", "generator", "docs", "ttl", "category", "item", "image", "cloud", "rating",
     f"{{{ATOM}}}link", f"{{{DC}}}language", f"{{{DC}}}rights", f"{{{DC}}}date", f"{{{DC}}}creator",
     f"{{{DC}}}publisher", f"{{{SY}}}updatePeriod", f"{{{SY}}}updateFrequency", f"{{{SY}}}updateBase"}
)  # fmt: skip
_RSS_ITEM = frozenset(
    {"title", "link", "description", "guid", "pubDate", "author", "category", "comments", "enclosure",
     f"{{{CONTENT}}}encoded", f"{{{DC}}}creator", f"{{{DC}}}date", f"{{{DC}}}rights", f"{{{DC}}}subject",
     f"{{{SLASH}}}comments", f"{{{WFW}}}commentRss"}
)  # fmt: skip
_RDF_CHANNEL = frozenset(
    {f"{{{RSS1}}}title", f"{{{RSS1}}}link", f"{{{RSS1}}}description", f"{{{RSS1}}}items", f"{{{RSS1}}}image",
     f"{{{DC}}}language", f"{{{DC}}}rights", f"{{{DC}}}date", f"{{{DC}}}creator", f"{{{DC}}}publisher",
     f"{{{SY}}}updatePeriod", f"{{{SY}}}updateFrequency", f"{{{SY}}}updateBase"}
)  # fmt: skip
_RDF_ITEM = frozenset(
    {f"{{{RSS1}}}title", f"{{{RSS1}}}link", f"{{{RSS1}}}description", f"{{{CONTENT}}}encoded",
     f"{{{DC}}}creator", f"{{{DC}}}date", f"{{{DC}}}rights", f"{{{DC}}}subject", f"{{{DC}}}language"}
)  # fmt: skip
_ATOM_FEED = frozenset(
    f"{{{ATOM}}}{n}"
    for n in ("title", "subtitle", "link", "id", "updated", "author", "rights", "generator", "icon", "logo",
              "entry", "category")
)  # fmt: skip
_ATOM_ENTRY = frozenset(
    f"{{{ATOM}}}{n}"
    for n in ("title", "link", "id", "published", "updated", "author", "category", "rights", "summary", "content")
)  # fmt: skip
_ATOM_PERSON = frozenset(f"{{{ATOM}}}{n}" for n in ("name", "email", "uri"))

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_CLOSE_TAG = re.compile(r"</(\w+)>")
_ENTITY = re.compile(r"&#?\w+;")
_TAG_NAME = re.compile(r"</?(\w+)")
_NAMED_ENTITY = re.compile(r"&(\w+);")
_C1 = re.compile("[\x80-\x9f]")
# attributes whose relative URLs feedparser resolves inside HTML (feedparser.urls._RelativeURIResolver)
_START_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_ANY_URL_ATTR = re.compile(
    r"(?i)\s(href|src|cite|action|background|codebase|data|longdesc|profile|usemap|poster|dynsrc|lowsrc"
    r"|classid|srcset)\s*=\s*"
)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""(?i)\bcharset\s*=\s*["']?\s*([^"';\s]+)""")
_PARSER = etree.XMLParser(
    recover=False, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
)


class Declined(Exception):
    """The document needs feedparser."""


# --------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------


def parse_fast(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed | None:
    """The parsed feed, or None when the document is not one this back end fully handles."""
    if not url.startswith(("http://", "https://")):
        return None  # feedparser resolves nothing then, the adapter some things: not worth mirroring
    hardened = harden_xml(body, dict(headers))
    if hardened.warnings or (hardened.body is not body and hardened.body != body):
        return None  # hardening had to change something: an unusual document
    if extras.wanted(body) or b"<!DOCTYPE" in body[:4096] or b"<!doctype" in body[:4096]:
        return None
    if not _charset_agrees(body, headers):
        return None
    try:
        root = etree.fromstring(body, _PARSER, base_url=url or None)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        reader = _READERS.get(root.tag)
        if reader is None:
            return None
        return reader(root, headers, url)
    except Declined:
        return None
    except Exception:  # a document this path misjudged: the reference parser reads it instead
        return None


def _charset_agrees(body: bytes, headers: Mapping[str, str]) -> bool:
    match = _CHARSET.search(headers.get("content-type", ""))
    declared = _DECLARED.match(body)
    http = match.group(1).lower().replace("_", "-") if match else None
    xml = declared.group(1).decode("ascii").lower().replace("_", "-") if declared else "utf-8"
    if xml not in ("utf-8", "utf8"):
        return False  # feedparser's encoding rules are many; keep the common case only
    return http in (None, "utf-8", "utf8")


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------


def _text(el: etree._Element) -> str:
    """The element's text content (no markup allowed inside: markup declines)."""
    if len(el):
        raise Declined
    return el.text or ""


def _checked(value: str) -> str:
    """Text feedparser would keep as is (it re-decodes some Latin-1 and maps C1 controls)."""
    if not value.isascii():
        if _C1.search(value):
            raise Declined
        try:
            value.encode("iso-8859-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        else:
            raise Declined  # feedparser would "repair" this as mis-decoded UTF-8
    return value


def looks_like_html(s: str) -> bool:
    """feedparser's guess for RSS text elements (``_FeedParserMixin.looks_like_html``)."""
    from feedparser.sanitizer import _HTMLSanitizer

    if not (_CLOSE_TAG.search(s) or _ENTITY.search(s)):
        return False
    if any(t.lower() not in _HTMLSanitizer.acceptable_elements for t in _TAG_NAME.findall(s)):
        return False
    return not any(e not in html.entities.entitydefs for e in _NAMED_ENTITY.findall(s))


def _base(el: etree._Element, url: str) -> str:
    """The base URI in scope (xml:base resolved the way feedparser does), else the document URL."""
    bases = []
    node: etree._Element | None = el
    while node is not None:
        value = node.get(_XML_BASE)
        if value is not None:
            bases.append(value)
        node = node.getparent()
    base = url
    for value in reversed(bases):
        base = join_url(base, value.strip())
    return base


def _lang(el: etree._Element, default: str | None) -> str | None:
    node: etree._Element | None = el
    while node is not None:
        value = node.get(_XML_LANG)
        if value is not None:
            return value.replace("_", "-") or None
        node = node.getparent()
    return default


def _date(el: etree._Element | None) -> Any:
    if el is None:
        return None
    text = _text(el).strip()
    if not text:
        return None
    try:
        return from_struct_time(_parse_date(text))
    except Exception:  # feedparser's handlers are loose; a bad date is no date (as in the adapter)
        return None


def _resolve_html(markup: str, base: str) -> str:
    """Relative URLs in HTML attributes resolved against ``base`` (markup otherwise as written)."""
    parts: list[str] = []
    done = 0
    for tag in _START_TAG.finditer(markup):
        text = tag.group(0)
        if "=" not in text:
            continue
        for match in _ANY_URL_ATTR.finditer(text):
            name = match.group(1).lower()
            if name == "srcset":
                raise Declined  # srcset lists: feedparser's own rules
            quote = text[match.end() : match.end() + 1]
            if quote not in ('"', "'"):
                raise Declined  # an unquoted value: leave it to feedparser
            close = text.find(quote, match.end() + 1)
            if close < 0:
                raise Declined
            stripped = text[match.end() + 1 : close].strip()
            if not stripped or _HAS_SCHEME.match(stripped):
                continue
            if name not in ("href", "src", "cite"):
                raise Declined  # a relative URL in a rarer attribute
            offset = tag.start()
            parts.append(markup[done : offset + match.end() + 1])
            parts.append(join_url(base, stripped))
            done = offset + close
    if not parts:
        return markup
    parts.append(markup[done:])
    return "".join(parts)


def _html_value(value: str, content_type: str, base: str) -> str:
    """An HTML field as the adapter makes it: text types escaped to paragraphs, HTML resolved."""
    if content_type in HTML_TYPES:
        return _resolve_html(value, base)
    return text_to_html(value)


def _check_children(el: etree._Element, allowed: frozenset[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments
        if tag not in allowed:
            raise Declined
        if child.get(_XML_BASE) is not None and tag not in (f"{{{ATOM}}}content", f"{{{ATOM}}}summary"):
            raise Declined


def _namespaces_known(root: etree._Element, *, lang_allowed: bool = True) -> None:
    for el in root.iter():
        if not lang_allowed and el.get(_XML_LANG) is not None:
            raise Declined  # feedparser gives RSS entries the xml:lang in scope
        tag = el.tag
        if not isinstance(tag, str):
            continue
        namespace = tag[1:].partition("}")[0] if tag.startswith("{") else ""
        if namespace not in KNOWN_NAMESPACES:
            raise Declined
        for name in el.attrib:
            if name.startswith("{") and name[1:].partition("}")[0] not in (XML_NS, RDF):
                raise Declined


def _index(parent: etree._Element, child: etree._Element) -> int:
    return list(parent).index(child)


def _first(el: etree._Element, tag: str) -> etree._Element | None:
    return el.find(tag)


def _all(el: etree._Element, tag: str) -> list[etree._Element]:
    return el.findall(tag)


def _clean_text(el: etree._Element | None) -> str | None:
    return clean(_checked(_text(el))) if el is not None else None


def _rss_text(el: etree._Element | None) -> str | None:
    """A nominally plain RSS element (title): HTML-looking text is reduced to its text, as the adapter does."""
    if el is None:
        return None
    value = _checked(_text(el)).strip()
    if looks_like_html(value):
        value = html_to_text(value)
    return clean(value)


def _finish(
    fmt: str,
    feed: dict[str, Any],
    entries: list[ParsedEntry],
    headers: Mapping[str, str],
    url: str,
    warnings: Warnings,
) -> ParsedFeed:
    links: list[Link] = feed["links"]
    header_links = parse_link_header(headers.get("link", ""), url)
    self_url = next((lk.href for lk in links if lk.rel == "self"), None) or next(
        (h for r, h in header_links if r == "self"), None
    )
    hubs = unique([lk.href for lk in links if lk.rel == "hub"] + [h for r, h in header_links if r == "hub"])
    rights: RawRights = feed["rights"]
    rights = RawRights(
        statement=rights.statement,
        license_urls=unique([lk.href for lk in links if lk.rel == "license"]),
        publisher=rights.publisher,
    )
    return ParsedFeed(
        format=fmt,
        title=feed["title"],
        link=feed["link"],
        self_url=self_url,
        hub_urls=hubs,
        language=feed["language"],
        authors=feed["authors"],
        rights=rights,
        entries=tuple(entries),
        ttl_minutes=feed.get("ttl"),
        update_period=feed.get("update_period"),
        update_frequency=feed.get("update_frequency"),
        warnings=warnings.as_tuple(),
    )


def _finished(entry: ParsedEntry) -> ParsedEntry:
    if not entry.guid and not entry.link and not entry.title:
        raise Declined  # the fallback guid would hash HTML that feedparser serializes differently
    return finish_entry(entry)


def _document_base(url: str) -> str:
    """What relative URLs resolve against (parse_fast takes only http(s) URLs, which feedparser gets too)."""
    return url


def _description_and_encoded(
    item: etree._Element, description_tag: str, base: str, warnings: Warnings
) -> tuple[str | None, str | None]:
    """An RSS item's summary and content HTML from ``description`` and ``content:encoded``, as feedparser reads them."""
    description = _first(item, description_tag)
    encoded = _first(item, f"{{{CONTENT}}}encoded")
    summary = None
    if description is not None:
        if encoded is not None and _index(item, encoded) < _index(item, description):
            raise Declined  # feedparser then reads the description as a second content
        summary = (_checked(_text(description)), "text/html")  # feedparser: description is HTML
    content_value = (_checked(_text(encoded)), "text/html") if encoded is not None else None
    if summary is None and content_value is not None:
        summary = content_value  # feedparser copies the content into the missing summary
    return _summary_and_content(summary, content_value, base, warnings)


def _int(el: etree._Element | None) -> int | None:
    return bounded_int(_clean_text(el))


def _link_text(el: etree._Element, base: str) -> str | None:
    """An RSS ``<link>``: feedparser's query-string repair, then resolved against the base."""
    value = _checked(_text(el)).strip()
    value = value.replace("&amp;", "&")
    value = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", value)
    cleaned = clean(value)
    return join_url(base, cleaned) if cleaned else None


def _summary_and_content(
    summary: tuple[str, str] | None, content_value: tuple[str, str] | None, base: str, warnings: Warnings
) -> tuple[str | None, str | None]:
    """(summary_html, content_html) as the adapter makes them from (value, type) pairs."""
    content_html = None
    if content_value is not None and content_value[0]:
        content_html = content(_html_value(content_value[0], content_value[1], base), "content", warnings)
    summary_html = None
    if summary is not None:
        if content_value is not None and summary[0] == content_value[0]:
            summary_html = None
        else:
            summary_html = content(_html_value(summary[0], summary[1], base), "summary", warnings)
    return summary_html, content_html


# --------------------------------------------------------------------------
# RSS 2.0
# --------------------------------------------------------------------------


def _read_rss(root: etree._Element, headers: Mapping[str, str], url: str) -> ParsedFeed | None:
    base = _document_base(url)
    if root.get("version") != "2.0" or len(root) != 1 or root[0].tag != "channel":
        return None
    _namespaces_known(root, lang_allowed=False)
    if root.get(_XML_BASE) is not None or root.get(_XML_LANG) is not None:
        raise Declined
    channel = root[0]
    if channel.attrib:
        raise Declined
    _check_children(channel, _RSS_CHANNEL)
    if channel.find("image") is not None or channel.find("cloud") is not None:
        raise Declined  # feedparser reads image/title etc. into the feed in its own ways
    warnings = Warnings()
    language = _clean_text(_first(channel, "language")) or _clean_text(_first(channel, f"{{{DC}}}language"))
    if headers.get("content-language"):
        raise Declined
    items = list(cap_entries(_all(channel, "item"), warnings))
    entries = [_finished(_rss_item(item, base, warnings)) for item in items]
    links = _feed_links(channel, base, rss=True)
    feed = {
        "title": _rss_text(_first(channel, "title")),
        "link": _atom_alternate(links),
        "links": links,
        "language": language,
        "authors": _rss_feed_authors(channel),
        "rights": RawRights(
            statement=_rss_text(_first(channel, "copyright")) or _rss_text(_first(channel, f"{{{DC}}}rights")),
            publisher=_clean_text(_first(channel, f"{{{DC}}}publisher")),
        ),
        "ttl": _int(_first(channel, "ttl")),
        "update_period": _clean_text(_first(channel, f"{{{SY}}}updatePeriod")),
        "update_frequency": _int(_first(channel, f"{{{SY}}}updateFrequency")),
    }
    return _finish("rss20", feed, entries, headers, url, warnings)


def _feed_links(channel: etree._Element, url: str, *, rss: bool) -> list[Link]:
    out: list[Link] = []
    for el in channel:
        if rss and el.tag == "link":
            href = _link_text(el, url)
            if href:
                out.append(Link(href=href, rel="alternate", type="text/html"))
        elif el.tag == f"{{{ATOM}}}link":
            link = _atom_link(el, url)
            if link is not None:
                out.append(link)
    return list(dict.fromkeys(out))


def _rss_feed_authors(channel: etree._Element) -> tuple[Person, ...]:
    if channel.find("managingEditor") is not None or channel.find("webMaster") is not None:
        raise Declined  # feedparser's e-mail handling of these needs the adapter's repairs
    creators = _all(channel, f"{{{DC}}}creator")
    if len(creators) > 1:
        raise Declined
    if creators:
        return _dc_creator(creators[0])
    return ()


def _dc_creator(el: etree._Element) -> tuple[Person, ...]:
    name = _clean_text(el)
    if name and ("@" in name or "(" in name or "<" in name):
        raise Declined  # feedparser looks for an e-mail address in it
    person = make_person(name)
    return (person,) if person else ()


def _rss_item(item: etree._Element, url: str, warnings: Warnings) -> ParsedEntry:
    if any(k not in ("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about",) for k in item.attrib):
        raise Declined
    _check_children(item, _RSS_ITEM)
    for tag in ("title", "link", "description", "guid", "pubDate", "author", f"{{{CONTENT}}}encoded"):
        if len(item.findall(tag)) > 1:
            raise Declined  # feedparser keeps one of several in its own way
    base = url
    links: list[Link] = []
    link: str | None = None
    for child in item:
        if child.tag == "link":
            link = _link_text(child, base)
            if link:
                links.append(Link(href=link, rel="alternate", type="text/html"))
        elif child.tag == "enclosure":
            href = clean(child.get("url"))
            if href:
                links.append(Link(href=join_url(base, href), rel="enclosure", type=clean(child.get("type")) or None))
    guid_el = _first(item, "guid")
    guid = _clean_text(guid_el) if guid_el is not None else None
    if guid and guid_el is not None and guid_el.get("isPermaLink", "true") == "true":
        if join_url(url, guid) != guid:
            raise Declined  # a relative (or unnormalized) permalink guid: feedparser resolves it
        if not link:
            link = guid
    summary_html, content_html = _description_and_encoded(item, "description", base, warnings)
    dc_rights = _first(item, f"{{{DC}}}rights")
    tags = [_clean_text(c) for c in _all(item, "category")] + [
        _clean_text(c) for c in _all(item, f"{{{DC}}}subject")
    ]
    return ParsedEntry(
        guid=guid,
        title=_rss_text(_first(item, "title")),
        link=link or None,
        links=tuple(dict.fromkeys(links)),
        published=_date(_first(item, "pubDate")),
        updated=_date(_first(item, f"{{{DC}}}date")),
        authors=_rss_item_authors(item),
        summary_html=summary_html,
        content_html=content_html,
        tags=unique(tags),
        language=None,
        rights=RawRights(statement=_rss_text(dc_rights)),
        source=None,
    )


def _rss_item_authors(item: etree._Element) -> tuple[Person, ...]:
    authors = _all(item, "author")
    creators = _all(item, f"{{{DC}}}creator")
    if len(authors) + len(creators) > 1:
        raise Declined
    if authors:
        raw = _clean_text(authors[0])
        person = parse_person_text(raw) if raw else None
        if person is not None and person.email and "(" not in (raw or "") and "<" not in (raw or ""):
            raise Declined  # a bare address: feedparser's reading differs in details
        return (person,) if person else ()
    if creators:
        return _dc_creator(creators[0])
    return ()


# --------------------------------------------------------------------------
# RSS 1.0 (RDF)
# --------------------------------------------------------------------------


def _read_rdf(root: etree._Element, headers: Mapping[str, str], url: str) -> ParsedFeed | None:
    base = _document_base(url)
    _namespaces_known(root, lang_allowed=False)
    if headers.get("content-language") or root.get(_XML_BASE) is not None or root.get(_XML_LANG) is not None:
        raise Declined
    channel = root.find(f"{{{RSS1}}}channel")
    if channel is None:
        return None
    for child in root:
        if isinstance(child.tag, str) and child.tag not in (f"{{{RSS1}}}channel", f"{{{RSS1}}}item"):
            raise Declined
    _check_children(channel, _RDF_CHANNEL)
    if channel.find(f"{{{RSS1}}}image") is not None:
        raise Declined
    warnings = Warnings()
    items = list(cap_entries(root.findall(f"{{{RSS1}}}item"), warnings))
    entries = [_finished(_rdf_item(item, base, warnings)) for item in items]
    link_el = _first(channel, f"{{{RSS1}}}link")
    link = _link_text(link_el, base) if link_el is not None else None
    links = [Link(href=link, rel="alternate", type="text/html")] if link else []
    feed = {
        "title": _rss_text(_first(channel, f"{{{RSS1}}}title")),
        "link": link,
        "links": links,
        "language": _clean_text(_first(channel, f"{{{DC}}}language")),
        "authors": _rss_feed_authors(channel),
        "rights": RawRights(
            statement=_rss_text(_first(channel, f"{{{DC}}}rights")),
            publisher=_clean_text(_first(channel, f"{{{DC}}}publisher")),
        ),
        "update_period": _clean_text(_first(channel, f"{{{SY}}}updatePeriod")),
        "update_frequency": _int(_first(channel, f"{{{SY}}}updateFrequency")),
    }
    return _finish("rss10", feed, entries, headers, url, warnings)


def _rdf_item(item: etree._Element, url: str, warnings: Warnings) -> ParsedEntry:
    _check_children(item, _RDF_ITEM)
    for tag in (f"{{{RSS1}}}title", f"{{{RSS1}}}link", f"{{{RSS1}}}description", f"{{{CONTENT}}}encoded",
                f"{{{DC}}}date", f"{{{DC}}}language"):  # fmt: skip
        if len(item.findall(tag)) > 1:
            raise Declined
    base = url
    link_el = _first(item, f"{{{RSS1}}}link")
    link = _link_text(link_el, base) if link_el is not None else None
    about = clean(item.get(f"{{{RDF}}}about"))
    links = [Link(href=link, rel="alternate", type="text/html")] if link else []
    summary_html, content_html = _description_and_encoded(item, f"{{{RSS1}}}description", base, warnings)
    tags = [_clean_text(c) for c in _all(item, f"{{{DC}}}subject")]
    return ParsedEntry(
        guid=join_url(base, about) if about else None,
        title=_rss_text(_first(item, f"{{{RSS1}}}title")),
        link=link or None,
        links=tuple(links),
        published=None,
        updated=_date(_first(item, f"{{{DC}}}date")),
        authors=_rss_item_authors(item),
        summary_html=summary_html,
        content_html=content_html,
        tags=unique(tags),
        language=_clean_text(_first(item, f"{{{DC}}}language")),
        rights=RawRights(statement=_rss_text(_first(item, f"{{{DC}}}rights"))),
        source=None,
    )


# --------------------------------------------------------------------------
# Atom 1.0
# --------------------------------------------------------------------------


def _atom_link(el: etree._Element, base_url: str) -> Link | None:
    href = clean(el.get("href"))
    if not href or len(el) or (el.text or "").strip():
        raise Declined  # a link without href (or with content): feedparser reads its text
    rel = clean(el.get("rel")) or "alternate"
    default_type = "application/atom+xml" if rel == "self" else "text/html"
    return Link(
        href=join_url(_base(el, base_url), href),
        rel=rel,
        type=clean(el.get("type")) or default_type,
        title=clean(el.get("title")),
    )


def _atom_text(el: etree._Element | None) -> tuple[str, str] | None:
    """(value, type) of an Atom text construct; xhtml is serialized without its wrapping div."""
    if el is None:
        return None
    kind = (el.get("type") or "text").strip().lower()
    if el.get("src") is not None or el.get("mode") is not None:
        raise Declined
    if kind in ("text", "text/plain"):
        return _checked(_text(el)), "text/plain"
    if kind in ("html", "text/html"):
        return _checked(_text(el)), "text/html"
    if kind in ("xhtml", "application/xhtml+xml"):
        return _checked(_xhtml_inner(el)), "application/xhtml+xml"
    raise Declined


def _xhtml_inner(el: etree._Element) -> str:
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag != f"{{{XHTML}}}div" or (el.text or "").strip():
        raise Declined
    div = children[0]
    if (div.tail or "").strip() or div.attrib:
        raise Declined
    for node in div.iter():
        if not isinstance(node.tag, str):
            raise Declined
        if node is not div and not node.tag.startswith(f"{{{XHTML}}}"):
            raise Declined
        if any(name.startswith("{") for name in node.attrib):
            raise Declined
    parts = [html_module.escape(div.text or "", quote=False)]
    for child in div:
        parts.append(_xhtml_serialize(child))
    return "".join(parts).strip()


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"})


def _xhtml_serialize(node: etree._Element) -> str:
    name = node.tag.split("}", 1)[1]
    attrs = "".join(f' {k}="{html_module.escape(v)}"' for k, v in node.attrib.items())
    if name in _VOID and not len(node) and not node.text:
        out = f"<{name}{attrs} />"
    else:
        inner = html_module.escape(node.text or "", quote=False) + "".join(_xhtml_serialize(c) for c in node)
        out = f"<{name}{attrs}>{inner}</{name}>"
    return out + html_module.escape(node.tail or "", quote=False)


def _atom_plain(el: etree._Element | None) -> str | None:
    found = _atom_text(el)
    if found is None:
        return None
    value, kind = found
    if kind in HTML_TYPES:
        value = html_to_text(value)
    return clean(value)


def _atom_id(el: etree._Element | None, url: str) -> str | None:
    guid = _clean_text(el)
    if guid and join_url(_base(el, url) if el is not None else url, guid) != guid:
        raise Declined  # a relative (or unnormalized) id: feedparser resolves it its own way
    return guid


def _atom_alternate(links: list[Link]) -> str | None:
    """feedparser's ``link``: the last alternate link of an HTML type."""
    found = None
    for lk in links:
        if lk.rel == "alternate" and lk.type in HTML_TYPES:
            found = lk.href
    return found


def _atom_people(el: etree._Element) -> tuple[Person, ...]:
    people: list[Person] = []
    authors = el.findall(f"{{{ATOM}}}author")
    if len(authors) > 1 and any(a.find(f"{{{ATOM}}}email") is not None for a in authors):
        raise Declined  # feedparser carries one author's (cut) e-mail over to the next
    for author in authors:
        _check_children(author, _ATOM_PERSON)
        name = _clean_text(_first(author, f"{{{ATOM}}}name"))
        email = _clean_text(_first(author, f"{{{ATOM}}}email"))
        uri_el = _first(author, f"{{{ATOM}}}uri")
        uri = _clean_text(uri_el)
        if uri:
            uri = join_url(_base(uri_el, ""), uri) if uri_el is not None and _base(uri_el, "") else uri
        if email and ("@" not in email or "(" in email or "<" in email):
            raise Declined
        person = make_person(name, uri, email)
        if person and person not in people:
            people.append(person)
    return tuple(people)


def _read_atom(root: etree._Element, headers: Mapping[str, str], url: str) -> ParsedFeed | None:
    base = _document_base(url)
    _namespaces_known(root)
    if headers.get("content-language"):
        raise Declined
    _check_children(root, _ATOM_FEED)
    warnings = Warnings()
    lang = _lang(root, None)
    items = list(cap_entries(root.findall(f"{{{ATOM}}}entry"), warnings))
    entries = [_finished(_atom_entry(item, base, warnings)) for item in items]
    links = _feed_links(root, base, rss=False)
    feed = {
        "title": _atom_plain(_first(root, f"{{{ATOM}}}title")),
        "link": _atom_alternate(links) or _atom_id(_first(root, f"{{{ATOM}}}id"), base),
        "links": links,
        "language": clean(lang),
        "authors": _atom_people(root),
        "rights": RawRights(statement=_atom_plain(_first(root, f"{{{ATOM}}}rights"))),
    }
    if root.get(_XML_BASE) is not None:
        raise Declined
    return _finish("atom10", feed, entries, headers, url, warnings)


def _atom_entry(entry: etree._Element, url: str, warnings: Warnings) -> ParsedEntry:
    _check_children(entry, _ATOM_ENTRY)
    for name in ("title", "id", "published", "updated", "summary", "content", "rights"):
        if len(entry.findall(f"{{{ATOM}}}{name}")) > 1:
            raise Declined
    if any(name != _XML_LANG for name in entry.attrib):
        raise Declined
    links = list(
        dict.fromkeys(lk for lk in (_atom_link(el, url) for el in entry.findall(f"{{{ATOM}}}link")) if lk)
    )
    title_el = _first(entry, f"{{{ATOM}}}title")
    summary_el = _first(entry, f"{{{ATOM}}}summary")
    content_el = _first(entry, f"{{{ATOM}}}content")
    summary = _atom_text(summary_el)
    content_value = _atom_text(content_el)
    if summary is None and content_value is not None and content_value[1] in ({"text/plain"} | HTML_TYPES):
        summary = content_value
    summary_base = _base(summary_el, url) if summary_el is not None else url
    content_base = _base(content_el, url) if content_el is not None else url
    content_html = None
    if content_value is not None and content_value[0]:
        content_html = content(_html_value(content_value[0], content_value[1], content_base), "content", warnings)
    summary_html = None
    if summary is not None and not (content_value is not None and summary[0] == content_value[0]):
        summary_html = content(_html_value(summary[0], summary[1], summary_base), "summary", warnings)
    languages = [_lang(el, None) for el in (content_el, summary_el, title_el) if el is not None]
    tags = []
    for category in entry.findall(f"{{{ATOM}}}category"):
        tags.append(clean(category.get("label")) or clean(category.get("term")))
    id_el = _first(entry, f"{{{ATOM}}}id")
    guid = _atom_id(id_el, url)
    link = _atom_alternate(links) or guid
    rights_el = _first(entry, f"{{{ATOM}}}rights")
    return ParsedEntry(
        guid=guid,
        title=_atom_plain(title_el),
        link=link,
        links=tuple(links),
        published=_date(_first(entry, f"{{{ATOM}}}published")),
        updated=_date(_first(entry, f"{{{ATOM}}}updated")),
        authors=_atom_people(entry),
        summary_html=summary_html,
        content_html=content_html,
        tags=unique(tags),
        language=next((clean(v) for v in languages if clean(v)), None),
        rights=RawRights(
            statement=_atom_plain(rights_el),
            license_urls=unique([lk.href for lk in links if lk.rel == "license"]),
        ),
        source=None,
    )


_READERS: dict[str, Callable[[etree._Element, Mapping[str, str], str], ParsedFeed | None]] = {
    "rss": _read_rss,
    f"{{{RDF}}}RDF": _read_rdf,
    f"{{{ATOM}}}feed": _read_atom,
}
