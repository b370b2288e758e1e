"""Delivering what the ledger says is due, exactly once.

Per enabled target:

1. **Reconcile** rows left in ``sending`` (a crash between the request and the
   record): those whose owner process is dead, at once (an owner on another
   host: after ``SENDING_STALE``; a live owner's row is left alone). Ask the
   target whether the post exists (``find`` by the handle derived from the
   delivery id) and record it as delivered, or put the row back to
   ``pending``. Nothing is re-sent before this.
2. **Pace**: at most ``max_per_hour`` requests per target per hour.
3. **Claim** each due row with a conditional UPDATE (intent recorded and
   committed: ``sending``, ``sending_since``, ``sending_owner``, attempts+1), send, and record
   the result right after: ``delivered`` with the remote id/url and the hash
   sent, or ``pending``/``failed`` with ``next_attempt_at`` (exponential
   backoff with jitter, honouring Retry-After / X-RateLimit-Reset), or
   ``failed`` for good (401/403/422 and the like: no retry).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from syndicate.config import Config, TargetConfig
from syndicate.crosspost import ledger
from syndicate.crosspost.planner import enabled_targets
from syndicate.crosspost.render import render_post, template_spec
from syndicate.crosspost.terms import effective_terms, source_terms_for
from syndicate.errors import PermanentTargetError, TargetError, TransientTargetError
from syndicate.models import Article
from syndicate.ownership import new_owner
from syndicate.redact import scrub
from syndicate.store.codec import row_to_article
from syndicate.store.schema import articles, deliveries
from syndicate.targets.base import Post, Remote, Target
from syndicate.targets.registry import target_class

log = logging.getLogger("syndicate.crosspost")

BASE_DELAY = 60.0  # first retry after about a minute
MAX_ATTEMPTS = 12  # transient failures in a row before a delivery is given up

# the tokens of the delivery passes running in this process: a `sending` row owned by this process
# under another token was left behind by an earlier pass (an error that escaped it)
_live_tokens: set[str] = set()
_live_lock = threading.Lock()


@contextmanager
def _pass_owner() -> Iterator[str]:
    """The owner written on the rows this pass sends (this process, a token of its own)."""
    owner = new_owner()
    with _live_lock:
        _live_tokens.add(owner.token)
    try:
        yield str(owner)
    finally:
        with _live_lock:
            _live_tokens.discard(owner.token)


def live_tokens() -> frozenset[str]:
    with _live_lock:
        return frozenset(_live_tokens)


@dataclass
class DeliverySummary:
    delivered: int = 0  # created this pass
    updated: int = 0
    deleted: int = 0
    failed: int = 0  # failures this pass
    blocked: int = 0  # rows in the ledger now
    held: int = 0
    pending: int = 0
    reconciled: int = 0  # crashed sends found on the target and recorded
    rate_limited: int = 0
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "updated": self.updated,
            "deleted": self.deleted,
            "failed": self.failed,
            "blocked": self.blocked,
            "held": self.held,
            "pending": self.pending,
            "reconciled": self.reconciled,
            "rate_limited": self.rate_limited,
            "dry_run": self.dry_run,
            "errors": list(self.errors),
        }


def retry_delay(
    attempts: int,
    retry_after: float | None,
    *,
    max_backoff: float,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds until the next try: the server's word plus up to 10 %, else exponential backoff ±20 %."""
    if retry_after is not None:
        return max(1.0, retry_after) * (1.0 + 0.1 * rng())
    delay = min(max_backoff, BASE_DELAY * 2 ** max(0, attempts - 1))
    return delay * (0.8 + 0.4 * rng())


def build_target(target: TargetConfig, config: Config) -> Target:
    """A target object from its configuration (options validated)."""
    cls = target_class(target.type)
    settings = config.syndicate
    return cls(
        target,
        user_agent=settings.user_agent,
        timeout=(settings.connect_timeout, settings.read_timeout),
        base_dir=config.base_dir,
    )


def deliver(
    engine: Engine,
    config: Config,
    *,
    now: datetime,
    dry_run: bool = False,
    deadline: float | None = None,
) -> DeliverySummary:
    """Send what is due. ``deadline`` is a :func:`time.monotonic` instant after which no new send starts."""
    now = ledger.as_utc(now)
    if not dry_run:
        config.require_secrets()  # a configuration loaded without its secrets never sends
    summary = DeliverySummary(dry_run=dry_run)
    active = enabled_targets(config)
    with _pass_owner() as owner:
        _deliver_targets(engine, config, active, owner, now, summary, dry_run, deadline)
    if not dry_run:
        with engine.connect() as conn:
            counts = ledger.count_states(conn, (t.name for t in active))
        summary.blocked, summary.held, summary.pending = counts["blocked"], counts["held"], counts["pending"]
    return summary


