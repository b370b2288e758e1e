"""OPML subscription lists: read them into sources, write the configured sources as one.

Reading (OPML 1.0/2.0): every ``outline`` with an ``xmlUrl`` is a feed; the
``text``/``title`` of the folders around it and its OPML 2.0 ``category`` paths
become its tags. The same URL listed twice (in two folders, say) is one feed with
both folders as tags. Names are slugs of the title (else the host), made unique.
Parsing refuses DTDs and entities, and never touches the network.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from syndicate.config import Config, SourceConfig
from syndicate.errors import SyndicateError


class OpmlError(SyndicateError):
    """The file is not an OPML subscription list."""


# syndicate's own outline attributes (``syndicate:name`` …), so export → import keeps a source whole
NS = "https://github.com/syndicate-feeds/syndicate/opml/1.0"
PREFIX = "syndicate"


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """What a source's ``[[source]]`` table holds beyond its URL and tags (from ``syndicate:*`` attributes).

    ``rights`` and ``rules`` are the TOML tables as plain data; ``headers`` are never exported
    (they may carry credentials).
    """

    name: str | None = None
    publisher: str | None = None
    interval: str | None = None  # a duration as written in the file: "45m"
    language: str | None = None
    enabled: bool | None = None
    rights: dict[str, Any] | None = None
    rules: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None = None
    html_url: str | None = None
    tags: tuple[str, ...] = ()
    settings: SourceSettings = field(default_factory=SourceSettings)


@dataclass
class ImportPlan:
    """What an import adds (names already made unique) and what it skips."""

    add: list[tuple[str, OpmlFeed]] = field(default_factory=list)
    already: list[OpmlFeed] = field(default_factory=list)  # the URL is configured already


_SAFE_PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds an OPML document lists, in document order, one per URL."""
    try:
        root = etree.fromstring(data, etree.XMLParser(**_SAFE_PARSER))  # type: ignore[arg-type]
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not an OPML file: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise OpmlError("not an OPML file: no <body>")
    found: dict[str, OpmlFeed] = {}
    _walk(body, (), found)
    return list(found.values())


def _walk(element: etree._Element, folders: tuple[str, ...], found: dict[str, OpmlFeed]) -> None:
    for outline in element.iterchildren("outline"):
        label = _clean(outline.get("title")) or _clean(outline.get("text"))
        url = _clean(outline.get("xmlUrl")) or _clean(outline.get("xmlurl"))
        if url:
            tags = _unique([*folders, *_categories(outline.get("category"))])
            previous = found.get(_url_key(url))
            if previous is not None:
                found[_url_key(url)] = replace(previous, tags=_unique([*previous.tags, *tags]))
            else:
                found[_url_key(url)] = OpmlFeed(
                    url, label, _clean(outline.get("htmlUrl")) or None, tags, _settings(outline)
                )
            _walk(outline, folders, found)  # feeds nested under a feed: rare, but keep them
        else:
            _walk(outline, (*folders, label) if label else folders, found)


def _ours(outline: etree._Element, name: str) -> str | None:
    value = outline.get(f"{{{NS}}}{name}")
    return value.strip() if value is not None and value.strip() else None


def _json_table(outline: etree._Element, name: str) -> dict[str, Any] | None:
    text = _ours(outline, name)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise OpmlError(f"{PREFIX}:{name}={text[:60]!r} is not a JSON object") from None
    if not isinstance(value, dict):
        raise OpmlError(f"{PREFIX}:{name}={text[:60]!r} is not a JSON object")
    return value


def _settings(outline: etree._Element) -> SourceSettings:
    enabled = _ours(outline, "enabled")
    return SourceSettings(
        name=_ours(outline, "name"),
        publisher=_ours(outline, "publisher"),
        interval=_ours(outline, "interval"),
        language=_ours(outline, "language"),
        enabled=None if enabled is None else enabled.lower() != "false",
        rights=_json_table(outline, "rights"),
        rules=_json_table(outline, "rules"),
    )


def _categories(value: str | None) -> list[str]:
    """OPML 2.0 ``category="/Tech/News,/Sport"`` → ["News", "Sport"] (the last segment of each path)."""
    out = []
    for path in (value or "").split(","):
        segments = [s.strip() for s in path.split("/") if s.strip()]
        if segments:
            out.append(segments[-1])
    return out


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


def _url_key(url: str) -> str:
    """URLs that differ only in case of scheme/host or a trailing slash are the same feed."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    rest = f"{path}?{parts.query}" if parts.query else path
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{rest}"


def slugify(text: str) -> str:
    """A source name from a title: ``"Swift Blog - Apple Developer"`` → ``swift-blog-apple-developer``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:60].rstrip("-")


def _base_name(feed: OpmlFeed) -> str:
    slug = slugify(feed.title or "")
    if not slug:
        host = urlsplit(feed.url).hostname or ""
        slug = slugify(host.removeprefix("www.")) or "feed"
    return slug


def plan_import(feeds: Sequence[OpmlFeed], config: Config) -> ImportPlan:
    """Which feeds to add under which names (pure): known URLs are skipped, names never collide."""
    plan = ImportPlan()
    known_urls = {_url_key(s.url) for s in config.source}
    taken = {s.name for s in config.source}
    for feed in feeds:
        if _url_key(feed.url) in known_urls:
            plan.already.append(feed)
            continue
        base = feed.settings.name or _base_name(feed)  # the name it had where it was exported
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        known_urls.add(_url_key(feed.url))
        plan.add.append((name, feed))
    return plan


def export_opml(
    config: Config, *, now: datetime | None = None, known: Mapping[str, tuple[str | None, str | None]] | None = None
) -> bytes:
    """The configured sources as OPML 2.0: grouped in folders by their first tag, every tag in ``category``.

    ``known``: source name → (the feed's own title, its site link), as the last fetch found them.
    """
    known = known or {}
    root = etree.Element("opml", version="2.0", nsmap={PREFIX: NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "syndicate sources"
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for source in config.source:
        parent = body
        if source.tags:
            folder = source.tags[0]
            if folder not in folders:
                folders[folder] = etree.SubElement(body, "outline", text=folder, title=folder)
            parent = folders[folder]
        feed_title, site = known.get(source.name, (None, None))
        title = " ".join((feed_title or source.publisher or source.name).split())
        attributes = {"type": "rss", "text": title, "title": title, "xmlUrl": source.url}
        if site:
            attributes["htmlUrl"] = site
        if source.tags:
            attributes["category"] = ",".join("/" + tag for tag in source.tags)
        attributes.update({f"{{{NS}}}{key}": value for key, value in _our_attributes(source).items()})
        etree.SubElement(parent, "outline", attributes)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def format_duration(seconds: float) -> str:
    """5400.0 → ``"1h30m"``: the shortest duration text :func:`~syndicate.config.parse_duration` reads back."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    rest, parts = int(seconds), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"


def _our_attributes(source: SourceConfig) -> dict[str, str]:
    """``syndicate:*`` attributes: what import needs to rebuild the ``[[source]]`` table (never headers)."""
    out = {"name": source.name}
    if source.publisher:
        out["publisher"] = source.publisher
    if source.interval is not None:
        out["interval"] = format_duration(source.interval)
    if source.language:
        out["language"] = source.language
    if not source.enabled:
        out["enabled"] = "false"
    if source.rights is not None:
        out["rights"] = json.dumps(source.rights.model_dump(exclude_defaults=True), ensure_ascii=False)
    rules = source.rules.model_dump(exclude_defaults=True)
    if rules:
        out["rules"] = json.dumps(rules, ensure_ascii=False)
    return out
