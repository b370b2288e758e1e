"""The ``sources`` table: HTTP validators, last outcome, schedule."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from syndicate import redact
from syndicate.config import Config, SourceConfig
from syndicate.models import FetchResult, ParsedFeed, SourceState
from syndicate.pipeline.hints import skip_to_allowed
from syndicate.store.codec import aware
from syndicate.store.db import transaction
from syndicate.store.schema import sources, subscriptions
from syndicate.websub.discovery import discover


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    url: str
    config_url: str
    moved_from: str | None
    etag: str | None
    last_modified: str | None
    last_status: str | None
    http_status: int | None
    last_error: str | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    next_due_at: datetime | None
    consecutive_failures: int
    disabled_reason: str | None
    feed_title: str | None
    hub_url: str | None
    poll_hint: float | None
    entries_seen: int
    # ops helper (0003): the feed's RSS skipHours/skipDays, honoured when scheduling
    skip_hours: tuple[int, ...] = ()
    skip_days: tuple[str, ...] = ()

    @property
    def state(self) -> SourceState:
        return SourceState(
            name=self.name,
            url=self.url,
            etag=self.etag,
            last_modified=self.last_modified,
            consecutive_failures=self.consecutive_failures,
        )


def _row(data: Any) -> SourceRow:
    m = data._mapping
    return SourceRow(
        name=m["name"],
        url=m["url"],
        config_url=m["config_url"],
        moved_from=m["moved_from"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        last_status=m["last_status"],
        http_status=m["http_status"],
        last_error=m["last_error"],
        last_fetch_at=aware(m["last_fetch_at"]),
        last_success_at=aware(m["last_success_at"]),
        next_due_at=aware(m["next_due_at"]),
        consecutive_failures=m["consecutive_failures"] or 0,
        disabled_reason=m["disabled_reason"],
        feed_title=m["feed_title"],
        hub_url=m["hub_url"],
        poll_hint=m["poll_hint"],
        entries_seen=m["entries_seen"] or 0,
        skip_hours=tuple(m["skip_hours"] or ()),
        skip_days=tuple(m["skip_days"] or ()),
    )


def sync_sources(engine: Engine, config: Config) -> None:
    """Make the table agree with the configuration: new sources added, a changed URL starts afresh."""
    with engine.begin() as conn:
        existing = {r.name: r for r in conn.execute(select(sources.c.name, sources.c.config_url))}
        missing: list[dict[str, Any]] = []
        for source in config.source:
            # stored as shown to people: a secret interpolated into a URL (?token=${VAR}) stays out
            # of the database; the pass fetches the configured URL itself (see fetch_url)
            url = redact.scrub(fetch_url(config, source))
            row = existing.get(source.name)
            if row is None:
                missing.append({"name": source.name, "config_url": url, "url": url, "consecutive_failures": 0,
                                "entries_seen": 0})
            elif row.config_url != url:
                conn.execute(
                    update(sources)
                    .where(sources.c.name == source.name)
                    .values(
                        config_url=url,
                        url=url,
                        moved_from=None,
                        etag=None,
                        last_modified=None,
                        disabled_reason=None,
                        consecutive_failures=0,
                        next_due_at=None,
                    )
                )
        _add_sources(conn, missing)


def _add_sources(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new sources' rows: all at once, or one by one when another process (a scheduler, a
    sync) added some of them at the same moment."""
    if not rows:
        return
    try:
        with conn.begin_nested():
            conn.execute(sources.insert(), rows)
        return
    except IntegrityError:
        pass
    for row in rows:
        try:
            with conn.begin_nested():
                conn.execute(sources.insert().values(**row))
        except IntegrityError:
            pass


def fetch_url(config: Config, source: SourceConfig, row: SourceRow | None = None) -> str:
    """The URL to fetch: the configured one (secrets included), or where a permanent redirect moved it."""
    configured = str(config.source_path(source)) if source.is_file else source.url
    if row is not None and row.url != row.config_url:
        return row.url
    return configured


