"""The ``subscriptions`` table: one WebSub subscription per source.

States: ``requested`` (asked the hub, waiting for its verification GET),
``active`` (verified; ``expires_at`` is when the lease ends), ``unsubscribing``
(asked the hub to stop), ``failed`` (the hub refused the request) and ``denied``
(the hub denied it, WebSub §5.2); ``last_error`` says why.

While a subscription is active the source is polled only as a slow safety net
(:data:`syndicate.store.sources.PUSHED_SAFETY_INTERVAL`); :func:`back_to_own_schedule`
undoes that the moment it stops being active.

The callback URL ends in a token derived from the subscription's random secret,
so it cannot be guessed and changes whenever the secret does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from syndicate.config import Config
from syndicate.errors import SyndicateError
from syndicate.store.codec import aware
from syndicate.store.schema import sources, subscriptions


@dataclass(frozen=True, slots=True)
class Subscription:
    source: str
    hub: str
    topic: str
    secret: str
    state: str
    lease_seconds: int | None
    expires_at: datetime | None
    updated_at: datetime
    last_error: str | None

    @property
    def token(self) -> str:
        return callback_token(self.source, self.secret)


@dataclass(frozen=True, slots=True)
class Discovered:
    """What the last fetch of a source said about its hub."""

    source: str
    hub: str | None
    topic: str  # the feed's rel="self", else the URL fetched


def new_secret() -> str:
    return secrets.token_hex(24)


def callback_token(source: str, secret: str) -> str:
    return hashlib.sha256(f"websub-callback\0{source}\0{secret}".encode()).hexdigest()[:32]


def _from_row(row: object) -> Subscription:
    m = row._mapping  # type: ignore[attr-defined]
    updated = aware(m["updated_at"])
    assert updated is not None
    return Subscription(
        source=m["source"],
        hub=m["hub"],
        topic=m["topic"],
        secret=m["secret"],
        state=m["state"],
        lease_seconds=m["lease_seconds"],
        expires_at=aware(m["expires_at"]),
        updated_at=updated,
        last_error=m["last_error"],
    )


def all_subscriptions(engine: Engine) -> dict[str, Subscription]:
    with engine.connect() as conn:
        return {s.source: s for s in map(_from_row, conn.execute(select(subscriptions)))}


def get(engine: Engine, source: str) -> Subscription | None:
    with engine.connect() as conn:
        row = conn.execute(select(subscriptions).where(subscriptions.c.source == source)).first()
    return _from_row(row) if row is not None else None


def by_token(engine: Engine, token: str) -> Subscription | None:
    """The subscription whose callback ends in ``token`` (a handful of rows: a scan is fine)."""
    for subscription in all_subscriptions(engine).values():
        if secrets.compare_digest(subscription.token, token):
            return subscription
    return None


def discovered_hubs(engine: Engine) -> dict[str, Discovered]:
    """Per source in the database: the hub its feed advertised last time, and the topic to subscribe to."""
    with engine.connect() as conn:
        rows = conn.execute(select(sources.c.name, sources.c.url, sources.c.self_url, sources.c.hub_url))
        return {r.name: Discovered(r.name, r.hub_url, r.self_url or r.url) for r in rows}


def save(engine: Engine, subscription: Subscription) -> None:
    values = {
        "hub": subscription.hub,
        "topic": subscription.topic,
        "secret": subscription.secret,
        "state": subscription.state,
        "lease_seconds": subscription.lease_seconds,
        "expires_at": subscription.expires_at,
        "updated_at": subscription.updated_at,
        "last_error": subscription.last_error,
    }
    with engine.begin() as conn:
        done = conn.execute(update(subscriptions).where(subscriptions.c.source == subscription.source).values(**values))
        if not done.rowcount:
            conn.execute(insert(subscriptions).values(source=subscription.source, **values))


def set_state(engine: Engine, source: str, state: str, now: datetime, *, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.source == source)
            .values(state=state, updated_at=now, last_error=error)
        )


def activate(engine: Engine, source: str, lease_seconds: int | None, now: datetime) -> None:
    """The hub verified the subscription: it lasts ``lease_seconds`` from now."""
    expires = now + timedelta(seconds=lease_seconds) if lease_seconds else None
    with engine.begin() as conn:
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.source == source)
            .values(state="active", lease_seconds=lease_seconds, expires_at=expires, updated_at=now, last_error=None)
        )


def remove(engine: Engine, source: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(subscriptions).where(subscriptions.c.source == source))


def back_to_own_schedule(engine: Engine, config: Config, source: str, now: datetime) -> datetime | None:
    """The source's subscription stopped being active: poll it on its own interval again, at once.

    Its next fetch moves from the push-time safety net back to the last fetch plus its own
    interval (so "now", when that has passed: pushes may have been lost meanwhile). A source
    in error backoff keeps its backoff. Returns the new due time (None: nothing changed).
    """
    try:
        interval = config.interval_for(config.source_by_name(source))
    except SyndicateError:  # removed from the configuration: nothing to poll
        return None
    with engine.begin() as conn:
        row = conn.execute(
            select(sources.c.next_due_at, sources.c.last_fetch_at, sources.c.consecutive_failures)
            .where(sources.c.name == source)
        ).first()
        if row is None or row.consecutive_failures:
            return None
        last, due = aware(row.last_fetch_at), aware(row.next_due_at)
        own = max(last + timedelta(seconds=interval), now) if last is not None else now
        if due is not None and due <= own:
            return None
        conn.execute(update(sources).where(sources.c.name == source).values(next_due_at=own))
    return own


def poll_now(engine: Engine, source: str, now: datetime) -> None:
    """Make the source due at once (a thin ping: the hub says the topic changed, without the content)."""
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.name == source).values(next_due_at=now))
