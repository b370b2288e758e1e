"""What to ask the hubs (pure): subscribe new sources, renew leases before they end, unsubscribe the rest.

States of a subscription: ``requested`` (asked, the hub has not verified yet), ``active`` (verified;
past ``expires_at`` it is *expired*), ``unsubscribing``, ``failed`` (the hub refused the request) and
``denied`` (the hub denied it, WebSub §5.2). Failed and denied ones are asked again after a while.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from syndicate import redact
from syndicate.websub.subscriptions import Subscription

LEASE_SECONDS = 10 * 86400  # asked for; the hub decides (it says so when it verifies)
VERIFY_TIMEOUT = 600.0  # a hub that has not verified within this is asked again
RETRY_FAILED = 3600.0  # a hub that refused or denied is asked again after this
RENEW_AT = 0.85  # an active lease is renewed when this fraction of it has run
CHECKS_EARLY = 2  # ... and never less than this many checks before it ends
CHECKS_PER_LEASE = 20  # the subscriptions are checked at least this often during the shortest lease
CHECK_FLOOR = 0.5  # seconds: but never more often than this

ActionKind = Literal["subscribe", "unsubscribe", "forget"]


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    source: str
    hub: str
    topic: str
    fresh_secret: bool = False  # a new hub or topic: a new secret (and so a new callback URL)
    why: str = ""


def check_interval(subscriptions: Iterable[Subscription], default: float) -> float:
    """Seconds between two checks of the subscriptions: ``default``, shorter when a lease is short
    (a twentieth of the shortest active lease, :data:`CHECK_FLOOR` at least)."""
    leases = [s.lease_seconds for s in subscriptions if s.state == "active" and s.lease_seconds]
    if not leases:
        return default
    return max(CHECK_FLOOR, min(default, min(leases) / CHECKS_PER_LEASE))


def renew_at(subscription: Subscription, check_every: float = 0.0) -> datetime:
    """When an active subscription is renewed: at :data:`RENEW_AT` of its lease, and at least
    :data:`CHECKS_EARLY` checks (``check_every`` seconds apart) before it ends (at half the lease at most)."""
    lease = float(subscription.lease_seconds or LEASE_SECONDS)
    margin = min(max(lease * (1.0 - RENEW_AT), CHECKS_EARLY * check_every), lease * 0.5)
    expires = subscription.expires_at or (subscription.updated_at + timedelta(seconds=lease))
    return expires - timedelta(seconds=margin)


def expired(subscription: Subscription, now: datetime) -> bool:
    """An active subscription whose lease has run out (the hub has stopped pushing)."""
    return subscription.state == "active" and subscription.expires_at is not None and subscription.expires_at <= now


def pushed_now(subscription: Subscription | None, now: datetime) -> bool:
    """The hub is pushing this source's updates: the subscription is active and its lease runs."""
    return subscription is not None and subscription.state == "active" and not expired(subscription, now)


def plan_subscriptions(
    wanted: dict[str, tuple[str, str]],
    existing: dict[str, Subscription],
    now: datetime,
    *,
    can_unsubscribe: bool = True,
    check_every: float = 0.0,
) -> list[Action]:
    """``wanted``: source → (hub, topic) for every source that should be pushed to us.

    ``can_unsubscribe`` is False when no callback URL is configured (a hub needs one to verify);
    ``check_every`` is how many seconds pass between two plans (see :func:`check_interval`).
    """
    actions: list[Action] = []
    for source, (hub, topic) in sorted(wanted.items()):
        current = existing.get(source)
        if current is None:
            actions.append(Action("subscribe", source, hub, topic, fresh_secret=True, why="new"))
        elif (current.hub, current.topic) != (hub, topic):
            actions.append(Action("subscribe", source, hub, topic, fresh_secret=True, why="hub or topic changed"))
        elif expired(current, now):
            actions.append(Action("subscribe", source, hub, topic, why="lease expired"))
        elif current.state == "active":
            due = renew_at(current, check_every)
            lease = float(current.lease_seconds or LEASE_SECONDS)
            ask_again = min(VERIFY_TIMEOUT, max(lease * 0.05, CHECKS_EARLY * check_every))
            asked_already = current.updated_at >= due and (now - current.updated_at).total_seconds() <= ask_again
            if now >= due and not asked_already:
                actions.append(Action("subscribe", source, hub, topic, why="renewal"))
        elif current.state == "requested":
            if (now - current.updated_at).total_seconds() > VERIFY_TIMEOUT:
                actions.append(Action("subscribe", source, hub, topic, why="no verification from the hub"))
        elif current.state in ("failed", "denied"):
            if (now - current.updated_at).total_seconds() > RETRY_FAILED:
                actions.append(Action("subscribe", source, hub, topic, why="retry"))
        else:  # unsubscribing, but wanted again
            actions.append(Action("subscribe", source, hub, topic, why="wanted again"))
    for source, current in sorted(existing.items()):
        if source in wanted:
            continue
        if current.state == "active" and can_unsubscribe:
            actions.append(Action("unsubscribe", current.source, current.hub, current.topic, why="no longer wanted"))
        elif current.state == "unsubscribing" and can_unsubscribe:
            if (now - current.updated_at).total_seconds() > VERIFY_TIMEOUT:
                actions.append(Action("forget", current.source, current.hub, current.topic, why="hub never verified"))
        else:
            actions.append(Action("forget", current.source, current.hub, current.topic, why="no longer wanted"))
    return actions


def shown_state(subscription: Subscription | None, now: datetime) -> str:
    """The state ``status`` shows: none, pending, active, expired, denied, failed or unsubscribing."""
    if subscription is None:
        return "none"
    if expired(subscription, now):
        return "expired"
    return {"requested": "pending"}.get(subscription.state, subscription.state)


def describe(subscription: Subscription | None, now: datetime) -> dict[str, str | None]:
    """A source's subscription as ``status --json`` shows it (no secret, no callback token)."""
    if subscription is None:
        return {"state": "none", "hub": None, "topic": None, "lease_expires": None, "error": None}
    expires = subscription.expires_at
    return {
        "state": shown_state(subscription, now),
        "hub": redact.scrub(subscription.hub),
        "topic": redact.scrub(subscription.topic),
        "lease_expires": expires.isoformat() if expires is not None else None,
        "error": redact.scrub(subscription.last_error) if subscription.last_error else None,
    }
