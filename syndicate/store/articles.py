"""Articles and their copies: ingesting normalized entries, merging copies, reading articles back.

Ingest is where "one article, many copies" happens: each normalized entry is
matched to an existing article by exact keys (the URLs it points to, its GUID),
then by a fuzzy candidate key confirmed with :func:`syndicate.dedupe.same_article`;
its copy is stored, and the article is recomputed from all its copies by the
pure :func:`syndicate.dedupe.merge_copies`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from syndicate.config import Config, OutputConfig
from syndicate.models import Article, NormalizedEntry, Tombstone
from syndicate.store.codec import article_to_row, aware, entry_from_json, entry_to_json, row_to_article
from syndicate.store.db import transaction
from syndicate.store.schema import article_keys, articles, copies

_SCAN_BATCH = 200


@cache
def _dedupe() -> ModuleType:
    """:mod:`syndicate.dedupe`, imported on first use: a pass where every feed answered 304
    never needs it, nor the recognizer table it brings."""
    from syndicate import dedupe

    return dedupe


@dataclass
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    changed_ids: list[str] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.withdrawn += other.withdrawn
        self.changed_ids.extend(other.changed_ids)


def known_hashes(engine: Engine, source: str, *, redo_after: datetime | None = None) -> dict[str, str]:
    """``guid → raw_hash`` of a source's stored copies: entries whose hash is unchanged need no work.

    Copies written at or after ``redo_after`` (when the fetch being processed started) are left
    out: they were written by an earlier try of this same work, and :func:`ingest` counts them again.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            select(copies.c.guid, copies.c.raw_hash, copies.c.seen_at).where(copies.c.source == source)
        )
        return {
            r.guid: r.raw_hash
            for r in rows
            if r.guid is not None and not _redone(r.seen_at, redo_after)
        }


def copies_written_since(engine: Engine, source: str, since: datetime) -> list[tuple[str, str | None]]:
    """``(article_id, outcome)`` of a source's copies written at or after ``since`` (by an earlier try)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(copies.c.article_id, copies.c.outcome, copies.c.seen_at).where(copies.c.source == source)
        )
        return [(r.article_id, r.outcome) for r in rows if _redone(r.seen_at, since)]


def _redone(seen_at: datetime | None, redo_after: datetime | None) -> bool:
    """True when a copy was written after ``redo_after``: by an earlier try of the same fetch's ingest."""
    if redo_after is None or seen_at is None:
        return False
    stamp = aware(seen_at)
    return stamp is not None and stamp >= redo_after


def _count(result: IngestResult, outcome: str | None, article_id: str) -> None:
    """Count an entry as ingesting it did (or, redone, as the earlier try did)."""
    if outcome == "new":
        result.new += 1
    elif outcome == "updated":
        result.updated += 1
    else:
        result.unchanged += 1
        return
    result.changed_ids.append(article_id)


def ingest(
    engine: Engine | Connection,
    source: str,
    entries: Sequence[NormalizedEntry],
    now: datetime,
    *,
    tombstones: Sequence[Tombstone] = (),
    redo_after: datetime | None = None,
) -> IngestResult:
    """Store one source's entries (one transaction, or the caller's: ``engine`` may be a Connection)
    and merge them into articles.

    ``redo_after`` is when the fetch these entries come from started. A copy already stored
    unchanged since then was written by an earlier try of this very ingest (a worker lost after
    committing, the task redone): it is counted as that try counted it, so a pass reports the
    same numbers whether or not a worker died.
    """
    result = IngestResult()
    with transaction(engine) as conn:
        _lock_keys(conn, entries)
        _ingest_batch(conn, source, entries, now, result, redo_after)
        for tombstone in tombstones:
            result.withdrawn += _withdraw(conn, source, tombstone.ref, tombstone.when or now)
    return result


# -- the batched path ---------------------------------------------------------------
#
# Ingesting entry by entry costs ~8 statements each. Most entries of a pass are either
# unchanged or plainly new (no stored copy with their GUID, no article sharing a key, a
# free id): those are decided from a few prefetched sets and written with executemany,
# giving exactly what _ingest_one would have written. Every other entry goes through
# _ingest_one, after the buffered rows are flushed, so it sees the same database state it
# would have seen in sequence; the prefetched sets are then read again.

_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class _StoredCopy:
    article_id: str
    raw_hash: str
    seen_at: datetime | None
    outcome: str | None


@dataclass
class _Prefetched:
    copies: dict[str, list[_StoredCopy]]  # guid -> this source's stored copies with that guid
    keys: set[str]  # stored article keys among those asked for
    ids: set[str]  # existing article ids among those asked for


