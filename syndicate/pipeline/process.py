"""The CPU-bound stage: feed bytes → parsed feed → normalized entries.

:func:`process_feed` is a pure function of picklable values, so it runs the same
in this process, in a process pool, or on a Celery worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from syndicate.config import SourceConfig
from syndicate.errors import ParseError
from syndicate.models import NormalizedEntry, ParsedFeed, quick_pickle
from syndicate.normalize import normalize_entry
from syndicate.parse import parse_feed
from syndicate.pipeline.hints import poll_hint


@dataclass(frozen=True, slots=True)
class ProcessJob:
    source: SourceConfig
    url: str
    body: bytes
    headers: dict[str, str]
    known: dict[str, str] = field(default_factory=dict)  # guid -> raw_hash already stored
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProcessOutcome:
    source: str
    feed: ParsedFeed | None  # without entries (they are in `entries`, normalized)
    entries: tuple[NormalizedEntry, ...] = ()
    skipped: int = 0  # entries whose raw hash was unchanged
    error: str | None = None  # not a feed at all
    poll_hint: float | None = None


def process_feed(job: ProcessJob) -> ProcessOutcome:
    """Parse and normalize one fetched document; entries already stored unchanged are skipped."""
    try:
        feed = parse_feed(job.body, job.headers, job.url)
    except ParseError as exc:
        return ProcessOutcome(source=job.source.name, feed=None, error=f"not a feed: {exc}")
    entries: list[NormalizedEntry] = []
    skipped = 0
    for entry in feed.entries:
        if entry.guid is not None and job.known.get(entry.guid) == entry.raw_hash:
            skipped += 1
            continue
        entries.append(normalize_entry(entry, feed, job.source))
    hint = poll_hint(feed, job.headers, job.now) if job.now else None
    return ProcessOutcome(
        source=job.source.name,
        feed=replace(feed, entries=()),
        entries=tuple(entries),
        skipped=skipped,
        poll_hint=hint,
    )


quick_pickle(ProcessJob, ProcessOutcome)  # both cross the process pool's pipe