def _deliver_targets(
    engine: Engine,
    config: Config,
    active: list[TargetConfig],
    owner: str,
    now: datetime,
    summary: DeliverySummary,
    dry_run: bool,
    deadline: float | None,
) -> None:
    for target_config in active:
        if _past(deadline):
            break
        if dry_run:
            with engine.connect() as conn:
                summary.pending += len(ledger.due_ids(conn, target_config.name, now, None))
            continue
        try:
            target = build_target(target_config, config)
        except TargetError as exc:
            summary.errors.append(scrub(str(exc)))
            continue
        try:
            _Deliverer(engine, config, target_config, target, now, summary, deadline, owner).run()
        except Exception as exc:  # a bug in one target must not stop the others
            log.exception("delivering to %s crashed", target_config.name)
            summary.errors.append(scrub(f"{target_config.name}: internal error: {type(exc).__name__}: {exc}")[:300])
        finally:
            target.close()


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


class _Deliverer:
    """One target's share of a delivery pass."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        target_config: TargetConfig,
        target: Target,
        now: datetime,
        summary: DeliverySummary,
        deadline: float | None,
        owner: str,
    ):
        self.engine = engine
        self.owner = owner
        self.config = config
        self.target_config = target_config
        self.target = target
        self.name = target_config.name
        self.now = now
        self.summary = summary
        self.deadline = deadline
        self.spec = template_spec(target_config, config.base_dir)
        self.content_mode = target.content_mode_for(target_config.options)
        self._max_chars: int | None = None
        self._max_chars_known = False

    def run(self) -> None:
        self.reconcile()
        with self.engine.connect() as conn:
            budget: int | None = None
            if self.target_config.max_per_hour is not None:
                used = ledger.sent_within(conn, self.name, ledger.one_hour_before(self.now))
                budget = max(0, self.target_config.max_per_hour - used)
                if budget == 0:
                    return
            ids = ledger.due_ids(conn, self.name, self.now, budget)
        for delivery in ids:
            if _past(self.deadline):
                return
            if not self.send(delivery):
                return  # rate limited: the rest waits for the next pass

    # -- reconciliation --------------------------------------------------------

    def reconcile(self) -> None:
        with self.engine.connect() as conn:
            left = ledger.left_behind(conn, self.name, self.now, live_tokens)  # read after the rows: see there
        for row in left:
            if not ledger.take_over(self.engine, row, self.now, self.owner):
                continue
            article = self.article(row.article_id)
            if article is None:
                ledger.fail(self.engine, row.id, self.now, error=self._gone(), retry_at=None)
                continue
            try:
                post = self.post(row.id, article)
                found = self.target.find(post)
            except Exception as exc:  # TargetError, or an answer we could not read: ask again next pass
                text = str(exc) if isinstance(exc, TargetError) else f"{type(exc).__name__}: {exc}"
                ledger.keep_sending(self.engine, row.id, self.now, f"reconcile: {text}")
                self.summary.errors.append(scrub(f"{self.name}: could not check a crashed delivery: {text}")[:300])
                continue
            if row.action == "create" and found is not None:
                ledger.finish(
                    self.engine,
                    row.id,
                    self.now,
                    action="create",
                    remote_id=found.id,
                    remote_url=found.url,
                    remote_meta=found.meta,
                    delivered_hash=row.sending_hash or article.content_hash,
                )
                self.summary.reconciled += 1
                self._log(row.id, "reconciled", found.id)
            elif row.action == "delete" and found is None and self.target.can_find:
                ledger.finish(
                    self.engine, row.id, self.now, action="delete", remote_id=None, remote_url=None,
                    remote_meta=None, delivered_hash=None,
                )
                self.summary.reconciled += 1
            else:
                note = None if found is None else "reconciled: the post exists; sending the change again"
                ledger.back_to_pending(self.engine, row.id, self.now, note=note)

    # -- sending ---------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        return row_to_article(dict(row._mapping)) if row is not None else None

    def max_chars(self) -> int | None:
        if not self._max_chars_known:
            self._max_chars = self.target.max_chars()
            self._max_chars_known = True
        return self._max_chars

    def post(self, delivery: str, article: Article) -> Post:
        return render_post(
            article,
            self.target_config,
            delivery_id=delivery,
            block_format=self.target.block_format,
            content_mode=self.content_mode,
            terms=effective_terms(article, source_terms_for(article, self.config)),
            spec=self.spec,
            max_chars=self.max_chars() if self.target.block_format == "text" else None,
        )

    def send(self, delivery: str) -> bool:
        """Claim, send and record one delivery; False when the target asked us to slow down."""
        with self.engine.connect() as conn:
            row = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
        if row is None:
            return True
        article = self.article(row.article_id)
        if not ledger.claim(self.engine, delivery, self.now, article.content_hash if article else None, self.owner):
            return True  # someone else took it
        with self.engine.connect() as conn:  # ours now: read what is owed again (a plan may have changed it)
            row = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
        assert row is not None
        if article is None:
            ledger.fail(self.engine, delivery, self.now, error=self._gone(), retry_at=None)
            self.summary.failed += 1
            return True
        attempts = row.attempts  # counted by the claim
        try:
            post = self.post(delivery, article)
            remote = Remote(row.remote_id, row.remote_url, dict(row.remote_meta or {})) if row.remote_id else None
            action = row.action
            if action == "update" and remote is None:
                action = "create"
            if action == "create":
                made = self.target.publish(post)
                self._finish(delivery, "create", made, post.content_hash)
                self.summary.delivered += 1
            elif action == "update":
                assert remote is not None
                made = self.target.update(post, remote)
                self._finish(delivery, "update", made, post.content_hash)
                self.summary.updated += 1
            elif action == "delete":
                if remote is not None:
                    self.target.delete(post, remote)
                ledger.finish(
                    self.engine, delivery, self.now, action="delete", remote_id=None, remote_url=None,
                    remote_meta=None, delivered_hash=None,
                )
                self.summary.deleted += 1
            else:
                raise PermanentTargetError(f"{self.name}: unknown action {action!r}", target=self.name)
            self._log(delivery, action, None)
            return True
        except TransientTargetError as exc:
            return self._transient(delivery, attempts, exc)
        except PermanentTargetError as exc:
            message = scrub(str(exc))
            ledger.fail(self.engine, delivery, self.now, error=message, retry_at=None)
            self.summary.failed += 1
            self.summary.errors.append(message)
            self._log(delivery, "failed", message)
            return True
        except Exception as exc:  # a template or target bug: record it, keep going with the others
            message = scrub(f"{self.name}: {type(exc).__name__}: {exc}").splitlines()[0]
            ledger.fail(self.engine, delivery, self.now, error=message, retry_at=None)
            self.summary.failed += 1
            self.summary.errors.append(message)
            log.exception("delivery %s to %s crashed", delivery, self.name)
            return True

    def _gone(self) -> str:
        return f"{self.name}: the article is no longer stored"

    def _finish(self, delivery: str, action: str, made: Remote, content_hash: str) -> None:
        ledger.finish(
            self.engine,
            delivery,
            self.now,
            action=action,
            remote_id=made.id,
            remote_url=made.url,
            remote_meta=made.meta,
            delivered_hash=content_hash,
        )

    def _transient(self, delivery: str, attempts: int, exc: TransientTargetError) -> bool:
        message = scrub(str(exc))
        rate_limited = exc.status == 429
        if attempts >= MAX_ATTEMPTS and not rate_limited:
            message = f"{message} (gave up after {attempts} attempts)"
            ledger.fail(self.engine, delivery, self.now, error=message, retry_at=None)
            self.summary.failed += 1
            self.summary.errors.append(message)
            return True
        delay = retry_delay(attempts, exc.retry_after, max_backoff=self.config.syndicate.max_backoff)
        retry_at = self.now + timedelta(seconds=delay)
        if rate_limited:
            ledger.fail(self.engine, delivery, self.now, error=message, retry_at=retry_at, state="pending")
            self.summary.rate_limited += 1
            self._log(delivery, "rate-limited", message)
            return False
        ledger.fail(self.engine, delivery, self.now, error=message, retry_at=retry_at)
        self.summary.failed += 1
        self.summary.errors.append(f"{message} (retry at {retry_at:%Y-%m-%d %H:%M:%S}Z)")
        self._log(delivery, "retry", message)
        return True

    def _log(self, delivery: str, outcome: str, detail: str | None) -> None:
        log.info(
            "delivery %s to %s: %s%s",
            delivery,
            self.name,
            outcome,
            f" ({detail})" if detail else "",
            extra={"ev_event": "delivery", "ev_target": self.name, "ev_delivery": delivery, "ev_outcome": outcome},
        )


def post_for(config: Config, target_config: TargetConfig, target: Target, article: Article, delivery: str) -> Post:
    """The crosspost of ``article`` as ``deliver`` would send it to ``target``."""
    return render_post(
        article,
        target_config,
        delivery_id=delivery,
        block_format=target.block_format,
        content_mode=target.content_mode_for(target_config.options),
        terms=effective_terms(article, source_terms_for(article, config)),
        spec=template_spec(target_config, config.base_dir),
        max_chars=target.max_chars() if target.block_format == "text" else None,
    )


__all__ = ["DeliverySummary", "build_target", "deliver", "post_for", "retry_delay"]