@dataclass
class _Buffer:
    copies: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    guids: set[str] = field(default_factory=set)
    saved_keys: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)

    def flush(self, conn: Connection) -> None:
        if self.copies:
            conn.execute(insert(copies), self.copies)
        if self.keys:
            conn.execute(insert(article_keys), self.keys)
        if self.articles:
            conn.execute(insert(articles), self.articles)
        self.copies, self.keys, self.articles = [], [], []


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), _IN_CHUNK):
        yield values[i : i + _IN_CHUNK]


def _first_id(entry: NormalizedEntry) -> str:
    """The id :func:`_new_id` tries first."""
    seed = entry.url or f"{entry.source}:{entry.guid}"
    return hashlib.blake2b(f"{seed}#0".encode(), digest_size=10).hexdigest()


def _entry_keys(entry: NormalizedEntry) -> tuple[list[str], str | None]:
    return _dedupe().match_keys(entry), _dedupe().fuzzy_key(entry)


def _prefetch(
    conn: Connection, source: str, entries: Sequence[NormalizedEntry], keys: Sequence[tuple[list[str], str | None]]
) -> _Prefetched:
    guids = sorted({e.guid for e in entries if e.guid is not None})
    wanted_keys = sorted({k for match, fuzzy in keys for k in (*match, *((fuzzy,) if fuzzy else ()))})
    ids = sorted({_first_id(e) for e in entries})
    found = _Prefetched(copies={}, keys=set(), ids=set())
    for chunk in _chunks(guids):
        rows = conn.execute(
            select(copies.c.guid, copies.c.article_id, copies.c.raw_hash, copies.c.seen_at, copies.c.outcome).where(
                and_(copies.c.source == source, copies.c.guid.in_(chunk))
            )
        )
        for row in rows:
            found.copies.setdefault(row.guid, []).append(
                _StoredCopy(row.article_id, row.raw_hash, row.seen_at, row.outcome)
            )
    for chunk in _chunks(wanted_keys):
        found.keys.update(r.key for r in conn.execute(select(article_keys.c.key).where(article_keys.c.key.in_(chunk))))
    for chunk in _chunks(ids):
        found.ids.update(r.id for r in conn.execute(select(articles.c.id).where(articles.c.id.in_(chunk))))
    return found


def _ingest_batch(
    conn: Connection,
    source: str,
    entries: Sequence[NormalizedEntry],
    now: datetime,
    result: IngestResult,
    redo_after: datetime | None = None,
) -> None:
    """The same outcome as ``_ingest_one`` for each entry in order, with far fewer statements."""
    keys = [_entry_keys(e) for e in entries]
    buffer = _Buffer()
    known: _Prefetched | None = None
    handled: set[str] = set()  # GUIDs met earlier in this batch
    for index, entry in enumerate(entries):
        if entry.guid is not None:
            if entry.guid in handled:
                # the feed lists this entry again: its first listing was just stored by this very try, not
                # by an earlier one (so never "redone"): counted as a repeat, unchanged or updated
                buffer.flush(conn)
                _ingest_one(conn, source, entry, now, result)
                known = None
                continue
            handled.add(entry.guid)
        if known is None:
            known = _prefetch(conn, source, entries[index:], keys[index:])
        match, fuzzy = keys[index]
        stored = known.copies.get(entry.guid, []) if entry.guid is not None else []
        in_batch = entry.guid is not None and entry.guid in buffer.guids
        if len(stored) == 1 and not in_batch and stored[0].raw_hash == entry.raw_hash:
            redone = _redone(stored[0].seen_at, redo_after)
            _count(result, stored[0].outcome if redone else None, stored[0].article_id)
            continue
        article_id = _first_id(entry)
        taken_keys = known.keys | buffer.saved_keys
        fresh = (
            not stored
            and not in_batch
            and not any(k in taken_keys for k in match)
            and not (fuzzy and fuzzy in taken_keys)
            and article_id not in known.ids
            and article_id not in buffer.ids
        )
        if not fresh:
            buffer.flush(conn)
            _ingest_one(conn, source, entry, now, result, redo_after)
            known = None  # the database moved on: read the sets again for the rest
            continue
        _buffer_new(buffer, article_id, source, entry, match, fuzzy, now)
        result.new += 1
        result.changed_ids.append(article_id)
    buffer.flush(conn)


