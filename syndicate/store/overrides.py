"""An editor's correction of an article's attribution: author, original publisher and URL, licence.

The override is stored on its own (``attribution_overrides``) and applied over the article as
merged from its copies: now, when it is set, and again by every later merge
(:func:`syndicate.store.articles._recompute`), so every later render (feeds, crossposts, the
desk's previews, ``syndicate articles``) uses it. Applying it changes the article's content
hash, so a target that already has the post gets the corrected attribution as an update.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from syndicate.models import Article, Attribution, Rights, rfc3339
from syndicate.normalize.hashing import content_hash
from syndicate.store import audit
from syndicate.store.codec import article_to_row, aware, row_to_article
from syndicate.store.schema import articles, attribution_overrides

FIELDS = ("original_author", "original_publisher", "original_url", "license", "license_url")
MAX_FIELD = 1000
# CC licence id parts -> the condition each one imposes
_CC_CONDITIONS = {"BY": "attribution", "NC": "noncommercial", "ND": "no-derivatives", "SA": "share-alike"}
_NAMED_CONDITIONS: dict[str, tuple[str, ...]] = {
    "all-rights-reserved": ("permission-required",),
    "LicenseRef-All-Rights-Reserved": ("permission-required",),
    "permission": ("attribution", "link-to-original"),
    "CC0-1.0": (),
    "CC-PDDC": (),
}


class OverrideError(ValueError):
    """A correction that cannot be stored (unknown article, bad value)."""


def clean_fields(values: Mapping[str, Any]) -> dict[str, str]:
    """The override's fields from a form or the CLI: known keys only, trimmed; empty ones left out."""
    out: dict[str, str] = {}
    for key in FIELDS:
        value = values.get(key)
        if value is None:
            continue
        text = " ".join(str(value).split())
        if len(text) > MAX_FIELD:
            raise OverrideError(f"{key}: longer than {MAX_FIELD} characters")
        if text:
            if key in ("original_url", "license_url") and not text.startswith(("http://", "https://")):
                raise OverrideError(f"{key}: {text!r} is not an http(s) URL")
            out[key] = text
    return out


def conditions_for(license_id: str, current: tuple[str, ...]) -> tuple[str, ...]:
    """The conditions a licence id implies (Creative Commons ids by their parts), else ``current``."""
    if license_id in _NAMED_CONDITIONS:
        return tuple(sorted(_NAMED_CONDITIONS[license_id]))
    parts = license_id.upper().split("-")
    if parts[:1] == ["CC"] and "BY" in parts:
        return tuple(sorted({_CC_CONDITIONS[p] for p in parts if p in _CC_CONDITIONS}))
    return current


def apply_override(article: Article, fields: Mapping[str, str]) -> Article:
    """``article`` with the corrected attribution and licence, and the content hash that goes with them."""
    if not fields:
        return article
    attribution: Attribution = article.attribution
    rights: Rights = article.rights
    changes: dict[str, Any] = {
        k: fields[k] for k in ("original_author", "original_publisher", "original_url") if k in fields
    }
    if changes:
        attribution = dataclasses.replace(attribution, **changes)
    if "license" in fields:
        rights = dataclasses.replace(
            rights, license=fields["license"], conditions=conditions_for(fields["license"], rights.conditions)
        )
    if "license_url" in fields:
        rights = dataclasses.replace(rights, license_url=fields["license_url"])
    authors = (fields["original_author"],) if "original_author" in fields else article.authors
    digest = content_hash(article.title, article.url, article.content_html, authors, rights, attribution)
    return dataclasses.replace(
        article, attribution=attribution, rights=rights, authors=authors, content_hash=digest
    )


def override_fields(conn: Connection, article_id: str) -> dict[str, str] | None:
    row = conn.execute(
        select(attribution_overrides.c.fields).where(attribution_overrides.c.article_id == article_id)
    ).first()
    return dict(row.fields) if row is not None else None


def get_overrides(engine: Engine, article_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """``{article id: {"fields", "set_by", "set_at", "reason"}}`` for the given articles (or all)."""
    query = select(attribution_overrides)
    if article_ids is not None:
        if not article_ids:
            return {}
        query = query.where(attribution_overrides.c.article_id.in_(article_ids))
    with engine.connect() as conn:
        return {
            row.article_id: {
                "fields": dict(row.fields),
                "set_by": row.set_by,
                "set_at": rfc3339(aware(row.set_at)),
                "reason": row.reason,
            }
            for row in conn.execute(query)
        }


def set_override(
    engine: Engine, article_id: str, values: Mapping[str, Any], *, actor: str, now: datetime, reason: str | None = None
) -> Article:
    """Store the correction (replacing an earlier one; no fields clears it), apply it, audit it."""
    fields = clean_fields(values)
    with engine.begin() as conn:
        row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        if row is None:
            raise OverrideError(f"no article {article_id}")
        before = override_fields(conn, article_id)
        conn.execute(delete(attribution_overrides).where(attribution_overrides.c.article_id == article_id))
        if fields:
            conn.execute(
                insert(attribution_overrides).values(
                    article_id=article_id, fields=fields, set_by=actor, set_at=now, reason=reason
                )
            )
        article = _remerged(conn, row_to_article(dict(row._mapping)), article_id)
        stored = article_to_row(article)
        stored.pop("deleted_at", None)
        conn.execute(update(articles).where(articles.c.id == article_id).values(**stored, changed_at=now))
        audit.record(
            conn, at=now, actor=actor, action="attribution", subject=article_id, reason=reason,
            detail={"before": before, "after": fields or None},
        )
    return article


def _remerged(conn: Connection, current: Article, article_id: str) -> Article:
    """The article merged again from its copies, with the override now stored applied."""
    from syndicate.store.articles import merged_article

    merged = merged_article(conn, article_id, current.first_seen)
    if merged is not None:
        return merged
    return apply_override(current, override_fields(conn, article_id) or {})  # stored without copies
