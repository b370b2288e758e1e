"""The crosspost ledger: one ``deliveries`` row per (article, target).

States: ``pending`` (due at ``next_attempt_at``), ``sending`` (intent recorded,
request in flight), ``delivered``, ``failed`` (retry at ``next_attempt_at``, or
never when it is NULL: a permanent error), ``blocked`` / ``held`` (terms; a
person can release them), ``rejected`` (a person decided it is never sent).
A person's release, hold and reject are recorded in the audit trail with the
change, in one transaction. ``action`` says what is owed or was done last:
create, update or delete.

Every write is a short transaction of its own. A delivery is *claimed* with a
conditional UPDATE (state and due time re-checked in the WHERE clause, rowcount
checked), so several workers can share the ledger; on PostgreSQL the due rows
are read with ``FOR UPDATE SKIP LOCKED``.

A row in ``sending`` names its owner (``sending_owner``: host, pid, process start
time and the pass's token, see :mod:`syndicate.ownership`). :func:`orphaned` says
when such a row was left behind: its owner is dead (reconciled at once), or it
cannot be judged from here (another host) and it is older than ``SENDING_STALE``.
A live owner's row is never taken over, however long its request takes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, update

from syndicate.ownership import owner_state
from syndicate.redact import scrub
from syndicate.store import audit
from syndicate.store.codec import aware
from syndicate.store.schema import articles, deliveries

STATES = ("pending", "sending", "delivered", "failed", "blocked", "held", "rejected")
RETRYABLE = ("pending", "failed")
RELEASABLE = ("blocked", "held", "failed", "rejected")
HOLDABLE = ("pending", "failed", "blocked")
REJECTABLE = ("pending", "failed", "blocked", "held")
REVIEW_STATES = ("held", "blocked", "failed")  # what the desk's review queue lists by default
MIN_PREFIX = 4
# a `sending` row whose owner cannot be judged from here (another host, or written before 0008)
# is taken to be left behind by a crash after this long
SENDING_STALE = 120.0
JSON_FIELDS = (
    "id",
    "article_id",
    "target",
    "state",
    "action",
    "remote_id",
    "remote_url",
    "attempts",
    "last_error",
    "reason",
    "next_attempt_at",
    "updated_at",
)


def delivery_id(article_id: str, target: str) -> str:
    """The stable id of (article, target): also the idempotency key sent to targets."""
    return hashlib.sha256(f"{article_id}\x00{target}".encode()).hexdigest()[:32]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime (naive values are taken to be UTC already)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    value = aware(value)
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def row_json(row: Any) -> dict[str, Any]:
    mapping = row._mapping if hasattr(row, "_mapping") else row
    out = {name: mapping[name] for name in JSON_FIELDS}
    out["next_attempt_at"] = _iso(mapping["next_attempt_at"])
    out["updated_at"] = _iso(mapping["updated_at"])
    return out


def list_deliveries(engine: Engine, *, target: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
    """The ledger as JSON-ready rows (``syndicate deliveries --json``), oldest first."""
    query = select(deliveries)
    if target is not None:
        query = query.where(deliveries.c.target == target)
    if state is not None:
        query = query.where(deliveries.c.state == state)
    query = query.order_by(deliveries.c.created_at, deliveries.c.id)
    with engine.connect() as conn:
        return [row_json(row) for row in conn.execute(query)]


def get_delivery(engine: Engine, delivery: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
    return dict(row._mapping) if row is not None else None


class AmbiguousDelivery(LookupError):
    """A delivery id prefix that matches no delivery, or more than one."""


def resolve_id(engine: Engine, prefix: str) -> str:
    """The full delivery id a unique prefix (at least :data:`MIN_PREFIX` hex digits) stands for."""
    text = prefix.strip().lower()
    if len(text) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in text):
        raise AmbiguousDelivery(f"{prefix!r}: give at least {MIN_PREFIX} hex digits of a delivery id")
    query = select(deliveries.c.id).where(deliveries.c.id.like(text + "%")).order_by(deliveries.c.id).limit(3)
    with engine.connect() as conn:
        found = [row.id for row in conn.execute(query)]
    if not found:
        raise AmbiguousDelivery(f"no delivery {prefix}")
    if len(found) > 1:
        raise AmbiguousDelivery(f"{prefix} matches several deliveries ({', '.join(f[:12] for f in found)}, ...)")
    return found[0]


# what a person's decision writes: (the states it applies to, the row's new values)
_BY_HAND: dict[str, tuple[tuple[str, ...], Callable[[datetime], dict[str, Any]]]] = {
    "release": (RELEASABLE, lambda now: {"state": "pending", "released_at": now, "held_at": None,
                                         "next_attempt_at": now, "last_error": None, "attempts": 0}),
    "hold": (HOLDABLE, lambda now: {"state": "held", "held_at": now, "released_at": None, "next_attempt_at": None}),
    "reject": (REJECTABLE, lambda now: {"state": "rejected", "held_at": None, "released_at": None,
                                        "next_attempt_at": None}),
}
DONE_BY_HAND = {"release": "released", "hold": "held", "reject": "rejected"}


def decide_by_hand(
    engine: Engine, delivery: str, action: str, *, actor: str, reason: str | None = None, now: datetime | None = None
) -> bool:
    """Release, hold or reject one delivery and audit it, in one transaction; False when its state does not allow it.

    release: sent at the next pass, terms not re-checked (from blocked, held, failed or rejected);
    hold: kept until released, the planner leaves it alone; reject: never sent (a release undoes it).
    """
    now = as_utc(now or utcnow())
    allowed, new_values = _BY_HAND[action]
    values = new_values(now)
    values["reason"] = f"{DONE_BY_HAND[action]} by {actor}" + (f": {reason}" if reason else "")
    with engine.begin() as conn:
        before = conn.execute(select(deliveries.c.state).where(deliveries.c.id == delivery)).scalar()
        result = conn.execute(
            update(deliveries)
            .where(and_(deliveries.c.id == delivery, deliveries.c.state.in_(allowed)))
            .values(**values, updated_at=now)
        )
        if result.rowcount != 1:
            return False
        audit.record(
            conn, at=now, actor=actor, action=action, subject=delivery, reason=reason,
            detail={"from": before, "to": values["state"]},
        )
    return True


def release(
    engine: Engine, delivery: str, *, now: datetime | None = None, actor: str = "system", reason: str | None = None
) -> bool:
    """Release a blocked, held, failed or rejected delivery by hand: sent at the next pass, terms not re-checked."""
    return decide_by_hand(engine, delivery, "release", actor=actor, reason=reason, now=now)


def hold(engine: Engine, delivery: str, *, actor: str, reason: str | None = None, now: datetime | None = None) -> bool:
    """Hold a pending, failed or blocked delivery until a person releases it (the planner leaves it held)."""
    return decide_by_hand(engine, delivery, "hold", actor=actor, reason=reason, now=now)


def reject(
    engine: Engine, delivery: str, *, actor: str, reason: str | None = None, now: datetime | None = None
) -> bool:
    """Decide a delivery is never sent (it can still be released by hand later)."""
    return decide_by_hand(engine, delivery, "reject", actor=actor, reason=reason, now=now)


def review_queue(
    engine: Engine,
    *,
    states: Iterable[str] = REVIEW_STATES,
    target: str | None = None,
    source: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Deliveries waiting for a person (held, blocked, failed by default), newest first, with the
    article's title and sources: JSON-ready rows plus ``title``, ``url`` and ``sources``."""
    query = (
        select(deliveries, articles.c.title, articles.c.url.label("article_url"), articles.c.sources)
        .join(articles, articles.c.id == deliveries.c.article_id)
        .where(deliveries.c.state.in_(list(states)))
        .order_by(deliveries.c.updated_at.desc(), deliveries.c.id)
        .limit(limit)
    )
    if target is not None:
        query = query.where(deliveries.c.target == target)
    out = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            sources = list(row.sources or ())
            if source is not None and source not in sources:
                continue
            item = row_json(row)
            item.update(title=row.title, url=row.article_url, sources=sources)
            out.append(item)
    return out