def all_sources(engine: Engine) -> dict[str, SourceRow]:
    with engine.connect() as conn:
        return {r.name: r for r in map(_row, conn.execute(select(sources).order_by(sources.c.name)))}


def sources_named(engine: Engine, names: Sequence[str]) -> dict[str, SourceRow]:
    """The stored rows of these sources (those that have one)."""
    found: dict[str, SourceRow] = {}
    with engine.connect() as conn:
        for at in range(0, len(names), _IN_CHUNK):
            chunk = list(names[at : at + _IN_CHUNK])
            found.update((r.name, r) for r in map(_row, conn.execute(select(sources).where(sources.c.name.in_(chunk)))))
    return found


def get_source(engine: Engine, name: str) -> SourceRow | None:
    with engine.connect() as conn:
        found = conn.execute(select(sources).where(sources.c.name == name)).first()
    return _row(found) if found else None


DISABLED_BY_HAND = "disabled by hand"  # `sources disable`, the desk: stays off until enabled, even for --all


def due_sources(config: Config, rows: dict[str, SourceRow], now: datetime, *, force: bool = False) -> list[str]:
    """Names of the configured, enabled sources due at ``now`` (pure)."""
    due = []
    for source in config.source:
        if not source.enabled:
            continue
        row = rows.get(source.name)
        if row is None:
            due.append(source.name)
            continue
        if row.disabled_reason and (not force or row.disabled_reason.startswith(DISABLED_BY_HAND)):
            continue  # --all retries a suspended or gone source, never one a person disabled
        if force or row.next_due_at is None or row.next_due_at <= now:
            due.append(source.name)
    return due


# ops helper: how often a source whose hub pushes its updates (WebSub) is still polled, as a safety net
PUSHED_SAFETY_INTERVAL = 6 * 3600.0


def next_due(
    config: Config,
    source: SourceConfig,
    result: FetchResult,
    failures: int,
    now: datetime,
    poll_hint: float | None,
    *,
    skip_hours: tuple[int, ...] = (),
    skip_days: tuple[str, ...] = (),
    pushed: bool = False,
    pushed_until: datetime | None = None,
) -> datetime:
    """When to fetch again: the interval (or the feed's slower hint), backoff on errors, Retry-After honoured.

    ``skip_hours``/``skip_days`` (RSS) move the time past the hours and days the feed says not to
    poll in; ``pushed`` (an active WebSub subscription) stretches the interval to a slow safety net,
    but never past ``pushed_until``, the end of the subscription's lease (a daemon that renews does
    so before it; without one — `run` without `--serve` — pushes stop there and polling takes over).
    """
    settings = config.syndicate
    interval = config.interval_for(source)
    if poll_hint and poll_hint > interval:
        interval = min(poll_hint, settings.max_backoff)
    if pushed and result.status != "error":  # ops helper: the hub pushes; polling is only a safety net
        interval = max(interval, PUSHED_SAFETY_INTERVAL)
    if result.status == "error":
        interval = min(interval * (2 ** min(failures - 1, 16)), settings.max_backoff) if failures > 1 else interval
        interval = min(interval, settings.max_backoff)
        if result.retry_after:
            interval = max(interval, result.retry_after) if failures > 1 else result.retry_after
    jitter = interval * settings.jitter * random.random()
    due = now + timedelta(seconds=interval + jitter)
    if pushed and result.status != "error" and pushed_until is not None:
        due = min(due, max(pushed_until, now))
    if skip_hours or skip_days:  # ops helper: RSS skipHours/skipDays
        due = skip_to_allowed(due, skip_hours, skip_days)
    return due


