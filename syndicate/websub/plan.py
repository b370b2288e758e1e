"""What to ask the hubs (pure): subscribe new sources, renew leases before they end, unsubscribe the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from syndicate.websub.subscriptions import Subscription

LEASE_SECONDS = 10 * 86400  # asked for; the hub decides (it says so when it verifies)
VERIFY_TIMEOUT = 600.0  # a hub that has not verified within this is asked again
RETRY_FAILED = 3600.0  # a hub that refused or denied is asked again after this
RENEW_MIN_MARGIN = 300.0  # renew at least this long before the lease ends (or half the lease, if shorter)

ActionKind = Literal["subscribe", "unsubscribe", "forget"]


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    source: str
    hub: str
    topic: str
    fresh_secret: bool = False  # a new hub or topic: a new secret (and so a new callback URL)
    why: str = ""


def renew_at(subscription: Subscription) -> datetime:
    """When an active subscription is renewed: a tenth of the lease before it ends (5 min at least)."""
    lease = float(subscription.lease_seconds or LEASE_SECONDS)
    margin = min(max(lease * 0.1, RENEW_MIN_MARGIN), lease * 0.5)
    expires = subscription.expires_at or (subscription.updated_at + timedelta(seconds=lease))
    return expires - timedelta(seconds=margin)


def plan_subscriptions(
    wanted: dict[str, tuple[str, str]],
    existing: dict[str, Subscription],
    now: datetime,
    *,
    can_unsubscribe: bool = True,
) -> list[Action]:
    """``wanted``: source → (hub, topic) for every source that should be pushed to us.

    ``can_unsubscribe`` is False when no callback URL is configured (a hub needs one to verify).
    """
    actions: list[Action] = []
    for source, (hub, topic) in sorted(wanted.items()):
        current = existing.get(source)
        if current is None:
            actions.append(Action("subscribe", source, hub, topic, fresh_secret=True, why="new"))
        elif (current.hub, current.topic) != (hub, topic):
            actions.append(Action("subscribe", source, hub, topic, fresh_secret=True, why="hub or topic changed"))
        elif current.state == "active":
            due = renew_at(current)
            asked_already = current.updated_at >= due and (now - current.updated_at).total_seconds() <= VERIFY_TIMEOUT
            if now >= due and not asked_already:
                actions.append(Action("subscribe", source, hub, topic, why="renewal"))
        elif current.state == "requested":
            if (now - current.updated_at).total_seconds() > VERIFY_TIMEOUT:
                actions.append(Action("subscribe", source, hub, topic, why="no verification from the hub"))
        elif current.state == "failed":
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
