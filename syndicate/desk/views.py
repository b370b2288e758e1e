"""What each desk page shows, gathered through the store and ledger functions (the CLI's own).

Nothing here writes; the actions are in :mod:`syndicate.desk.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from syndicate.config import Config, TargetConfig
from syndicate.crosspost import ledger
from syndicate.crosspost.delivery import build_target, post_for
from syndicate.crosspost.terms import check_terms, effective_terms, source_terms_for
from syndicate.desk import charts
from syndicate.models import Article
from syndicate.redact import scrub
from syndicate.store import activity
from syndicate.store.articles import article_copies, count_articles, get_article, search_articles
from syndicate.store.audit import list_audit
from syndicate.store.overrides import FIELDS, get_overrides
from syndicate.store.sources import all_sources
from syndicate.targets.registry import target_class

QUEUE_STATES = ("review", "held", "blocked", "failed", "rejected", "pending", "delivered")
PAGE_SIZE = 50


def now_utc() -> datetime:
    return datetime.now(UTC)


# -- the review queue ------------------------------------------------------------------


def queue(engine: Any, config: Config, *, state: str, target: str | None, source: str | None) -> dict[str, Any]:
    states = ledger.REVIEW_STATES if state == "review" else (state,)
    rows = ledger.review_queue(engine, states=states, target=target or None, source=source or None)
    return {
        "rows": rows,
        "filters": {"state": state, "target": target or "", "source": source or ""},
        "states": QUEUE_STATES,
        "targets": [t.name for t in config.target],
        "sources": [s.name for s in config.source],
    }


# -- one item: the preview, the rights, the actions ------------------------------------


@dataclass
class Preview:
    format: str  # html | markdown | text | email
    title: str
    body: str
    html: str
    text: str
    attribution: str
    subject: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    max_chars: int | None = None
    length: int | None = None
    error: str | None = None


def target_config(config: Config, name: str) -> TargetConfig | None:
    return next((t for t in config.target if t.name == name), None)


def preview(config: Config, target_cfg: TargetConfig, article: Article, delivery: str) -> Preview:
    """Exactly what ``deliver`` would send: the same renderer, the target's own format and limits."""
    fmt = target_class(target_cfg.type).block_format
    try:
        target = build_target(target_cfg, config)
    except Exception as exc:  # a broken target configuration must not break the page
        return Preview(fmt, article.title, "", "", "", "", error=scrub(f"{type(exc).__name__}: {exc}"))
    try:
        post = post_for(config, target_cfg, target, article, delivery)
        shown = Preview(fmt, post.title, post.body, post.html, post.text, post.attribution)
        if fmt == "text":
            from syndicate.crosspost.render import weighted_length

            shown.max_chars = target.max_chars()
            shown.length = weighted_length(post.body)
        make_message = getattr(target, "message", None)
        if fmt == "email" and callable(make_message):
            message = make_message(post)
            shown.subject = str(message["Subject"])
            shown.headers = [(k, str(v)) for k, v in message.items() if k in ("From", "To", "Subject", "Date")]
        return shown
    except Exception as exc:
        return Preview(fmt, article.title, "", "", "", "", error=scrub(f"{type(exc).__name__}: {exc}"))
    finally:
        target.close()


def rights_view(article: Article, config: Config, target_cfg: TargetConfig | None) -> dict[str, Any]:
    """The article's rights, the terms in force (an agreement may override them), the evidence."""
    terms = effective_terms(article, source_terms_for(article, config))
    verdict = None
    if target_cfg is not None:
        from syndicate.crosspost.terms import TermsFacts, target_facts

        mode, _u, _d = target_facts(target_cfg)
        verdict = check_terms(
            TermsFacts(terms, target_cfg.commercial, mode, target_cfg.on_unknown_rights)
        )
    data = article.to_json()
    return {
        "rights": data["rights"],
        "terms": {
            "license": terms.license,
            "license_url": terms.license_url,
            "conditions": sorted(terms.conditions),
            "by_agreement": terms.granted_by_agreement,
            "unknown": terms.unknown,
        },
        "verdict": verdict,
        "evidence": data.get("evidence") or data["rights"].get("evidence") or [],
    }