def record_fetch(
    engine: Engine | Connection,
    config: Config,
    source: SourceConfig,
    result: FetchResult,
    now: datetime,
    *,
    feed: ParsedFeed | None = None,
    parse_error: str | None = None,
    poll_hint: float | None = None,
) -> None:
    """Store the outcome of one fetch (and of parsing it), and schedule the next (in the caller's
    transaction when ``engine`` is a Connection)."""
    with transaction(engine) as conn:
        current = conn.execute(select(sources).where(sources.c.name == source.name)).first()
        values = _fetch_values(
            config,
            source,
            result,
            now,
            current._mapping if current else None,
            pushed_until=_pushed_until(conn, source.name),
            feed=feed,
            parse_error=parse_error,
            poll_hint=poll_hint,
        )
        conn.execute(update(sources).where(sources.c.name == source.name).values(**values))


# SQLite allows 999 bound variables per statement in old builds; stay well below
_IN_CHUNK = 500


def record_fetches(
    engine: Engine, config: Config, fetched: Sequence[tuple[SourceConfig, FetchResult]], now: datetime
) -> None:
    """:func:`record_fetch` for many fetches that brought nothing to parse (a 304, an error), in one
    transaction: the same values and schedule as one call per fetch, without a commit per source."""
    names = [source.name for source, _result in fetched]
    if len(set(names)) != len(names):  # one source twice: each outcome must see the previous one
        for source, result in fetched:
            record_fetch(engine, config, source, result, now)
        return
    if not names:
        return
    with engine.begin() as conn:
        current: dict[str, Any] = {}
        pushed_until: dict[str, datetime | None] = {}
        for at in range(0, len(names), _IN_CHUNK):
            chunk = names[at : at + _IN_CHUNK]
            for row in conn.execute(select(sources).where(sources.c.name.in_(chunk))):
                current[row._mapping["name"]] = row._mapping
            active = (
                select(subscriptions.c.source, subscriptions.c.expires_at)
                .where(subscriptions.c.source.in_(chunk))
                .where(subscriptions.c.state == "active")
            )
            for sub in conn.execute(active):
                pushed_until.setdefault(sub.source, aware(sub.expires_at))
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for source, result in fetched:
            values = _fetch_values(
                config,
                source,
                result,
                now,
                current.get(source.name),
                pushed_until=pushed_until.get(source.name),
            )
            params = {f"v_{key}": value for key, value in values.items()}
            params["b_name"] = source.name
            groups.setdefault(tuple(sorted(values)), []).append(params)
        for keys, rows in groups.items():
            statement = (
                update(sources)
                .where(sources.c.name == bindparam("b_name"))
                .values({key: bindparam(f"v_{key}") for key in keys})
            )
            conn.execute(statement, rows)


def _fetch_values(
    config: Config,
    source: SourceConfig,
    result: FetchResult,
    now: datetime,
    stored: Any,  # the row mapping (RowMapping), or None
    *,
    pushed_until: datetime | None,
    feed: ParsedFeed | None = None,
    parse_error: str | None = None,
    poll_hint: float | None = None,
) -> dict[str, Any]:
    """The ``sources`` columns to update for one fetch, given the row as stored before it;
    ``pushed_until``: the end of the source's active WebSub lease, if it has one."""
    pushed = pushed_until is not None and pushed_until > now
    failures = (stored["consecutive_failures"] or 0) if stored is not None else 0
    # ops helper: a 304 has no body to read hints from; keep using what the feed said last time
    stored = stored if stored is not None else {}
    skip_hours = tuple(stored.get("skip_hours") or ())
    skip_days = tuple(stored.get("skip_days") or ())
    effective_hint = poll_hint if poll_hint is not None else stored.get("poll_hint")
    values: dict[str, Any] = {"last_fetch_at": now, "http_status": result.http_status}
    failed = result.status == "error" or parse_error is not None
    if failed:
        failures += 1
        values["last_status"] = "error"
        values["last_error"] = redact.scrub(parse_error or result.error or "unknown error")
    else:
        failures = 0
        values["last_status"] = result.status
        values["last_error"] = None
        values["last_success_at"] = now
    values["consecutive_failures"] = failures
    if result.status == "ok" and not parse_error:
        values["etag"] = result.etag
        values["last_modified"] = result.last_modified
    if result.final_url and result.final_url != result.url:
        values["url"] = redact.scrub(result.final_url)
        values["moved_from"] = redact.scrub(result.url)
    if result.status == "gone":
        values["disabled_reason"] = (
            f"gone: HTTP {result.http_status or 410}; re-enable with `syndicate sources enable {source.name}`"
        )
    elif failures >= config.syndicate.max_failures:
        values["disabled_reason"] = (
            f"suspended after {failures} consecutive failures; "
            f"re-enable with `syndicate sources enable {source.name}`"
        )
    if feed is not None:
        values["feed_title"] = feed.title
        values["feed_link"] = feed.link
        # WebSub §4: the Link headers first, the document's links only when they name no hub
        advertised = discover(result.headers, result.final_url or result.url, feed.hub_urls, feed.self_url)
        values["self_url"] = advertised.topic if advertised.hub else feed.self_url
        values["hub_url"] = advertised.hub
        pushed = pushed and advertised.hub is not None  # the hub is gone from the feed: it will stop pushing
        values["entries_seen"] = len(feed.entries)
        skip_hours, skip_days = feed.skip_hours, feed.skip_days
        values["skip_hours"] = list(skip_hours)
        values["skip_days"] = list(skip_days)
    if poll_hint is not None:
        values["poll_hint"] = poll_hint
    values["next_due_at"] = next_due(
        config,
        source,
        result,
        failures,
        now,
        effective_hint,
        skip_hours=skip_hours,
        skip_days=skip_days,
        pushed=pushed,
        pushed_until=pushed_until,
    )
    return values


