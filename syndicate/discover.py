"""Finding the feed behind a URL an operator pastes (``syndicate sources add``).

The URL is fetched once, with the same fetcher a sync uses (limits, private-network guard,
user agent). A feed is taken as it is. An HTML page is searched for ``<link rel="alternate">``
feeds (RSS, Atom, JSON Feed), then the usual paths (``/feed``, ``/rss``, ``/atom.xml`` …) are
tried; each candidate is fetched at most once, and the first that parses as a feed wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from syndicate.config import Settings, SourceConfig
from syndicate.errors import SyndicateError
from syndicate.fetch import Fetcher
from syndicate.models import FetchResult, ParsedFeed, SourceState

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json")
USUAL_PATHS = ("/feed", "/rss", "/atom.xml", "/feed.xml", "/rss.xml", "/index.xml", "/feed/")
_MAX_CANDIDATES = 12


class DiscoveryError(SyndicateError):
    """No feed at or behind the URL."""


@dataclass(frozen=True, slots=True)
class FoundFeed:
    url: str  # the feed's own URL
    title: str | None
    items: int
    via: str  # "the URL itself", "<link rel=alternate> on PAGE", "PATH on the site"

    def describe(self) -> str:
        title = f'"{self.title}"' if self.title else "(no title)"
        return f"{self.url}: {title}, {self.items} item{'s' if self.items != 1 else ''} (found via {self.via})"


def _parse(result: FetchResult) -> ParsedFeed | None:
    from syndicate.parse import parse_feed

    if result.status != "ok" or result.body is None:
        return None
    try:
        return parse_feed(result.body, result.headers, result.final_url or result.url)
    except Exception:  # not a feed (an HTML page, most often): the caller looks further
        return None


def _looks_like_html(result: FetchResult) -> bool:
    kind = result.headers.get("content-type", "").lower()
    head = (result.body or b"")[:1024].lstrip().lower()
    return "html" in kind or head.startswith((b"<!doctype html", b"<html"))


def alternate_links(body: bytes, page_url: str) -> list[str]:
    """The feed URLs an HTML page declares with ``<link rel="alternate" type="…feed type…">``, in order."""
    try:
        document = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    base = document.xpath("string(//base/@href)") or page_url
    found: list[str] = []
    for link in document.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = urljoin(base, link.get("href").strip())
            if url not in found:
                found.append(url)
    return found


def _fetch(fetcher: Fetcher, url: str) -> FetchResult:
    source = SourceConfig(name="discovery", url=url)
    return fetcher.fetch(source, SourceState(name="discovery", url=url))


def discover(url: str, settings: Settings) -> FoundFeed:
    """The feed at ``url`` or behind it (an HTML page); :class:`DiscoveryError` when there is none."""
    with Fetcher(settings) as fetcher:
        first = _fetch(fetcher, url)
        if first.status != "ok":
            raise DiscoveryError(f"cannot fetch {url}: {first.error or first.status}")
        page = first.final_url or url
        feed = _parse(first)
        if feed is not None:
            return FoundFeed(page, feed.title, len(feed.entries), "the URL itself")
        if not _looks_like_html(first):
            raise DiscoveryError(f"{url} is neither a feed nor an HTML page")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page))
        candidates = [(link, f"<link rel=alternate> on {page}") for link in alternate_links(first.body or b"", page)]
        candidates += [(origin + path, f"{path} on the site") for path in USUAL_PATHS]
        tried: set[str] = {url, page}
        for candidate, via in candidates[:_MAX_CANDIDATES]:
            if candidate in tried:
                continue
            tried.add(candidate)
            result = _fetch(fetcher, candidate)
            feed = _parse(result)
            if feed is not None:
                return FoundFeed(result.final_url or candidate, feed.title, len(feed.entries), via)
    raise DiscoveryError(
        f'{url} is an HTML page without a feed: no <link rel="alternate"> to one, nor at {", ".join(USUAL_PATHS[:3])}'
    )
