"""One article, many copies: matching copies across sources and merging them.

The store calls, for each new :class:`~syndicate.models.NormalizedEntry`:

1. :func:`match_keys` — exact keys (``u:<url>``, ``g:<source>:<guid>``, ``i:<tag/urn id>``);
   a key already in the key table names the article;
2. otherwise :func:`fuzzy_key` (``t:<title fingerprint>``) to find candidate articles, and
   :func:`same_article` on a candidate's copy to confirm (precision first: two different
   articles must never merge; a missed merge only leaves a duplicate);
3. then :func:`merge_copies` over every copy of the article.

All functions are pure; :func:`merge_copies` gives the same article whatever the order
of the copies.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from syndicate.attribution import rights as rights_rules
from syndicate.attribution.attribute import same_outlet
from syndicate.models import Article, Attribution, Copy, NormalizedEntry, Republisher, Rights
from syndicate.normalize.hashing import content_hash
from syndicate.normalize.text import fold, html_to_text
from syndicate.normalize.urls import is_absolute_http, is_site_root, match_form

# how far apart two copies' publication dates may be
DATE_WINDOW = timedelta(days=7)
# word 3-gram containment (shared / shingles of the shorter text) two bodies need
MIN_CONTAINMENT = 0.8
# bodies shorter than this many words must match word for word (one inside the other)
SHORT_TEXT_WORDS = 25
SHINGLE = 3
_GLOBAL_ID = re.compile(r"^(?:tag|urn):", re.I)
_ROMAN = re.compile(r"^(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3}|xiv|xv)$")
_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                           "first", "second", "third", "fourth", "fifth", "final", "last"})  # fmt: skip
_SERIES_WORDS = frozenset({"part", "chapter", "episode", "ep", "vol", "volume", "no", "number", "day", "week",
                           "round", "season", "book", "act", "stage", "phase"})  # fmt: skip


# ---------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)  # pure; a pass meets each URL several times (keys, ranking, merging)
def _url_key(url: str | None) -> str | None:
    if not url or not is_absolute_http(url) or is_site_root(url):
        return None
    return "u:" + match_form(url)


def match_keys(entry: NormalizedEntry) -> list[str]:
    """Exact keys of one copy: its canonical and own URLs, its guid within its source, a global id."""
    keys: list[str] = []
    for url in (entry.url, entry.copy_url, entry.attribution.original_url):
        key = _url_key(url)
        if key and key not in keys:
            keys.append(key)
    guid = (entry.guid or "").strip()
    if guid:
        keys.append(f"g:{entry.source}:{guid}")
        if _GLOBAL_ID.match(guid):
            keys.append("i:" + guid)
        else:
            key = _url_key(guid)
            if key and key not in keys:
                keys.append(key)
    return keys


def title_fingerprint(title: str) -> str:
    return fold(title)


def fuzzy_key(entry: NormalizedEntry) -> str | None:
    """``t:<title fingerprint>``: copies that may be the same article share it (candidates only)."""
    fingerprint = title_fingerprint(entry.title)
    if len(fingerprint.replace(" ", "")) < 8 or fingerprint == "untitled":
        return None
    return "t:" + fingerprint


# ---------------------------------------------------------------------------
# same article?
# ---------------------------------------------------------------------------


def series_markers(title: str) -> tuple[str, ...]:
    """What tells the parts of a series apart: numbers, roman numerals, "part two"…"""
    words = fold(title).split()
    markers = [w for w in words if any(ch.isdigit() for ch in w)]
    for i, word in enumerate(words):
        if _ROMAN.match(word) and i > 0 and words[i - 1] in _SERIES_WORDS:
            markers.append(word)
        if word in _NUMBER_WORDS:
            markers.append(word)
    return tuple(markers)


def _words(entry: NormalizedEntry) -> list[str]:
    text = html_to_text(entry.content_html) if entry.content_html else ""
    if len(text) < len(entry.summary):
        text = entry.summary
    return fold(text).split()


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def text_similarity(a: NormalizedEntry, b: NormalizedEntry) -> float:
    """Containment of the shorter body's word 3-grams in the longer one's (0.0–1.0)."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return 0.0
    shorter, longer = sorted((words_a, words_b), key=len)
    if len(shorter) < SHORT_TEXT_WORDS:
        return 1.0 if f" {' '.join(shorter)} " in f" {' '.join(longer)} " else 0.0
    shingles_short, shingles_long = _shingles(shorter), _shingles(longer)
    return len(shingles_short & shingles_long) / len(shingles_short)