def _buffer_new(
    buffer: _Buffer,
    article_id: str,
    source: str,
    entry: NormalizedEntry,
    match: list[str],
    fuzzy: str | None,
    now: datetime,
) -> None:
    """The rows _save_copy, _save_keys and _recompute write for an entry that starts a new article."""
    data = entry_to_json(entry)
    buffer.copies.append(
        {
            "article_id": article_id,
            "source": source,
            "guid": entry.guid,
            "url": entry.copy_url,
            "raw_hash": entry.raw_hash,
            "entry": data,
            "seen_at": now,
            "outcome": "new",
        }
    )
    saved = {k[:300] for k in (*match, *((fuzzy,) if fuzzy else ()))}
    buffer.keys.extend({"key": k, "article_id": article_id} for k in sorted(saved))
    # merged from the copy as it reads back from the JSON column, as _recompute does (entry_to_json
    # gives JSON's own types, so no round trip through the encoder is needed to get there)
    stored_copy = entry_from_json(data)
    merged = _dedupe().merge_copies(article_id, [stored_copy], now)
    row = article_to_row(merged)
    row["sort_at"] = merged.published or now
    buffer.articles.append({**row, "first_seen": now, "changed_at": now})
    if entry.guid is not None:
        buffer.guids.add(entry.guid)
    buffer.saved_keys |= saved
    buffer.ids.add(article_id)


def _lock_keys(conn: Connection, entries: Sequence[NormalizedEntry]) -> None:
    """On PostgreSQL, serialize concurrent ingests that could match the same article.

    Every key an entry could match on is locked (transaction-scoped advisory locks, in sorted
    order so two workers never deadlock); two copies of one article arriving on two workers
    then merge instead of becoming two articles. SQLite serializes writers by itself.
    """
    if conn.dialect.name != "postgresql" or not entries:
        return
    keys: set[str] = set()
    for entry in entries:
        keys.update(_dedupe().match_keys(entry))
        fuzzy = _dedupe().fuzzy_key(entry)
        if fuzzy:
            keys.add(fuzzy)
    locks = sorted(
        {int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True) for k in keys}
    )
    # one statement for all of them, taken in the array's (sorted) order
    conn.exec_driver_sql(
        "SELECT count(pg_advisory_xact_lock(t.k)) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(k, n)", (locks,)
    )


def _ingest_one(
    conn: Connection,
    source: str,
    entry: NormalizedEntry,
    now: datetime,
    result: IngestResult,
    redo_after: datetime | None = None,
) -> None:
    existing = None
    if entry.guid is not None:
        existing = conn.execute(
            select(copies.c.article_id, copies.c.raw_hash, copies.c.seen_at, copies.c.outcome).where(
                and_(copies.c.source == source, copies.c.guid == entry.guid)
            )
        ).first()
    if existing is not None and existing.raw_hash == entry.raw_hash:
        redone = _redone(existing.seen_at, redo_after)
        _count(result, existing.outcome if redone else None, existing.article_id)
        return
    article_id = existing.article_id if existing is not None else _match(conn, entry)
    is_new = article_id is None
    if article_id is None:
        article_id = _new_id(conn, entry)
    _save_copy(conn, article_id, source, entry, now, outcome="new" if is_new else None)
    _save_keys(conn, article_id, entry)
    changed = _recompute(conn, article_id, now, is_new=is_new)
    outcome = "new" if is_new else "updated" if changed else "unchanged"
    if not is_new:
        conn.execute(
            update(copies)
            .where(and_(copies.c.article_id == article_id, copies.c.source == source))
            .values(outcome=outcome)
        )
    _count(result, outcome, article_id)


def _match(conn: Connection, entry: NormalizedEntry) -> str | None:
    keys = _dedupe().match_keys(entry)
    if keys:
        hit = conn.execute(
            select(article_keys.c.article_id).where(article_keys.c.key.in_(keys)).order_by(article_keys.c.article_id)
        ).first()
        if hit is not None:
            return str(hit.article_id)
    fuzzy = _dedupe().fuzzy_key(entry)
    if not fuzzy:
        return None
    candidates = [
        r.article_id for r in conn.execute(select(article_keys.c.article_id).where(article_keys.c.key == fuzzy))
    ]
    for article_id in sorted(candidates):
        for other in _copies_of(conn, article_id):
            if _dedupe().same_article(other, entry):
                return str(article_id)
    return None


