"""Planning: which articles each target is owed, recorded in the ledger.

For every enabled target the planner

1. registers it in ``targets`` on first sight. ``added_at`` is set after the
   newest article already stored, so what was there before is not flooded
   onto the target; only the ``backfill`` newest matching articles are. The
   registration, the backfill's ledger rows and the watermark are written in
   ONE transaction: a crash anywhere in it leaves no trace (the next plan
   sees the target for the first time again), never a target that looks
   planned while its back catalogue was not recorded.
2. looks only at articles changed since the target's watermark (newest
   ``articles.changed_at`` seen), plus the target's blocked/held rows (terms
   may have changed) and delivered rows of withdrawn articles;
3. asks the pure :func:`~syndicate.crosspost.terms.decide` what is owed and
   upserts the ledger row (unique per article and target, id from
   :func:`~syndicate.crosspost.ledger.delivery_id`).

:func:`preview` runs the same computation read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from syndicate.config import Config, TargetConfig
from syndicate.crosspost import filters, ledger
from syndicate.crosspost.render import attribution_context, render_block, template_spec
from syndicate.crosspost.terms import Decision, LedgerView, decide, effective_terms, source_terms_for
from syndicate.models import Article
from syndicate.store.codec import aware, row_to_article
from syndicate.store.schema import articles, deliveries, targets
from syndicate.targets.registry import target_class

BATCH = 500
_FORMAT_OF_BLOCK = {"html": "html", "email": "html", "markdown": "markdown", "text": "text"}


@dataclass
class PlanSummary:
    targets: int = 0
    considered: int = 0  # articles looked at
    creates: int = 0
    updates: int = 0
    deletes: int = 0
    blocked: int = 0
    held: int = 0
    unchanged: int = 0
    new_targets: list[str] = field(default_factory=list)
    notes: list[NewTargetNote] = field(default_factory=list)  # what a new target does not get

    def to_json(self) -> dict[str, Any]:
        return {
            "targets": self.targets,
            "considered": self.considered,
            "creates": self.creates,
            "updates": self.updates,
            "deletes": self.deletes,
            "blocked": self.blocked,
            "held": self.held,
            "unchanged": self.unchanged,
            "new_targets": list(self.new_targets),
            "notes": [note.describe() for note in self.notes],
        }


@dataclass(frozen=True, slots=True)
class NewTargetNote:
    """A target seen for the first time gets only its ``backfill`` of the articles stored before it."""

    target: str
    not_sent: int  # stored articles it would get, were they new, and does not
    backfill: int

    def describe(self) -> str:
        articles = "article" if self.not_sent == 1 else "articles"
        return f"{self.target}: new target, {self.not_sent} stored {articles} not sent (backfill = {self.backfill})"

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "not_sent": self.not_sent, "backfill": self.backfill}


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing a pass would do (``sync --dry-run``, ``plan``)."""

    target: str
    delivery_id: str
    article_id: str
    title: str
    url: str
    action: str  # create|update|delete
    state: str  # pending|blocked|held
    reason: str | None
    attribution: str  # the attribution block, rendered in the target's format

    def describe(self) -> str:
        """One line for ``sync --dry-run`` / ``plan``."""
        verdict = "" if self.state == "pending" else f" [{self.state}: {self.reason}]"
        return f"{self.action:<6} {self.target}: {self.title} <{self.url}>{verdict}"

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "delivery_id": self.delivery_id,
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "action": self.action,
            "state": self.state,
            "reason": self.reason,
            "attribution": self.attribution,
        }


@dataclass(frozen=True, slots=True)
class _Item:
    article: Article
    row: dict[str, Any] | None  # the ledger row, if any
    decision: Decision


@dataclass(frozen=True, slots=True)
class _TargetPlan:
    target: TargetConfig
    first_sight: bool
    added_at: datetime
    watermark: datetime | None
    items: list[_Item]
    not_sent: int = 0  # first sight: stored articles for it beyond its backfill


def enabled_targets(config: Config) -> list[TargetConfig]:
    return [t for t in config.target if t.enabled]


