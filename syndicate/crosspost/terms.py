"""What is owed to a target for one article, and whether its reuse terms allow it.

Everything here is pure: :func:`decide` looks at the article, the target's
configuration, the terms agreed with the article's sources and what the ledger
already knows, and returns a :class:`Decision`. The planner records it; nothing
here touches the database or the network.

Terms rules are a table (:data:`TERMS_RULES`): the first rule that applies
blocks or holds the delivery, with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from syndicate.config import Config, RightsConfig, TargetConfig
from syndicate.models import Article
from syndicate.targets.base import ContentMode
from syndicate.targets.registry import target_class

Action = Literal["create", "update", "delete", "none"]
PlanState = Literal["pending", "blocked", "held"]
NO_GRANT_LICENSES = frozenset({"all-rights-reserved", "LicenseRef-All-Rights-Reserved"})


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
class EffectiveTerms:
    """The terms that govern reuse: the article's, or those agreed with one of its sources."""

    license: str | None
    license_url: str | None
    conditions: frozenset[str]
    granted_by_agreement: bool  # a source's configured terms grant reuse

    @property
    def unknown(self) -> bool:
        return self.license is None and not self.conditions

    @property
    def needs_permission(self) -> bool:
        return self.license in NO_GRANT_LICENSES or "permission-required" in self.conditions


@dataclass(frozen=True, slots=True)
class TermsFacts:
    terms: EffectiveTerms
    commercial: bool
    content_mode: ContentMode
    on_unknown_rights: str


def _grants(terms: RightsConfig) -> bool:
    return bool(terms.license) and terms.license not in NO_GRANT_LICENSES and (
        "permission-required" not in terms.conditions
    )


def effective_terms(article: Article, source_terms: Sequence[RightsConfig]) -> EffectiveTerms:
    """An agreement with a source (a configured licence that grants reuse) overrides the article's own terms."""
    grants = sorted((t for t in source_terms if _grants(t)), key=lambda t: (len(t.conditions), t.license or ""))
    if grants:
        grant = grants[0]
        return EffectiveTerms(
            license=grant.license,
            license_url=grant.license_url or article.rights.license_url,
            conditions=frozenset(grant.conditions) - {"permission-required"},
            granted_by_agreement=True,
        )
    conditions = set(article.rights.conditions)
    license_id = article.rights.license
    license_url = article.rights.license_url
    for terms in source_terms:
        conditions.update(terms.conditions)
        license_id = license_id or terms.license
        license_url = license_url or terms.license_url
    return EffectiveTerms(license_id, license_url, frozenset(conditions), granted_by_agreement=False)


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
        lambda f: f.terms.needs_permission and not f.terms.granted_by_agreement,
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


def source_terms_for(article: Article, config: Config) -> list[RightsConfig]:
    """The terms configured for the sources that carry ``article``."""
    names = {copy.source for copy in article.copies}
    return [s.rights for s in config.source if s.name in names and s.rights is not None]
