"""Who published a copy first: the original outlet, author and URL, and who republished it.

Signals, strongest first: the entry's ``atom:source`` / RSS ``<source>``, ``link rel="via"``,
``dc:publisher``, ``dc:source``, then the body's notices ("originally published on Y",
a fair-use claim). A copy is the original publisher's own (``is_original``) when none of
them names another outlet or site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from syndicate.attribution.notices import Findings
from syndicate.attribution.recognizers import HOUSE_ACCOUNTS
from syndicate.models import Attribution, Evidence, ParsedEntry, ParsedFeed, Republisher, SourceFeedInfo
from syndicate.normalize.text import clean_line, fold
from syndicate.normalize.urls import clean_url, host_of, is_absolute_http, is_site_root

_HOSTLIKE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$", re.I)


def outlet_words(name: str | None) -> list[str]:
    """A name as folded words for comparing outlets; a host counts by its main label
    ("www.globalresearch.ca" → ``["globalresearch"]``)."""
    text = (name or "").strip()
    if _HOSTLIKE.match(text):
        labels = text.lower().split(".")
        if labels[0] == "www":
            labels = labels[1:]
        text = labels[-2] if len(labels) >= 2 else labels[0]
    words = fold(text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return words


def same_outlet(a: str | None, b: str | None) -> bool:
    """True when two outlet names (or hosts) plausibly name the same outlet: equal once folded
    ("South Front" ~ "southfront.org"), or one a leading run of two words or more of the other
    ("Example News" ~ "Example News – Politics")."""
    words_a, words_b = outlet_words(a), outlet_words(b)
    if not words_a or not words_b:
        return False
    if "".join(words_a) == "".join(words_b):
        return True
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) >= 2 and longer[: len(shorter)] == shorter


_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "ne", "net", "or", "org"})


def site_of(host: str | None) -> str | None:
    """The registrable part of a host, roughly: ``blog.example.com`` → ``example.com``,
    ``news.bbc.co.uk`` → ``bbc.co.uk`` (no public-suffix list; good enough to tell sites apart)."""
    if not host:
        return None
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_label(host: str | None) -> str | None:
    """The name part of a site: ``theregister.co.uk`` and ``go.theregister.com`` → ``theregister``."""
    site = site_of(host)
    return site.split(".")[0] if site else None


# hosts that only redirect (feed proxies, link shorteners, click trackers): they say nothing about the site
REDIRECTOR_HOSTS: frozenset[str] = frozenset(
    {"bit.ly", "buff.ly", "dlvr.it", "feedproxy.google.com", "feeds.feedburner.com", "lnkd.in", "ow.ly",
     "t.co", "tinyurl.com", "trib.al"}
)  # fmt: skip
_REDIRECTOR_PREFIXES = ("click.", "clicks.", "feedproxy.", "feeds.", "go.", "links.", "redirect.", "track.")


def is_redirector(host: str) -> bool:
    return host in REDIRECTOR_HOSTS or host.startswith(_REDIRECTOR_PREFIXES)


@dataclass(frozen=True, slots=True)
class Decision:
    attribution: Attribution
    url: str  # the canonical URL: the original's when known, else this copy's
    is_original: bool


def feed_evidence(entry: ParsedEntry, attribution: Attribution) -> tuple[Evidence, ...]:
    """Evidence for the original outlet when a feed element, not the body, named it."""
    found: list[Evidence] = []
    publisher = attribution.original_publisher
    source_title = clean_line(entry.source.title) if entry.source is not None else ""
    for element, value in (("feed.source", source_title), ("feed.dc-source", clean_line(entry.rights.dc_source)),
                           ("feed.dc-publisher", clean_line(entry.rights.publisher))):  # fmt: skip
        if publisher and value and value == publisher:
            found.append(Evidence("original_publisher", publisher, element, "", value, "feed"))
            break
    return tuple(found)


def is_house_account(name: str, own: str, feed: ParsedFeed) -> bool:
    """A feed author that is the site itself, not a writer: "admin", "Staff", "Tyler Durden"
    (the phrases files' ``house_accounts``), or the site's own name or host."""
    folded = name.casefold().strip()
    if folded in HOUSE_ACCOUNTS:
        return True
    return any(same_outlet(name, site) for site in (own, feed.title, host_of(feed.link)) if site)


def own_outlet(feed: ParsedFeed, publisher: str | None, source_name: str) -> str:
    """The outlet that carries this copy: the configured publisher, the feed's title, its host, its name."""
    return clean_line(publisher) or clean_line(feed.title) or host_of(feed.link) or source_name


def decide(
    entry: ParsedEntry,
    feed: ParsedFeed,
    *,
    own: str,
    copy_url: str | None,
    authors: Sequence[str],
    found: Findings,
) -> Decision:
    feed_hosts = {h for h in (host_of(feed.link), host_of(feed.self_url)) if h}
    copy_host = host_of(copy_url)
    home_hosts = feed_hosts | ({copy_host} if copy_host and not feed_hosts else set())

    def foreign_host(url: str | None) -> bool:
        host = host_of(url)
        return bool(host) and host not in home_hosts and host != copy_host

    source = entry.source
    publishers: list[str] = []
    urls: list[str] = []
    republished = found.republished
    site = site_label(host_of(feed.link))
    if site and copy_host and not is_redirector(copy_host) and site_label(copy_host) != site:
        republished = True  # an aggregator or link blog: its entry links to another site's article

    if source is not None:
        title = clean_line(source.title)
        source_hosts = {h for h in (host_of(source.link), host_of(source.url)) if h}
        if title and not same_outlet(title, own):
            publishers.append(title)
            republished = True
        if source_hosts and not (source_hosts & feed_hosts):
            republished = True
    for link in entry.links:
        if link.rel == "via":
            via = clean_url(link.href, copy_url or feed.link)
            if via and is_absolute_http(via) and foreign_host(via):
                urls.append(via)
                republished = True
    # dc:publisher often names the owning company ("Condé Nast" on The New Yorker's feed): it names
    # the original outlet of a copy found to be republished, but is no sign of republication itself
    dc_publisher = clean_line(entry.rights.publisher)
    weak_publishers = [dc_publisher] if dc_publisher and not same_outlet(dc_publisher, own) else []
    dc_source = (entry.rights.dc_source or "").strip()
    if dc_source:
        if is_absolute_http(dc_source):
            cleaned = clean_url(dc_source)
            if cleaned and foreign_host(cleaned) and not is_site_root(cleaned):
                urls.append(cleaned)
                republished = True
        else:
            name = clean_line(dc_source)
            if name and not same_outlet(name, own):
                publishers.append(name)
                republished = True
    for name in found.publishers:
        if not same_outlet(name, own):
            publishers.append(name)
            republished = True
    for url in found.original_urls:
        if foreign_host(url):
            urls.append(url)
            republished = True

    original_author = ", ".join(found.original_authors) or ", ".join(authors) or None
    if not republished:
        attribution = Attribution(
            original_publisher=own,
            original_author=original_author,
            original_url=copy_url,
            republishers=(),
            # this copy is the original: its own feed is the one an outbound atom:source names
            original_feed=SourceFeedInfo(
                title=own,
                url=feed.self_url,
                link=feed.link,
                rights=feed.rights,
                authors=feed.authors,
            ),
        )
        return Decision(attribution, copy_url or "", True)

    original_url = urls[0] if urls else None
    if original_url is None and copy_url and copy_host and feed_hosts and copy_host not in feed_hosts:
        original_url = copy_url  # an aggregator linking straight to the original
    publishers.extend(weak_publishers)
    attribution = Attribution(
        original_publisher=publishers[0] if publishers else None,
        original_author=original_author,
        original_url=original_url,
        republishers=(Republisher(own, copy_url),),
        original_feed=source,
    )
    return Decision(attribution, original_url or copy_url or "", False)
