"""RFC 5005 archived feeds: which articles go in which archive page, and the links between pages.

With ``archive = true`` and ``limit = N`` an output's subscription document holds its newest N
articles and links (``prev-archive``) to the newest archive page. Archive pages hold the
output's articles **oldest first in complete pages of N** (page 1 = the N oldest), so adding
articles never changes a page already written: a page appears once it is full, and the articles
not yet in a full page are fewer than N, all among the newest N the subscription document shows
(the newest page and the subscription document may overlap; RFC 5005 readers keep one of each
entry). Each page links ``current`` (the subscription document), ``prev-archive`` (older) and
``next-archive`` (newer), and is marked ``fh:archive``.

A page's bytes change only when its content truly does: an edit of one of its articles rewrites
that page; a withdrawal, or an article arriving late with an old date, moves the page
boundaries after it, and those pages are rewritten (readers see the change through their
ETags; see docs/outputs.md). Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article
from syndicate.outputs.facts import ArchiveLinks, document_url, feed_filename

ARCHIVE_PAGE = re.compile(r"^(?P<output>[a-z0-9][a-z0-9._-]*)-archive-(?P<page>[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class ArchivePage:
    number: int  # 1 = the oldest
    output: OutputConfig  # the output renamed NAME-archive-K, without hubs
    articles: tuple[Article, ...]  # newest first, as every document lists them


def page_name(output_name: str, number: int) -> str:
    """``all`` + 3 → ``all-archive-3``."""
    return f"{output_name}-archive-{number}"


def archive_pages(output: OutputConfig, newest_first: Sequence[Article]) -> list[ArchivePage]:
    """The complete pages of ``output.limit`` articles, oldest page first (empty without ``archive``)."""
    if not output.archive:
        return []
    size = output.limit
    oldest_first = list(reversed(newest_first))
    pages = []
    for index in range(len(oldest_first) // size):
        number = index + 1
        chunk = oldest_first[index * size : (index + 1) * size]
        title = f"{output.title or output.name} (archive {number})"
        renamed = output.model_copy(update={"name": page_name(output.name, number), "title": title, "hubs": []})
        pages.append(ArchivePage(number, renamed, tuple(reversed(chunk))))
    return pages


def current_links(output: OutputConfig, settings: Settings, fmt: str, count: int) -> ArchiveLinks | None:
    """The subscription document's link to the newest of ``count`` archive pages (None: no archive yet)."""
    if count == 0:
        return None
    return ArchiveLinks(prev_archive=_url(output, settings, fmt, count))


def page_links(output: OutputConfig, settings: Settings, fmt: str, number: int, count: int) -> ArchiveLinks:
    """Page ``number`` of ``count``: ``current``, and its older and newer neighbours when there are any."""
    return ArchiveLinks(
        current=document_url(output, settings, fmt),
        prev_archive=_url(output, settings, fmt, number - 1) if number > 1 else None,
        next_archive=_url(output, settings, fmt, number + 1) if number < count else None,
    )


def is_archive_file(name: str, outputs: Sequence[OutputConfig]) -> bool:
    """Whether ``name`` (without extension) is an archive page of one of ``outputs`` that archive."""
    match = ARCHIVE_PAGE.match(name)
    return match is not None and any(o.archive and o.name == match.group("output") for o in outputs)


def stale_page_files(output_name: str, fmt: str, count: int, existing: Sequence[str]) -> list[str]:
    """The files among ``existing`` that are pages of ``output_name`` in ``fmt`` beyond the ``count`` kept."""
    stale = []
    for filename in existing:
        stem, dot, extension = filename.rpartition(".")
        match = ARCHIVE_PAGE.match(stem) if dot else None
        if match and match.group("output") == output_name and extension == fmt and int(match.group("page")) > count:
            stale.append(filename)
    return sorted(stale)


def _url(output: OutputConfig, settings: Settings, fmt: str, number: int) -> str:
    base = document_url(output, settings, fmt)
    return base[: -len(feed_filename(output.name, fmt))] + feed_filename(page_name(output.name, number), fmt)
