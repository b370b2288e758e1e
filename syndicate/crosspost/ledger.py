"""The crosspost ledger: one ``deliveries`` row per (article, target).

States: ``pending`` (due at ``next_attempt_at``), ``sending`` (intent recorded,
request in flight), ``delivered``, ``failed`` (retry at ``next_attempt_at``, or
never when it is NULL: a permanent error), ``blocked`` / ``held`` (terms; a
person can release them). ``action`` says what is owed or was done last:
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
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, update

from syndicate.ownership import owner_state
from syndicate.redact import scrub
from syndicate.store.codec import aware
from syndicate.store.schema import deliveries

STATES = ("pending", "sending", "delivered", "failed", "blocked", "held")
RETRYABLE = ("pending", "failed")
RELEASABLE = ("blocked", "held", "failed")
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


def release(engine: Engine, delivery: str, *, now: datetime | None = None) -> bool:
    """Release a blocked, held or failed delivery by hand: it is sent at the next pass, terms not re-checked."""
    now = as_utc(now or utcnow())
    with engine.begin() as conn:
        result = conn.execute(
            update(deliveries)
            .where(and_(deliveries.c.id == delivery, deliveries.c.state.in_(RELEASABLE)))
            .values(
                state="pending",
                released_at=now,
                next_attempt_at=now,
                reason="released by hand",
                last_error=None,
                attempts=0,
                updated_at=now,
            )
        )
    return result.rowcount == 1


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


def left_behind(conn: Connection, target: str, now: datetime, live_tokens: Collection[str]) -> list[Any]:
    """The rows of ``target`` left in ``sending`` by a crash between request and record."""
    query = select(deliveries).where(and_(deliveries.c.target == target, deliveries.c.state == "sending"))
    return [row for row in conn.execute(query) if orphaned(row, now, live_tokens)]


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