def plan(engine: Engine, config: Config, *, now: datetime) -> PlanSummary:
    """Record in the ledger what every enabled target is owed."""
    now = ledger.as_utc(now)
    summary = PlanSummary()
    for target in enabled_targets(config):
        summary.targets += 1
        with engine.begin() as conn:
            computed = _compute(conn, config, target, now)
            if computed.first_sight:
                if _register(conn, target, computed.added_at, computed.watermark, now):
                    summary.new_targets.append(target.name)
                    if computed.not_sent:
                        summary.notes.append(NewTargetNote(target.name, computed.not_sent, target.backfill))
                    for item in computed.items:  # same transaction as the registration
                        summary.considered += 1
                        _record(conn, target, item, now, summary)
                # else another planner registered it, with its backfill, in a transaction that has committed
                continue
        for item in computed.items:
            summary.considered += 1
            with engine.begin() as conn:  # one at a time: the watermark below moves only once all are recorded
                _record(conn, target, item, now, summary)
        with engine.begin() as conn:
            conn.execute(
                update(targets)
                .where(targets.c.name == target.name)
                .values(watermark=computed.watermark, planned_at=now, type=target.type)
            )
    return summary


def preview(engine: Engine, config: Config, *, now: datetime) -> list[PlannedAction]:
    """What the next pass would create, update, delete or block; sends nothing and writes nothing."""
    now = ledger.as_utc(now)
    out: list[PlannedAction] = []
    with engine.connect() as conn:
        for target in enabled_targets(config):
            cls = target_class(target.type)
            spec = template_spec(target, config.base_dir)
            fmt = _FORMAT_OF_BLOCK[cls.block_format]
            computed = _compute(conn, config, target, now)
            seen: set[str] = set()
            for item in computed.items:
                decision = item.decision
                if decision.state is None or decision.action == "none":
                    continue
                row = item.row
                settled = decision.state != "pending" or not _due(row, now) if row is not None else False
                if row is not None and _unchanged(row, decision) and settled:
                    continue
                delivery = ledger.delivery_id(item.article.id, target.name)
                seen.add(delivery)
                out.append(_planned(target, delivery, item.article, decision, config, fmt, spec))
            for row, article in _due_rows(conn, target.name, now):
                if row["id"] in seen:
                    continue
                decision = Decision(row["action"], "pending", row.get("reason"))
                out.append(_planned(target, row["id"], article, decision, config, fmt, spec))
    return out


def new_target_notes(engine: Engine, config: Config, *, now: datetime) -> list[NewTargetNote]:
    """For the targets the next pass sees for the first time: the stored articles they will not get."""
    now = ledger.as_utc(now)
    notes = []
    with engine.connect() as conn:
        for target in enabled_targets(config):
            if conn.execute(select(targets.c.name).where(targets.c.name == target.name)).first() is not None:
                continue
            computed = _compute(conn, config, target, now)
            if computed.not_sent:
                notes.append(NewTargetNote(target.name, computed.not_sent, target.backfill))
    return notes


def _planned(
    target: TargetConfig, delivery: str, article: Article, decision: Decision, config: Config, fmt: str, spec: Any
) -> PlannedAction:
    context = attribution_context(article, effective_terms(article, source_terms_for(article, config)))
    try:
        block = render_block(fmt, context, spec)
    except Exception as exc:  # a broken custom template must not break the preview
        block = f"(template error: {type(exc).__name__}: {exc})"
    return PlannedAction(
        target=target.name,
        delivery_id=delivery,
        article_id=article.id,
        title=article.title,
        url=article.url,
        action=decision.action,
        state=decision.state or "pending",
        reason=decision.reason,
        attribution=block,
    )


# -- computing -------------------------------------------------------------------


