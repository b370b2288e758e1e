"""What every parser back end shares: warnings, caps, guid fallback, the entry hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from syndicate.jsontext import canonical, fields_of
from syndicate.models import ParsedEntry, RawRights
from syndicate.parse.hardening import MAX_CONTENT_CHARS, MAX_ENTRIES
from syndicate.parse.text import clean, is_truncated

T = TypeVar("T")

# Creative Commons SPDX ids -> licence deed URLs, for rights stated only by id (our own JSON Feed extension)
SPDX_LICENSE_URLS: dict[str, str] = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-NC-ND-3.0": "https://creativecommons.org/licenses/by-nc-nd/3.0/",
    "CC-BY-3.0-US": "https://creativecommons.org/licenses/by/3.0/us/",
    "LicenseRef-CC-BY-NC-ND-3.0-US": "https://creativecommons.org/licenses/by-nc-nd/3.0/us/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-PDDC": "https://creativecommons.org/licenses/publicdomain/",
}


class Warnings:
    """Collects one-line warnings, each at most once, in the order they arose."""

    def __init__(self, initial: Iterable[str] = ()) -> None:
        self._items: list[str] = []
        for item in initial:
            self.add(item)

    def add(self, message: str) -> None:
        line = " ".join(str(message).split())[:300]
        if line and line not in self._items:
            self._items.append(line)

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(self._items)


def content(value: Any, what: str, warnings: Warnings) -> str | None:
    """A content/summary field: cleaned and capped at MAX_CONTENT_CHARS (with a warning)."""
    if is_truncated(value, MAX_CONTENT_CHARS):
        warnings.add(f"{what} longer than {MAX_CONTENT_CHARS} characters was truncated")
    return clean(value, cap=MAX_CONTENT_CHARS)


def bounded_int(text: str | None) -> int | None:
    """A small non-negative whole number from feed text (``<ttl>``, ``sy:updateFrequency``, hours), else None."""
    if text is None:
        return None
    try:
        number = int(float(text))
    except (ValueError, OverflowError):
        return None
    return number if 0 <= number < 10_000_000 else None


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """Non-empty values, first occurrence kept, order preserved."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


def merge_rights(first: RawRights, second: RawRights) -> RawRights:
    """``first`` completed by ``second`` (lists are concatenated without duplicates)."""
    return RawRights(
        statement=first.statement or second.statement,
        license_urls=unique((*first.license_urls, *second.license_urls)),
        publisher=first.publisher or second.publisher,
        creators=unique((*first.creators, *second.creators)),
        media_copyright=first.media_copyright or second.media_copyright,
        media_credits=unique((*first.media_credits, *second.media_credits)),
        dc_source=first.dc_source or second.dc_source,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def hash_entry(entry: ParsedEntry) -> str:
    """A stable blake2b-128 hex digest of the entry's parsed fields (``raw_hash`` excluded)."""
    data = fields_of(entry)
    data["raw_hash"] = ""
    return hashlib.blake2b(canonical(data), digest_size=16).hexdigest()


def reference_hash_entry(entry: ParsedEntry) -> str:
    """:func:`hash_entry` as first written (``dataclasses.asdict``); the tests hold the two equal."""
    data = dataclasses.asdict(dataclasses.replace(entry, raw_hash=""))
    encoded = json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(encoded.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def fallback_guid(entry: ParsedEntry) -> str:
    """An id for an entry that has neither id nor link: a hash of its title and date (or its text)."""
    date = entry.published or entry.updated
    parts = [entry.title or "", date.isoformat() if date else ""]
    if not any(parts):
        parts.append(entry.summary_html or entry.content_html or "")
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"urn:syndicate:hash:{digest}"


def finish_entry(entry: ParsedEntry) -> ParsedEntry:
    """Fill ``guid`` (id, else link, else a content hash) and ``raw_hash``."""
    if not entry.guid:
        entry = dataclasses.replace(entry, guid=entry.link or fallback_guid(entry))
    return dataclasses.replace(entry, raw_hash=hash_entry(entry))


def cap_entries(entries: Sequence[T], warnings: Warnings) -> Sequence[T]:
    """At most MAX_ENTRIES of ``entries`` (a warning says how many there were)."""
    if len(entries) > MAX_ENTRIES:
        warnings.add(f"{len(entries)} entries; kept the first {MAX_ENTRIES}")
        return entries[:MAX_ENTRIES]
    return entries