def _new_id(conn: Connection, entry: NormalizedEntry) -> str:
    seed = entry.url or f"{entry.source}:{entry.guid}"
    for attempt in range(100):
        candidate = hashlib.blake2b(f"{seed}#{attempt}".encode(), digest_size=10).hexdigest()
        if conn.execute(select(articles.c.id).where(articles.c.id == candidate)).first() is None:
            return candidate
    raise RuntimeError("could not allocate an article id")  # pragma: no cover


def _save_copy(
    conn: Connection, article_id: str, source: str, entry: NormalizedEntry, now: datetime, *, outcome: str | None
) -> None:
    values: dict[str, Any] = {
        "guid": entry.guid,
        "url": entry.copy_url,
        "raw_hash": entry.raw_hash,
        "entry": entry_to_json(entry),
        "seen_at": now,
        "outcome": outcome,
    }
    updated = conn.execute(
        update(copies).where(and_(copies.c.article_id == article_id, copies.c.source == source)).values(**values)
    )
    if not updated.rowcount:
        conn.execute(insert(copies).values(article_id=article_id, source=source, **values))


def _save_keys(conn: Connection, article_id: str, entry: NormalizedEntry) -> None:
    keys = set(_dedupe().match_keys(entry))
    fuzzy = _dedupe().fuzzy_key(entry)
    if fuzzy:
        keys.add(fuzzy)
    keys = {k[:300] for k in keys}
    if not keys:
        return
    have = {
        r.key
        for r in conn.execute(
            select(article_keys.c.key).where(
                and_(article_keys.c.article_id == article_id, article_keys.c.key.in_(keys))
            )
        )
    }
    missing = sorted(keys - have)
    if missing:
        conn.execute(insert(article_keys), [{"key": k, "article_id": article_id} for k in missing])


def _copies_of(conn: Connection, article_id: str) -> list[NormalizedEntry]:
    rows = conn.execute(select(copies.c.entry).where(copies.c.article_id == article_id).order_by(copies.c.source))
    return [entry_from_json(r.entry) for r in rows]


def merged_article(conn: Connection, article_id: str, first_seen: datetime | None) -> Article | None:
    """The article merged from its stored copies, with an editor's attribution override applied (None: no copies)."""
    from syndicate.store.overrides import apply_override, override_fields

    stored = _copies_of(conn, article_id)
    if not stored:
        return None
    merged = _dedupe().merge_copies(article_id, stored, first_seen)
    fields = override_fields(conn, article_id)
    return apply_override(merged, fields) if fields else merged


def _recompute(conn: Connection, article_id: str, now: datetime, *, is_new: bool) -> bool:
    """Merge the article's copies again; True when what subscribers see changed."""
    current = conn.execute(
        select(articles.c.content_hash, articles.c.first_seen).where(articles.c.id == article_id)
    ).first()
    first_seen = current.first_seen if current is not None else now
    merged = merged_article(conn, article_id, first_seen)
    assert merged is not None  # the copy being ingested is stored
    row = article_to_row(merged)
    row["sort_at"] = merged.published or first_seen
    if current is None:
        conn.execute(insert(articles).values(**row, first_seen=now, changed_at=now))
        return True
    if current.content_hash == merged.content_hash:
        return False
    row.pop("deleted_at", None)
    conn.execute(update(articles).where(articles.c.id == article_id).values(**row, changed_at=now))
    return True


def _withdraw(conn: Connection, source: str, ref: str, when: datetime) -> int:
    """An RFC 6721 tombstone for ``ref`` (the entry's GUID in this source) withdraws the article."""
    hit = conn.execute(select(copies.c.article_id).where(and_(copies.c.source == source, copies.c.guid == ref))).first()
    if hit is None:
        return 0
    done = conn.execute(
        update(articles)
        .where(and_(articles.c.id == hit.article_id, articles.c.deleted_at.is_(None)))
        .values(deleted_at=when, changed_at=when)
    )
    return int(done.rowcount or 0)


# -- reading ------------------------------------------------------------------------


def get_article(engine: Engine, article_id: str) -> Article | None:
    with engine.connect() as conn:
        row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
    return row_to_article(row._mapping) if row else None


def iter_articles(engine: Engine, *, source: str | None = None, limit: int | None = None) -> Iterator[Article]:
    """Articles newest first (optionally those with a copy from ``source``)."""
    query = select(articles).order_by(articles.c.sort_at.desc(), articles.c.id)
    if source is not None:
        query = query.where(articles.c.id.in_(select(copies.c.article_id).where(copies.c.source == source)))
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        for row in conn.execute(query):
            yield row_to_article(row._mapping)


def count_articles(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())


def output_sources(config: Config, output: OutputConfig) -> list[str]:
    return [s.name for s in config.source if output.matches_source(s.name)]