def _compute(conn: Connection, config: Config, target: TargetConfig, now: datetime) -> _TargetPlan:
    registered = conn.execute(select(targets).where(targets.c.name == target.name)).first()
    if registered is None:
        newest_first_seen = aware(conn.execute(select(func.max(articles.c.first_seen))).scalar())
        newest_change = aware(conn.execute(select(func.max(articles.c.changed_at))).scalar())
        added_at = now
        if newest_first_seen is not None and newest_first_seen >= now:
            added_at = newest_first_seen + timedelta(microseconds=1)
        backfill = list(_backfill(conn, target))
        items = [
            _Item(article, None, decide(article, target, source_terms_for(article, config)))
            for article in backfill
        ]
        watermark = newest_change
        not_sent = _count_matching(conn, target) - len(items)
        return _TargetPlan(target, True, added_at, watermark, items, not_sent=max(not_sent, 0))

    added_at = aware(registered.added_at) or now
    watermark = aware(registered.watermark)
    newest = watermark
    candidates: dict[str, Article] = {}
    for article, changed_at in _candidates(conn, target, watermark):
        if newest is None or changed_at > newest:
            newest = changed_at
        candidates[article.id] = article
    for article in _recheck(conn, target):
        if _matches(target, article):
            candidates.setdefault(article.id, article)
    rows = _ledger_rows(conn, target.name, list(candidates))
    items = []
    for article in candidates.values():
        row = rows.get(article.id)
        if row is None and (article.first_seen is None or article.first_seen < added_at):
            continue  # there before the target: not flooded (only the backfill was)
        items.append(_Item(article, row, decide(article, target, source_terms_for(article, config), ledger=_view(row))))
    return _TargetPlan(target, False, added_at, newest, items)


def _matches(target: TargetConfig, article: Article) -> bool:
    """Whether ``target`` gets ``article``: one of its sources carries it, and its filters let it through."""
    return any(target.matches_source(copy.source) for copy in article.copies) and filters.passes(
        article, target.include, target.exclude
    )


def _article_rows(conn: Connection, query: Any) -> Iterator[Any]:
    yield from conn.execute(query.execution_options(yield_per=BATCH))


def _backfill(conn: Connection, target: TargetConfig) -> Iterator[Article]:
    """The ``backfill`` newest matching articles that are not withdrawn."""
    if target.backfill <= 0:
        return
    wanted = target.backfill
    query = select(articles).where(articles.c.deleted_at.is_(None)).order_by(articles.c.sort_at.desc(), articles.c.id)
    for row in _article_rows(conn, query):
        article = row_to_article(dict(row._mapping))
        if _matches(target, article):
            yield article
            wanted -= 1
            if wanted == 0:
                return


def _count_matching(conn: Connection, target: TargetConfig) -> int:
    """How many stored articles (not withdrawn) ``target`` would get: its sources and filters."""
    query = select(articles).where(articles.c.deleted_at.is_(None))
    return sum(1 for row in _article_rows(conn, query) if _matches(target, row_to_article(dict(row._mapping))))


def _candidates(
    conn: Connection, target: TargetConfig, watermark: datetime | None
) -> Iterator[tuple[Article, datetime]]:
    query = select(articles)
    if watermark is not None:
        query = query.where(articles.c.changed_at >= watermark)  # >=: a tie at the mark is looked at again
    query = query.order_by(articles.c.changed_at, articles.c.id)
    for row in _article_rows(conn, query):
        article = row_to_article(dict(row._mapping))
        if _matches(target, article):
            yield article, aware(row.changed_at) or article.first_seen  # type: ignore[misc]


def _recheck(conn: Connection, target: TargetConfig) -> list[Article]:
    """Blocked/held rows (terms may have changed) and rows owed for withdrawn articles."""
    mine = deliveries.c.target == target.name
    terms = select(deliveries.c.article_id).where(and_(mine, deliveries.c.state.in_(("blocked", "held"))))
    unsent: Any = deliveries.c.state.in_(ledger.RETRYABLE)
    if target.delete:
        unsent = or_(unsent, and_(deliveries.c.state == "delivered", deliveries.c.action != "delete"))
    withdrawn = select(deliveries.c.article_id).where(and_(mine, unsent))
    query = select(articles).where(
        or_(articles.c.id.in_(terms), and_(articles.c.deleted_at.is_not(None), articles.c.id.in_(withdrawn)))
    )
    return [row_to_article(dict(row._mapping)) for row in conn.execute(query)]


