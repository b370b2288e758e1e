"""What an editor can change from the desk; each is a store or ledger function (the CLI's own),
audited with the editor's name and reason in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from syndicate.crosspost import ledger
from syndicate.store import sources as source_store
from syndicate.store.overrides import set_override

DELIVERY_ACTIONS = ("release", "hold", "reject")
SOURCE_ACTIONS = ("enable", "disable", "fetch")


def decide(engine: Any, action: str, ids: Iterable[str], *, actor: str, reason: str | None) -> tuple[int, int]:
    """Apply ``action`` to each delivery; (changed, skipped: not in a state the action applies to)."""
    done = skipped = 0
    for delivery in dict.fromkeys(ids):  # each once, in the order given
        if ledger.decide_by_hand(engine, delivery, action, actor=actor, reason=reason or None):
            done += 1
        else:
            skipped += 1
    return done, skipped


def source_action(engine: Any, name: str, action: str, *, actor: str, reason: str | None) -> bool:
    if action == "fetch":
        return source_store.fetch_soon(engine, name, actor=actor, now=datetime.now(UTC))
    return source_store.set_enabled(engine, name, action == "enable", actor=actor, reason=reason or None)


def correct_attribution(engine: Any, article_id: str, form: dict[str, str], *, actor: str, reason: str | None) -> None:
    set_override(engine, article_id, form, actor=actor, now=datetime.now(UTC), reason=reason or None)
