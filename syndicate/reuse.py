"""Whether an article's terms let it be republished: the one decision crossposts and outputs share.

Pure: the article, the terms agreed with its sources (``[source].rights``) in, the
:class:`EffectiveTerms` out. An agreement with a source that grants reuse overrides what
the article says; otherwise the article's terms and the sources' conditions add up.
:attr:`EffectiveTerms.forbids_republication` is the rule both sides apply: all rights
reserved or permission required, and no agreement that grants it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from syndicate.config import Config, RightsConfig
from syndicate.models import Article

NO_GRANT_LICENSES = frozenset({"all-rights-reserved", "LicenseRef-All-Rights-Reserved"})


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

    @property
    def forbids_republication(self) -> bool:
        """All rights reserved / permission required, and no agreement with a source grants it."""
        return self.needs_permission and not self.granted_by_agreement


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


def source_terms_for(article: Article, config: Config) -> list[RightsConfig]:
    """The terms configured for the sources that carry ``article``."""
    return terms_of_sources(article, {s.name: s.rights for s in config.source if s.rights is not None})


def terms_of_sources(article: Article, rights_by_source: Mapping[str, RightsConfig]) -> list[RightsConfig]:
    """The terms in ``rights_by_source`` (source name → agreed terms) of the sources carrying ``article``."""
    names = {copy.source for copy in article.copies}
    return [rights for name, rights in rights_by_source.items() if name in names]
