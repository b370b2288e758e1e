"""What is owed to a target for one article, and whether its reuse terms allow it.

Everything here is pure: :func:`decide` looks at the article, the target's
configuration, the terms agreed with the article's sources and what the ledger
already knows, and returns a :class:`Decision`. The planner records it; nothing
here touches the database or the network.

Terms rules are a table (:data:`TERMS_RULES`): the first rule that applies
blocks or holds the delivery, with its reason. The terms themselves
(:func:`~syndicate.reuse.effective_terms`) are shared with the outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from syndicate.config import RightsConfig, TargetConfig
from syndicate.models import Article
from syndicate.reuse import EffectiveTerms, effective_terms
from syndicate.reuse import source_terms_for as source_terms_for  # re-exported: the planner and deliverer use it
from syndicate.targets.base import ContentMode
from syndicate.targets.registry import target_class

Action = Literal["create", "update", "delete", "none"]
PlanState = Literal["pending", "blocked", "held"]


@dataclass(frozen=True, slots=True)
class LedgerView:
    """What the ledger holds for (article, target), as far as deciding needs it."""

    state: str  # pending|sending|delivered|failed|blocked|held
    action: str  # create|update|delete
    remote_id: str | None = None
    delivered_hash: str | None = None
    released: bool = False  # released by hand: terms are not checked again
    held_by_hand: bool = False  # held by a person: stays held until released

    @property
    def exists_remotely(self) -> bool:
        """A post was made (and not deleted) on the target."""
        return self.remote_id is not None and not (self.action == "delete" and self.state == "delivered")


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    state: PlanState | None  # None: nothing to record (the ledger row stays as it is)
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TermsFacts:
    terms: EffectiveTerms
    commercial: bool
    content_mode: ContentMode
    on_unknown_rights: str


# (rule name, applies?, resulting state, reason) — the first rule that applies wins
TermsRule = tuple[str, Callable[[TermsFacts], bool], PlanState, str]
TERMS_RULES: tuple[TermsRule, ...] = (
    (
        "noncommercial-on-commercial",
        lambda f: f.commercial and "noncommercial" in f.terms.conditions,
        "blocked",
        "terms are noncommercial and this target is commercial",
    ),
    (
        "permission-required",
        lambda f: f.terms.forbids_republication,
        "blocked",
        "all rights reserved / permission required, and no agreement with the source grants it "
        "(set [source].rights)",
    ),
    (
        "no-derivatives-excerpt",
        lambda f: "no-derivatives" in f.terms.conditions and f.content_mode == "excerpt",
        "blocked",
        "terms say no derivatives and this target sends excerpts (set content = \"full\")",
    ),
    (
        "unknown-rights-hold",
        lambda f: f.terms.unknown and f.on_unknown_rights == "hold",
        "held",
        "the article states no terms and on_unknown_rights = \"hold\"",
    ),
)


def check_terms(facts: TermsFacts) -> tuple[PlanState, str] | None:
    """(blocked|held, reason) when the terms forbid the delivery, else None."""
    for _name, applies, state, reason in TERMS_RULES:
        if applies(facts):
            return state, reason
    return None


def target_facts(target: TargetConfig) -> tuple[ContentMode, bool, bool]:
    """(content mode, supports update, supports delete) of a configured target (no I/O)."""
    cls = target_class(target.type)
    return cls.content_mode_for(target.options), cls.supports_update, cls.supports_delete


def decide(
    article: Article,
    target: TargetConfig,
    source_terms: Sequence[RightsConfig] = (),
    *,
    ledger: LedgerView | None = None,
) -> Decision:
    """What to record for ``article`` on ``target``, given what the ledger already has."""
    content_mode, can_update, can_delete = target_facts(target)
    if ledger is not None and (ledger.state == "rejected" or (ledger.state == "held" and ledger.held_by_hand)):
        return Decision("none", None)  # a person decided: never sent / kept until released


    if article.deleted_at is not None:
        if ledger is None:
            return Decision("none", None)
        if ledger.exists_remotely:
            if target.delete and can_delete:
                if ledger.action == "delete":
                    return Decision("none", None)  # already owed or done
                return Decision("delete", "pending", "withdrawn at the source")
            return Decision("none", None)
        if ledger.state in ("delivered", "blocked") and ledger.action == "delete":
            return Decision("none", None)
        return Decision("create", "blocked", "withdrawn at the source before it was sent")

    if ledger is not None and ledger.state == "delivered" and ledger.action == "delete":
        return Decision("none", None)  # deleted remotely; a reappearing article is not re-sent
    if ledger is not None and ledger.state == "sending":
        return Decision("none", None)  # in flight: the deliverer settles it
    owed: Action
    if ledger is None or not ledger.exists_remotely:
        owed = "create"
    elif ledger.delivered_hash == article.content_hash and ledger.state == "delivered":
        return Decision("none", None)
    elif ledger.delivered_hash != article.content_hash:
        if not can_update:
            return Decision("none", None)
        owed = "update"
    else:
        owed = ledger.action if ledger.action in ("create", "update", "delete") else "update"  # type: ignore[assignment]

    if ledger is not None and ledger.released:
        return Decision(owed, "pending", "released by hand")
    facts = TermsFacts(
        terms=effective_terms(article, source_terms),
        commercial=target.commercial,
        content_mode=content_mode,
        on_unknown_rights=target.on_unknown_rights,
    )
    verdict = check_terms(facts)
    if verdict is not None:
        return Decision(owed, verdict[0], verdict[1])
    return Decision(owed, "pending")