def _within_window(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return True
    try:
        return abs(a - b) <= DATE_WINDOW
    except TypeError:  # naive vs aware: should not happen (parse gives aware UTC)
        return False


def same_article(a: NormalizedEntry, b: NormalizedEntry) -> bool:
    """Are two copies the same article? Precision first: when unsure, no."""
    if set(match_keys(a)) & set(match_keys(b)):
        return True
    if a.source == b.source:
        return False  # one feed does not carry one article twice under different ids and URLs
    original_a, original_b = _url_key(a.attribution.original_url), _url_key(b.attribution.original_url)
    claims = not (a.is_original and b.is_original)  # at least one of them names an original elsewhere
    if claims and original_a and original_b and original_a != original_b:
        return False  # they point at different originals
    if title_fingerprint(a.title) != title_fingerprint(b.title):
        return False
    if series_markers(a.title) != series_markers(b.title):
        return False
    if not _within_window(a.published or a.updated, b.published or b.updated):
        return False
    return text_similarity(a, b) >= MIN_CONTAINMENT


# ---------------------------------------------------------------------------
# merging
# ---------------------------------------------------------------------------


def _copy_order(entry: NormalizedEntry) -> tuple[str, str, str, str]:
    return (entry.source, entry.copy_url or "", entry.guid or "", entry.content_hash)


def _outlet(entry: NormalizedEntry) -> str:
    """The outlet that carries a copy."""
    if entry.is_original and entry.attribution.original_publisher:
        return entry.attribution.original_publisher
    if entry.attribution.republishers:
        return entry.attribution.republishers[0].name
    return entry.source


def _primary(copies: list[NormalizedEntry]) -> tuple[int, bool]:
    """Index of the copy that is (most likely) the original publisher's own, and whether it is one."""
    claimed_urls = {_url_key(c.attribution.original_url) for c in copies if not c.is_original} - {None}
    claimed_outlets = [c.attribution.original_publisher for c in copies if not c.is_original]

    def is_claimed(copy: NormalizedEntry) -> bool:
        """Another copy (or this one) names this copy's URL or outlet as the original."""
        outlet = _outlet(copy)
        return _url_key(copy.copy_url) in claimed_urls or any(same_outlet(outlet, o) for o in claimed_outlets if o)

    if len(copies) == 1:  # the only copy is the primary: what the rank below gives, without the tie-breakers
        return 0, copies[0].is_original or is_claimed(copies[0])
    authors = [name for c in copies for name in c.authors]

    def rank(index: int) -> tuple[bool, bool, bool, datetime, int]:
        copy = copies[index]
        outlet = _outlet(copy)
        claimed = is_claimed(copy)
        by_itself = any(same_outlet(outlet, name) for name in authors)
        when = copy.published or copy.updated or datetime.max.replace(tzinfo=None)
        if when.tzinfo is not None:
            when = when.replace(tzinfo=None) - (when.utcoffset() or timedelta(0))
        return (not claimed, not copy.is_original, not by_itself, when, index)

    ranks = [rank(index) for index in range(len(copies))]
    best_rank = min(ranks)
    return best_rank[-1], (not best_rank[0]) or (not best_rank[1])


def _first(values: Sequence[str | None]) -> str | None:
    return next((v for v in values if v), None)


def merge_copies(
    article_id: str, copies: Sequence[NormalizedEntry], first_seen: datetime | None
) -> Article:
    """One article from all its copies (deterministic whatever the order of ``copies``)."""
    if not copies:
        raise ValueError("merge_copies needs at least one copy")
    ordered = sorted(copies, key=_copy_order)
    index, primary_is_original = _primary(ordered)
    primary = ordered[index]
    ordered = [primary, *(c for i, c in enumerate(ordered) if i != index)]

    claims = Counter(c.attribution.original_url for c in ordered if c.attribution.original_url and not c.is_original)
    if primary_is_original and (primary.url or primary.copy_url):
        url = primary.url or primary.copy_url or ""
        original_publisher = primary.attribution.original_publisher or _first(
            [c.attribution.original_publisher for c in ordered]
        )
    else:
        url = min(claims, key=lambda u: (-claims[u], u)) if claims else (primary.url or "")
        original_publisher = _first([c.attribution.original_publisher for c in ordered])

    with_content = [c for c in ordered if c.content_html]
    body_copy = primary if primary.content_html or not with_content else with_content[0]
    authors = primary.authors or next((c.authors for c in ordered if c.authors), ())
    published = primary.published if primary_is_original and primary.published else min(
        (c.published for c in ordered if c.published), default=None
    )
    updated = max((c.updated for c in ordered if c.updated), default=None)
    tags: list[str] = []
    seen_tags: set[str] = set()
    for copy in ordered:
        for tag in copy.tags:
            if tag.casefold() not in seen_tags:
                seen_tags.add(tag.casefold())
                tags.append(tag)

    republishers: dict[str, Republisher] = {}
    for copy in ordered:
        found = list(copy.attribution.republishers)
        if copy is not primary and copy.is_original:
            found.append(Republisher(_outlet(copy), copy.copy_url))
        for republisher in found:
            if original_publisher and same_outlet(republisher.name, original_publisher):
                continue
            key = republisher.name.casefold()
            if key not in republishers or (republishers[key].url is None and republisher.url):
                republishers[key] = republisher
    attribution = Attribution(
        original_publisher=original_publisher,
        original_author=primary.attribution.original_author or _first([c.attribution.original_author for c in ordered]),
        original_url=url or None,
        republishers=tuple(sorted(republishers.values(), key=lambda r: (r.name.casefold(), r.url or ""))),
        original_feed=primary.attribution.original_feed
        or next((c.attribution.original_feed for c in ordered if c.attribution.original_feed), None),
        evidence=tuple(dict.fromkeys(e for c in ordered for e in c.attribution.evidence)),
    )
    rights = rights_rules.merge([c.rights for c in ordered], [c.rights_configured for c in ordered], 0)
    title = primary.title
    return Article(
        id=article_id,
        title=title,
        url=url,
        published=published,
        updated=updated,
        authors=authors,
        summary=body_copy.summary or primary.summary,
        content_html=body_copy.content_html,
        tags=tuple(tags),
        language=primary.language or _first([c.language for c in ordered]),
        copies=tuple(sorted((Copy(c.source, c.copy_url, c.guid) for c in copies),
                            key=lambda c: (c.source, c.url or "", c.guid or ""))),
        attribution=attribution,
        rights=rights,
        content_hash=_hash_of(title, url, body_copy.content_html, authors, rights, attribution, ordered),
        first_seen=first_seen,
    )


def _hash_of(
    title: str,
    url: str,
    content_html: str,
    authors: Sequence[str],
    rights: Rights,
    attribution: Attribution,
    copies: Sequence[NormalizedEntry],
) -> str:
    """:func:`content_hash` of the merged fields; a copy's own when every field is that copy's (an
    article with one copy, most often): normalize computed it from those same fields."""
    fields = (title, url, content_html, tuple(authors), rights, attribution)
    for copy in copies:
        if fields == (copy.title, copy.url, copy.content_html, tuple(copy.authors), copy.rights, copy.attribution):
            return copy.content_hash
    return content_hash(*fields)


def cluster(entries: Sequence[NormalizedEntry]) -> list[list[NormalizedEntry]]:
    """Group copies into articles the way the store does, in order of arrival (for tests and tools).

    Exact keys first (a key seen before names its article), then candidates sharing the
    fuzzy key confirmed by :func:`same_article` against each of their copies.
    """
    groups: list[list[NormalizedEntry]] = []
    by_key: dict[str, int] = {}
    by_fuzzy: dict[str, list[int]] = {}
    for entry in entries:
        found: int | None = next((by_key[k] for k in match_keys(entry) if k in by_key), None)
        fuzzy = fuzzy_key(entry)
        if found is None and fuzzy is not None:
            for candidate in by_fuzzy.get(fuzzy, []):
                if any(same_article(copy, entry) for copy in groups[candidate]):
                    found = candidate
                    break
        if found is None:
            groups.append([])
            found = len(groups) - 1
        groups[found].append(entry)
        for key in match_keys(entry):
            by_key.setdefault(key, found)
        if fuzzy is not None and found not in by_fuzzy.setdefault(fuzzy, []):
            by_fuzzy[fuzzy].append(found)
    return groups