def _ledger_rows(conn: Connection, target: str, article_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The ledger rows of ``target`` for these articles (by delivery id: the primary key)."""
    ids = [ledger.delivery_id(article_id, target) for article_id in article_ids]
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        query = select(deliveries).where(deliveries.c.id.in_(ids[start : start + BATCH]))
        out.update({row.article_id: dict(row._mapping) for row in conn.execute(query)})
    return out


def _view(row: dict[str, Any] | None) -> LedgerView | None:
    if row is None:
        return None
    return LedgerView(
        state=row["state"],
        action=row["action"],
        remote_id=row["remote_id"],
        delivered_hash=row["delivered_hash"],
        released=row.get("released_at") is not None,
        held_by_hand=row.get("held_at") is not None,
    )


def _due(row: dict[str, Any], now: datetime) -> bool:
    when = aware(row.get("next_attempt_at"))
    return row["state"] in ledger.RETRYABLE and when is not None and when <= now


def _due_rows(conn: Connection, target: str, now: datetime) -> Iterable[tuple[dict[str, Any], Article]]:
    query = (
        select(deliveries, articles)
        .join(articles, articles.c.id == deliveries.c.article_id)
        .where(
            and_(
                deliveries.c.target == target,
                deliveries.c.state.in_(ledger.RETRYABLE),
                deliveries.c.next_attempt_at.is_not(None),
                deliveries.c.next_attempt_at <= now,
            )
        )
    )
    for row in conn.execute(query):
        mapping = row._mapping
        delivery = {c.name: mapping[deliveries.c[c.name]] for c in deliveries.columns}
        article = row_to_article({c.name: mapping[articles.c[c.name]] for c in articles.columns})
        yield delivery, article


# -- recording ---------------------------------------------------------------------


def _register(
    conn: Connection, target: TargetConfig, added_at: datetime, watermark: datetime | None, now: datetime
) -> bool:
    """Insert the target's row; False when another planner registered it first."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(targets).values(
                    name=target.name, type=target.type, added_at=added_at, watermark=watermark, planned_at=now
                )
            )
    except IntegrityError:
        return False
    return True


def _unchanged(row: dict[str, Any], decision: Decision) -> bool:
    if decision.state == "pending":
        return row["state"] in ledger.RETRYABLE and row["action"] == decision.action
    return row["state"] == decision.state and row["action"] == decision.action and row["reason"] == decision.reason


def _record(conn: Connection, target: TargetConfig, item: _Item, now: datetime, summary: PlanSummary) -> None:
    """Upsert the ledger row ``item`` calls for, in the caller's transaction."""
    decision = item.decision
    if decision.state is None or decision.action == "none":
        summary.unchanged += 1
        return
    row = item.row
    if row is not None and _unchanged(row, decision):
        summary.unchanged += 1
        return
    pending = decision.state == "pending"
    values: dict[str, Any] = {
        "state": decision.state,
        "action": decision.action,
        "reason": decision.reason,
        "next_attempt_at": now if pending else None,
        "updated_at": now,
    }
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(deliveries).values(
                        id=ledger.delivery_id(item.article.id, target.name),
                        article_id=item.article.id,
                        target=target.name,
                        attempts=0,
                        created_at=now,
                        **values,
                    )
                )
        except IntegrityError:
            summary.unchanged += 1
            return
    else:
        if row["action"] != decision.action:
            values.update(attempts=0, last_error=None)
        result = conn.execute(
            update(deliveries)
            .where(and_(deliveries.c.id == row["id"], deliveries.c.state == row["state"]))
            .values(**values)
        )
        if result.rowcount != 1:  # claimed meanwhile: the next plan looks again
            summary.unchanged += 1
            return
    if decision.state == "blocked":
        summary.blocked += 1
    elif decision.state == "held":
        summary.held += 1
    elif decision.action == "create":
        summary.creates += 1
    elif decision.action == "update":
        summary.updates += 1
    elif decision.action == "delete":
        summary.deletes += 1