def _pushed_until(conn: Any, name: str) -> datetime | None:
    """ops helper: when the source's active WebSub subscription (its hub pushes updates) ends, if it has one."""
    row = conn.execute(
        select(subscriptions.c.expires_at)
        .where(subscriptions.c.source == name)
        .where(subscriptions.c.state == "active")
    ).first()
    return aware(row.expires_at) if row is not None else None


def set_enabled(
    engine: Engine, name: str, enabled: bool, *, actor: str | None = None, reason: str | None = None
) -> bool:
    """Enable or disable a source; with ``actor``, the change is audited (who, when, why)."""
    with engine.begin() as conn:
        values: dict[str, Any] = (
            {"disabled_reason": None, "consecutive_failures": 0, "next_due_at": None}
            if enabled
            else {"disabled_reason": f"{DISABLED_BY_HAND} ({actor})" if actor else DISABLED_BY_HAND}
        )
        result = conn.execute(update(sources).where(sources.c.name == name).values(**values))
        if result.rowcount and actor is not None:
            _audit(conn, actor, "source-enable" if enabled else "source-disable", name, reason)
        return bool(result.rowcount)


def fetch_soon(engine: Engine, name: str, *, actor: str, now: datetime) -> bool:
    """Make an enabled source due now: the daemon's next tick (or the next ``sync``) fetches it."""
    with engine.begin() as conn:
        result = conn.execute(
            update(sources)
            .where(sources.c.name == name)
            .where(sources.c.disabled_reason.is_(None))
            .values(next_due_at=now)
        )
        if result.rowcount:
            _audit(conn, actor, "source-fetch-now", name, None)
        return bool(result.rowcount)


def _audit(conn: Any, actor: str, action: str, name: str, reason: str | None) -> None:
    from datetime import UTC

    from syndicate.store import audit

    audit.record(conn, at=datetime.now(UTC), actor=actor, action=action, subject=name, reason=reason)


def claim_due(engine: Engine, name: str, now: datetime, hold: float) -> bool:
    """Claim a due source for one fetch (any number of schedulers/workers may race for it).

    Moves ``next_due_at`` ``hold`` seconds ahead only if it is still due; True for the winner.
    """
    from sqlalchemy import or_

    with engine.begin() as conn:
        done = conn.execute(
            update(sources)
            .where(sources.c.name == name)
            .where(or_(sources.c.next_due_at.is_(None), sources.c.next_due_at <= now))
            .values(next_due_at=now + timedelta(seconds=hold))
        )
        return bool(done.rowcount)