def item(engine: Any, config: Config, delivery: str) -> dict[str, Any] | None:
    row = ledger.get_delivery(engine, delivery)
    if row is None:
        return None
    article = get_article(engine, row["article_id"])
    target_cfg = target_config(config, row["target"])
    shown = preview(config, target_cfg, article, delivery) if article and target_cfg else None
    return {
        "row": ledger.row_json(row),
        "article": article,
        "target": target_cfg,
        "preview": shown,
        "rights": rights_view(article, config, target_cfg) if article else None,
        "override": get_overrides(engine, [article.id]).get(article.id) if article else None,
        "override_fields": FIELDS,
        "history": list_audit(engine, subject=delivery, limit=20),
        "can_release": row["state"] in ledger.RELEASABLE,
        "can_hold": row["state"] in ledger.HOLDABLE,
        "can_reject": row["state"] in ledger.REJECTABLE,
    }


# -- articles ----------------------------------------------------------------------------


def articles_page(engine: Any, *, text: str, source: str, page: int) -> dict[str, Any]:
    found = search_articles(engine, text=text or None, source=source or None, limit=PAGE_SIZE + 1,
                            offset=page * PAGE_SIZE)
    overrides = get_overrides(engine, [a.id for a in found])
    return {
        "articles": found[:PAGE_SIZE],
        "more": len(found) > PAGE_SIZE,
        "page": page,
        "q": text,
        "source": source,
        "overrides": overrides,
        "total": count_articles(engine),
    }


def article_page(engine: Any, config: Config, article_id: str) -> dict[str, Any] | None:
    article = get_article(engine, article_id)
    if article is None:
        return None
    copies = article_copies(engine, article_id)
    publisher = article.attribution.original_publisher or article.rights.holder or "the original publisher"
    return {
        "article": article,
        "copies": copies,
        "picture": charts.provenance(publisher, [(c["source"], c["is_original"]) for c in copies]),
        "deliveries": ledger.deliveries_of(engine, article_id),
        "rights": rights_view(article, config, None),
        "override": get_overrides(engine, [article_id]).get(article_id),
        "override_fields": FIELDS,
        "history": list_audit(engine, subject=article_id, limit=20),
    }


# -- sources, targets, activity, audit ---------------------------------------------------


def sources_page(engine: Any, config: Config, now: datetime) -> dict[str, Any]:
    rows = all_sources(engine)
    per_day = activity.copies_per_source_day(engine, now)
    empty = [(day, 0) for day in activity.day_range(now)]
    out = []
    for source in config.source:
        row = rows.get(source.name)
        series = per_day.get(source.name, empty)
        disabled = (row.disabled_reason if row else None) or (
            None if source.enabled else "disabled in the configuration"
        )
        out.append(
            {
                "name": source.name,
                "url": scrub(source.url),
                "row": row,
                "disabled": disabled,
                "chart": charts.sparkline(series, title=f"{source.name}: items per day"),
                "per_day": sum(n for _, n in series) / max(len(series), 1),
            }
        )
    return {"sources": out, "now": now}


def targets_page(engine: Any, config: Config, now: datetime) -> dict[str, Any]:
    counts = ledger.counts_by_target(engine)
    out = []
    for target in config.target:
        out.append(
            {
                "config": target,
                "counts": counts.get(target.name, {}),
                "errors": ledger.recent_errors(engine, target.name),
                "last_hour": ledger.sent_last_hour(engine, target.name, now),
            }
        )
    return {"targets": out, "states": ledger.STATES}


def activity_page(engine: Any, now: datetime) -> dict[str, Any]:
    passes = activity.recent_passes(engine, now, limit=60)
    durations = charts.bar_chart(
        [(p["started_at"].strftime("%b %d %H:%M"), round(p["seconds"], 2)) for p in passes],
        title="Pass durations",
        unit=" s",
        first_label=passes[0]["started_at"].strftime("%b %d %H:%M") if passes else "",
        last_label=passes[-1]["started_at"].strftime("%b %d %H:%M") if passes else "",
    )
    per_target = activity.deliveries_per_target_day(engine, now)
    return {
        "articles": charts.daily_chart(activity.articles_per_day(engine, now), title="Articles in per day"),
        "targets": [
            (name, charts.daily_chart(series, title=f"Crossposts to {name} per day", height=110))
            for name, series in per_target.items()
        ],
        "failures": charts.daily_chart(
            activity.failures_per_day(engine, now), title="Failures per day", css="bar bar-bad"
        ),
        "durations": durations,
        "pass_count": len(passes),
        "last_pass": passes[-1] if passes else None,
    }


def audit_page(engine: Any) -> dict[str, Any]:
    return {"entries": list_audit(engine, limit=500)}