def with_titles(engine: Engine, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (from :func:`list_deliveries`) with each article's ``title`` added (None when it is gone)."""
    ids = sorted({row["article_id"] for row in rows})
    titles: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            titles.update(conn.execute(select(articles.c.id, articles.c.title).where(articles.c.id.in_(chunk))).all())
    return [{**row, "title": titles.get(row["article_id"])} for row in rows]


def deliveries_of(engine: Engine, article_id: str) -> list[dict[str, Any]]:
    """The ledger rows of one article, by target."""
    query = select(deliveries).where(deliveries.c.article_id == article_id).order_by(deliveries.c.target)
    with engine.connect() as conn:
        return [row_json(row) for row in conn.execute(query)]


def counts_by_target(engine: Engine) -> dict[str, dict[str, int]]:
    """``{target: {state: count}}`` for ``syndicate status``."""
    query = select(deliveries.c.target, deliveries.c.state, func.count()).group_by(
        deliveries.c.target, deliveries.c.state
    )
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for target, state, count in conn.execute(query):
            out.setdefault(target, {})[state] = int(count)
    return out


# -- claims and results (used by the deliverer) ---------------------------------


def due_ids(conn: Connection, target: str, now: datetime, limit: int | None) -> list[str]:
    """Ids of deliveries of ``target`` that are due now, oldest first."""
    query = (
        select(deliveries.c.id)
        .where(
            and_(
                deliveries.c.target == target,
                deliveries.c.state.in_(RETRYABLE),
                deliveries.c.next_attempt_at.is_not(None),
                deliveries.c.next_attempt_at <= now,
            )
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.created_at, deliveries.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [row.id for row in conn.execute(query)]


def claim(engine: Engine, delivery: str, now: datetime, content_hash: str | None, owner: str | None = None) -> bool:
    """Record the intent to send (state sending, attempts+1, ``owner``) if the row is still due; True if ours."""
    with engine.begin() as conn:
        result = conn.execute(
            update(deliveries)
            .where(
                and_(
                    deliveries.c.id == delivery,
                    deliveries.c.state.in_(RETRYABLE),
                    deliveries.c.next_attempt_at.is_not(None),
                    deliveries.c.next_attempt_at <= now,
                )
            )
            .values(
                state="sending",
                sending_since=now,
                sending_hash=content_hash,
                sending_owner=owner,
                attempts=deliveries.c.attempts + 1,
                updated_at=now,
            )
        )
    return result.rowcount == 1


def orphaned(row: Any, now: datetime, live_tokens: Collection[str]) -> bool:
    """Whether a ``sending`` row was left behind by a crash: its owner is dead, or it cannot be
    judged from here (another host, no owner recorded) and the row is older than SENDING_STALE."""
    if row.sending_owner:
        state = owner_state(row.sending_owner, live_tokens=live_tokens)
        if state != "unknown":
            return state == "dead"
    since = aware(row.sending_since)
    return since is None or since <= now - timedelta(seconds=SENDING_STALE)


def left_behind(conn: Connection, target: str, now: datetime, live_tokens: Callable[[], Collection[str]]) -> list[Any]:
    """The rows of ``target`` left in ``sending`` by a crash between request and record.

    ``live_tokens`` gives this process's live owners; it is called once the rows are read. Passes
    run side by side in one process (the daemon's tick, a WebSub push): a set taken before the read
    misses a pass that started and claimed a row in between, whose row would then look orphaned and
    be sent twice. Read after, a pass that claimed a row is among the live ones or has finished with
    it (and then the take-over finds the row changed). A function, not a set, so no caller can take
    the set too early."""
    query = select(deliveries).where(and_(deliveries.c.target == target, deliveries.c.state == "sending"))
    rows = list(conn.execute(query))
    live = live_tokens()
    return [row for row in rows if orphaned(row, now, live)]


def take_over(engine: Engine, row: Any, now: datetime, owner: str) -> bool:
    """Claim a left-behind ``sending`` row for reconciliation, as ``owner`` (only one worker wins)."""
    condition = and_(deliveries.c.id == row.id, deliveries.c.state == "sending")
    seen_values = ((deliveries.c.sending_since, row.sending_since), (deliveries.c.sending_owner, row.sending_owner))
    for column, seen in seen_values:
        condition = and_(condition, column.is_(None) if seen is None else column == seen)
    with engine.begin() as conn:
        result = conn.execute(
            update(deliveries).where(condition).values(sending_since=now, sending_owner=owner, updated_at=now)
        )
    return result.rowcount == 1


def finish(
    engine: Engine,
    delivery: str,
    now: datetime,
    *,
    action: str,
    remote_id: str | None,
    remote_url: str | None,
    remote_meta: dict[str, Any] | None,
    delivered_hash: str | None,
) -> None:
    """Record a success."""
    values: dict[str, Any] = {
        "state": "delivered",
        "action": action,
        "delivered_at": now,
        "next_attempt_at": None,
        "sending_since": None,
        "sending_hash": None,
        "sending_owner": None,
        "last_error": None,
        "reason": None,
        "updated_at": now,
    }
    if remote_id is not None:
        values.update(remote_id=remote_id, remote_url=remote_url, remote_meta=remote_meta or {})
    if delivered_hash is not None:
        values["delivered_hash"] = delivered_hash
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == delivery).values(**values))


def fail(
    engine: Engine,
    delivery: str,
    now: datetime,
    *,
    error: str,
    retry_at: datetime | None,
    state: str = "failed",
) -> None:
    """Record a failure: retried at ``retry_at``, or never when it is None."""
    with engine.begin() as conn:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery)
            .values(
                state=state,
                last_error=scrub(error)[:1000],
                next_attempt_at=retry_at,
                sending_since=None,
                sending_hash=None,
                sending_owner=None,
                updated_at=now,
            )
        )


