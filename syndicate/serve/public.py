"""The public face of ``syndicate serve``: the index page, the feeds' browser view, the assets.

The index carries the site's name (``[syndicate] title``), every output with its subscribe
links and latest items, styled by ``/assets/site.css``; ``/assets/feed.xsl`` is the XSLT the
Atom and RSS feeds link (``<?xml-stylesheet?>``) so a browser shows a readable page. Both are
package data, served from here: no build step and nothing fetched from elsewhere.

Browsers are dropping XSLT (Chromium shows a removal warning, and serves ``application/atom+xml``
as plain text without applying it), so when a request prefers ``text/html`` over the feed types
(a person clicking a feed link) ``serve`` applies the same stylesheet itself (:func:`feed_page`)
and answers HTML; feed readers and validators, which ask for feed types or ``*/*``, get the feed.

The latest items are read from the rendered documents themselves (JSON Feed when the output
has one, else Atom or RSS), through the server's cache; the page is rebuilt only when one of
those documents changed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from lxml import etree

from syndicate.outputs.facts import MEDIA_TYPES, web_url
from syndicate.outputs.stylesheet import ASSETS, asset_bytes
from syndicate.serve.filecache import CachedFile
from syndicate.serve.pages import FORMAT_LABELS, ServedOutput

TEMPLATES_DIR = Path(__file__).with_name("templates")
ASSETS_PATH = "/assets/"
LATEST = 5  # items shown per output
READ_ORDER = ("json", "atom", "rss")  # the document the latest items are read from, when the output has it
_ATOM = "{http://www.w3.org/2005/Atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"


# what a feed URL can answer; a browser's Accept ranks text/html first, a reader's a feed type or */*
NEGOTIATED = ("application/atom+xml", "application/rss+xml", "application/xml", "text/xml", "text/html")
_STYLESHEET_MARK = b"<?xml-stylesheet"
_transform_lock = threading.Lock()
_pages: dict[str, bytes] = {}  # feed ETag -> its HTML view
_PAGES_KEPT = 64


def wants_html(best_match: str | None) -> bool:
    """True when content negotiation over NEGOTIATED picked ``text/html`` (a browser navigating)."""
    return best_match == "text/html"


def links_stylesheet(data: bytes) -> bool:
    """Whether a rendered feed links the stylesheet (outputs with ``stylesheet = false`` do not)."""
    return _STYLESHEET_MARK in data[:512]


def feed_page(data: bytes, etag: str) -> bytes:
    """The feed's browser view: ``feed.xsl`` applied to it, as the browser would (cached per ETag)."""
    page = _pages.get(etag)
    if page is not None:
        return page
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with _transform_lock:  # one compiled stylesheet, one transform at a time
        result = _stylesheet()(etree.fromstring(data, parser=parser))
        page = bytes(result)
        if len(_pages) >= _PAGES_KEPT:
            _pages.clear()
        _pages[etag] = page
    return page


@lru_cache(maxsize=1)
def _stylesheet() -> etree.XSLT:
    document = etree.fromstring(asset_bytes("feed.xsl"), parser=etree.XMLParser(no_network=True))
    return etree.XSLT(document, access_control=etree.XSLTAccessControl.DENY_ALL)


def site_title(title: str | None, base_url: str) -> str:
    """``[syndicate] title``, else "Feeds from HOST" of the base URL."""
    if title and title.strip():
        return title.strip()
    host = urlsplit(base_url).netloc
    return f"Feeds from {host}" if host else "Feeds"


@cache
def asset(name: str) -> tuple[bytes, str] | None:
    """(bytes, content type) of a shipped asset, or None for any other name."""
    if name not in ASSETS:
        return None
    return asset_bytes(name), ASSETS[name]


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    url: str | None
    date: str | None  # RFC 3339 (JSON Feed, Atom) or RFC 822 (RSS) as written
    byline: str | None


def latest_items(data: bytes, fmt: str, count: int = LATEST) -> list[Item]:
    """The first ``count`` items of a rendered document (documents list the newest first)."""
    try:
        if fmt == "json":
            return [_json_item(item) for item in json.loads(data).get("items", [])[:count]]
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (ValueError, etree.XMLSyntaxError):
        return []
    if fmt == "atom":
        return [_atom_item(entry) for entry in root.findall(f"{_ATOM}entry")[:count]]
    return [_rss_item(item) for item in root.findall("channel/item")[:count]]


def _json_item(item: dict[str, Any]) -> Item:
    authors = ", ".join(a.get("name", "") for a in item.get("authors", []) if a.get("name"))
    return Item(item.get("title") or "(untitled)", web_url(item.get("url")), item.get("date_published")
                or item.get("date_modified"), authors or None)


def _atom_item(entry: Any) -> Item:
    links = [ln for ln in entry.findall(f"{_ATOM}link") if ln.get("rel", "alternate") == "alternate"]
    authors = ", ".join(n.text or "" for n in entry.findall(f"{_ATOM}author/{_ATOM}name"))
    return Item(entry.findtext(f"{_ATOM}title") or "(untitled)", web_url(links[0].get("href")) if links else None,
                entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated"), authors or None)


def _rss_item(item: Any) -> Item:
    authors = ", ".join(n.text or "" for n in item.findall(f"{_DC}creator"))
    return Item(item.findtext("title") or "(untitled)", web_url(item.findtext("link")), item.findtext("pubDate"),
                authors or None)


class IndexPage:
    """The index page, rebuilt when one of the documents it reads changed (thread-safe)."""

    def __init__(self, outputs: Sequence[ServedOutput], formats: Sequence[Sequence[str]], title: str):
        self.outputs = list(outputs)
        self.formats = [list(f) for f in formats]  # each output's formats, in configured order
        self.title = title
        self._lock = threading.Lock()
        self._key: tuple[str | None, ...] | None = None
        self._page = b""

    def render(self, read: Callable[[str], CachedFile | None]) -> bytes:
        """The page; ``read(filename)`` gives a rendered document from the server's cache."""
        sources = [self._source_document(output, formats, read) for output, formats in
                   zip(self.outputs, self.formats, strict=True)]
        key = tuple(cached.etag if cached else None for _fmt, cached in sources)
        with self._lock:
            if key == self._key:
                return self._page
        views = [
            _output_view(output, latest_items(cached.data, fmt) if cached else [])
            for output, (fmt, cached) in zip(self.outputs, sources, strict=True)
        ]
        page = _template().render(title=self.title, outputs=views).encode("utf-8")
        with self._lock:
            self._key, self._page = key, page
        return page

    @staticmethod
    def _source_document(
        output: ServedOutput, formats: Sequence[str], read: Callable[[str], CachedFile | None]
    ) -> tuple[str, CachedFile | None]:
        for fmt in READ_ORDER:
            if fmt in formats:
                return fmt, read(f"{output.name}.{fmt}")
        return "", None


def _output_view(output: ServedOutput, items: list[Item]) -> dict[str, Any]:
    return {
        "title": output.title,
        "subtitle": output.subtitle,
        "links": [{"url": url, "label": FORMAT_LABELS[fmt], "media_type": MEDIA_TYPES[fmt]}
                  for fmt, url in output.links],
        "latest": items,
    }


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("index.html.j2")