def _passes_filters(article: Article, output: OutputConfig) -> bool:
    if output.tags and not {t.lower() for t in article.tags} & {t.lower() for t in output.tags}:
        return False
    if output.authors and not {a.lower() for a in article.authors} & {a.lower() for a in output.authors}:
        return False
    if output.languages:
        language = (article.language or "").lower()
        if not any(language == lang.lower() or language.startswith(lang.lower() + "-") for lang in output.languages):
            return False
    return True


def articles_for_output(
    engine: Engine,
    output: OutputConfig,
    source_names: Iterable[str] | None,
    *,
    limit: int,
    deleted_since: datetime | None = None,
) -> list[Article]:
    """The newest ``limit`` articles an output shows, or with ``deleted_since`` its tombstones:
    the articles withdrawn since then, most recently withdrawn first.

    ``source_names`` None means every source. Cost is proportional to ``limit`` (an index scan
    on ``sort_at``, or on ``deleted_at`` for tombstones, stopping early), not to the database size.
    """
    if deleted_since is None:
        query = select(articles).where(articles.c.deleted_at.is_(None))
        query = query.order_by(articles.c.sort_at.desc(), articles.c.id)
    else:
        query = select(articles).where(articles.c.deleted_at >= deleted_since)
        query = query.order_by(articles.c.deleted_at.desc(), articles.c.id)
    if source_names is not None:
        names = sorted(set(source_names))
        if not names:
            return []
        # a correlated EXISTS (answered by the (article_id, source) index) lets the database walk
        # sort_at newest first and stop after `limit` hits; an IN over copies would read them all
        has_copy = (
            select(copies.c.id)
            .where(and_(copies.c.article_id == articles.c.id, copies.c.source.in_(names)))
            .exists()
        )
        query = query.where(has_copy)
    found: list[Article] = []
    offset = 0
    # without filters applied here every row counts: read exactly `limit`
    batch_size = max(_SCAN_BATCH, limit) if (output.tags or output.authors or output.languages) else limit
    with engine.connect() as conn:
        while len(found) < limit:
            batch = conn.execute(query.limit(batch_size).offset(offset)).all()
            if not batch:
                break
            offset += len(batch)
            for row in batch:
                article = row_to_article(row._mapping)
                if _passes_filters(article, output):
                    found.append(article)
                    if len(found) == limit:
                        break
    return found


def purge_tombstones(engine: Engine, older_than: datetime) -> int:
    """Forget withdrawn articles whose tombstone has been shown long enough."""
    with engine.begin() as conn:
        ids = [r.id for r in conn.execute(select(articles.c.id).where(articles.c.deleted_at < older_than))]
        if not ids:
            return 0
        conn.execute(delete(article_keys).where(article_keys.c.article_id.in_(ids)))
        conn.execute(delete(copies).where(copies.c.article_id.in_(ids)))
        conn.execute(delete(articles).where(articles.c.id.in_(ids)))
        return len(ids)


# -- browsing (the editor's desk) ---------------------------------------------------


def search_articles(
    engine: Engine, *, text: str | None = None, source: str | None = None, limit: int = 50, offset: int = 0
) -> list[Article]:
    """Articles newest first whose title or URL contains ``text`` (any case), optionally with a copy from ``source``."""
    query = select(articles).order_by(articles.c.sort_at.desc(), articles.c.id)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(articles.c.title.ilike(pattern, escape="\\") | articles.c.url.ilike(pattern, escape="\\"))
    if source:
        query = query.where(articles.c.id.in_(select(copies.c.article_id).where(copies.c.source == source)))
    with engine.connect() as conn:
        return [row_to_article(row._mapping) for row in conn.execute(query.limit(limit).offset(offset))]


def article_copies(engine: Engine, article_id: str) -> list[dict[str, Any]]:
    """The stored copies of one article: source, URL, when seen, whether it is the original's own,
    and the publisher each names."""
    query = select(copies.c.source, copies.c.url, copies.c.seen_at, copies.c.entry).where(
        copies.c.article_id == article_id
    )
    out = []
    with engine.connect() as conn:
        for row in conn.execute(query.order_by(copies.c.seen_at, copies.c.source)):
            entry = row.entry or {}
            out.append(
                {
                    "source": row.source,
                    "url": row.url,
                    "seen_at": aware(row.seen_at),
                    "is_original": bool(entry.get("is_original")),
                    "publisher": (entry.get("attribution") or {}).get("original_publisher"),
                }
            )
    return out