def back_to_pending(engine: Engine, delivery: str, now: datetime, *, note: str | None = None) -> None:
    """A reconciled row that still has to be sent (the earlier attempt did not arrive)."""
    with engine.begin() as conn:
        conn.execute(
            update(deliveries)
            .where(and_(deliveries.c.id == delivery, deliveries.c.state == "sending"))
            .values(
                state="pending",
                next_attempt_at=now,
                sending_since=None,
                sending_owner=None,
                last_error=note,
                updated_at=now,
            )
        )


def keep_sending(engine: Engine, delivery: str, now: datetime, error: str) -> None:
    """Reconciliation failed (the target could not be asked): stay in ``sending``, with no owner, so that
    any process asks again once SENDING_STALE has passed (a target that cannot answer is not hammered)."""
    with engine.begin() as conn:
        conn.execute(
            update(deliveries)
            .where(and_(deliveries.c.id == delivery, deliveries.c.state == "sending"))
            .values(last_error=scrub(error)[:1000], sending_owner=None, sending_since=now, updated_at=now)
        )


def sent_within(conn: Connection, target: str, since: datetime) -> int:
    """Requests made to ``target`` since ``since`` (successes and those in flight): for max_per_hour."""
    query = select(func.count()).where(
        and_(
            deliveries.c.target == target,
            or_(
                and_(deliveries.c.state == "delivered", deliveries.c.delivered_at >= since),
                and_(deliveries.c.state == "sending", deliveries.c.sending_since >= since),
            ),
        )
    )
    return int(conn.execute(query).scalar_one())


def count_states(conn: Connection, targets: Iterable[str]) -> dict[str, int]:
    names = list(targets)
    out = dict.fromkeys(STATES, 0)
    if not names:
        return out
    query = (
        select(deliveries.c.state, func.count())
        .where(deliveries.c.target.in_(names))
        .group_by(deliveries.c.state)
    )
    for state, count in conn.execute(query):
        out[state] = int(count)
    return out


def one_hour_before(now: datetime) -> datetime:
    return now - timedelta(hours=1)


def recent_errors(engine: Engine, target: str, limit: int = 5) -> list[dict[str, Any]]:
    """The newest ``last_error`` of a target's rows (failed or retrying), newest first."""
    query = (
        select(deliveries)
        .where(and_(deliveries.c.target == target, deliveries.c.last_error.is_not(None)))
        .order_by(deliveries.c.updated_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [row_json(row) for row in conn.execute(query)]


def sent_last_hour(engine: Engine, target: str, now: datetime) -> int:
    """Requests made to ``target`` in the last hour (what ``max_per_hour`` counts)."""
    with engine.connect() as conn:
        return sent_within(conn, target, one_hour_before(as_utc(now)))
