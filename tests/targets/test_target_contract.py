"""The same contract for every target, each against its real (or protocol-speaking) server:
create, a second pass sends nothing, edit → update, withdrawal → delete, reconcile after a crash,
rate limit, permanent error, blocked by terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crosspost_helpers import (
    T0,
    edit_article,
    later,
    make_article,
    make_config,
    row_for,
    set_row,
    store_article,
    withdraw_article,
)
from sqlalchemy import Engine
from target_harness import RETRY_WAIT, Harness

from syndicate.config import Config
from syndicate.crosspost import deliver, plan
from syndicate.crosspost.delivery import build_target, post_for
from syndicate.crosspost.ledger import delivery_id
from syndicate.models import Article, Rights


def _setup(engine: Engine, tmp_path: Path, target: dict[str, object], at: datetime = T0) -> tuple[Config, Article]:
    config = make_config(tmp_path, [target])
    plan(engine, config, now=at - timedelta(minutes=5))  # first sight: the target is registered
    article = store_article(engine, make_article(), first_seen=at)
    plan(engine, config, now=at)
    return config, article


def test_create_update_delete(harness: Harness, engine: Engine, tmp_path: Path) -> None:
    config, article = _setup(engine, tmp_path, harness.target(delete=True))
    result = deliver(engine, config, now=later(1))
    assert (result.delivered, result.failed, result.errors) == (1, 0, [])
    row = row_for(engine, article.id, "t")
    assert row["state"] == "delivered" and row["remote_id"]
    assert harness.count(article) == 1
    body = harness.content(article, row["remote_id"])
    assert "Jane Writer" in body and article.url in body  # the attribution block

    assert plan(engine, config, now=later(2)).creates == 0
    again = deliver(engine, config, now=later(2))
    assert (again.delivered, again.updated, again.failed) == (0, 0, 0)
    assert harness.count(article) == 1

    edited = edit_article(engine, article, content_html="<p>The corrected text, EDITED-MARKER.</p>", at=later(3))
    assert plan(engine, config, now=later(4)).updates == 1
    updated = deliver(engine, config, now=later(4))
    assert (updated.updated, updated.errors) == (1, [])
    row = row_for(engine, article.id, "t")
    assert row["delivered_hash"] == edited.content_hash
    if harness.type != "mastodon":  # a status carries the link, not the text
        assert "EDITED-MARKER" in harness.content(article, row["remote_id"])
    assert harness.count(article) == 1

    withdraw_article(engine, article, at=later(5))
    planned = plan(engine, config, now=later(6))
    if harness.supports_delete:
        assert planned.deletes == 1
        assert deliver(engine, config, now=later(6)).deleted == 1
        assert harness.count(article) == 0
        assert row_for(engine, article.id, "t")["action"] == "delete"
    else:
        assert planned.deletes == 0


def test_reconcile_after_crash(harness: Harness, engine: Engine, tmp_path: Path) -> None:
    """The post was made but the answer never reached the ledger (state left in `sending`)."""
    config, article = _setup(engine, tmp_path, harness.target())
    target_config = config.target[0]
    target = build_target(target_config, config)
    delivery = delivery_id(article.id, "t")
    made = target.publish(post_for(config, target_config, target, article, delivery))
    target.close()
    set_row(engine, article.id, "t", state="sending", sending_since=later(1), attempts=1,
            sending_hash=article.content_hash)
    assert harness.count(article) == 1

    result = deliver(engine, config, now=later(30))
    row = row_for(engine, article.id, "t")
    assert row["state"] == "delivered"
    if harness.reconcile == "find":
        assert result.reconciled == 1 and result.delivered == 0
        assert row["remote_id"] == made.id
        assert harness.count(article) == 1
    elif harness.reconcile == "idempotent":  # sent again with the same Idempotency-Key: deduplicated
        assert result.delivered == 1 and harness.count(article) == 1
    else:  # SMTP cannot be asked: the message is sent again with the same Message-ID
        assert result.delivered == 1
        ids = {m["Message-ID"] for m in harness.server.messages}
        assert ids == {made.id} and harness.count(article) == 2
    assert deliver(engine, config, now=later(31)).delivered == 0


def test_rate_limited_waits_as_told(harness: Harness, engine: Engine, tmp_path: Path) -> None:
    if harness.throttle_state is None:
        pytest.skip(f"{harness.type} has no rate limit")
    now = datetime.now(UTC).replace(microsecond=0)
    config, article = _setup(engine, tmp_path, harness.target(), at=now)
    harness.throttle()
    result = deliver(engine, config, now=now)
    assert result.delivered == 0
    row = row_for(engine, article.id, "t")
    assert row["state"] == harness.throttle_state
    retry_at = row["next_attempt_at"].replace(tzinfo=UTC)
    if harness.throttle_state == "pending":  # the server said how long: honoured
        assert retry_at >= now + timedelta(seconds=RETRY_WAIT - 2)
        assert "429" in row["last_error"]
    else:
        assert retry_at > now
    assert harness.count(article) == 0
    assert deliver(engine, config, now=now + timedelta(seconds=10)).delivered == 0  # not due yet
    assert deliver(engine, config, now=retry_at + timedelta(seconds=1)).delivered == 1
    assert harness.count(article) == 1


def test_permanent_error_is_not_retried(harness: Harness, engine: Engine, tmp_path: Path) -> None:
    config, article = _setup(engine, tmp_path, harness.bad_target())
    result = deliver(engine, config, now=later(1))
    assert result.failed == 1 and len(result.errors) == 1
    assert result.errors[0].startswith("t: ")
    row = row_for(engine, article.id, "t")
    assert row["state"] == "failed" and row["next_attempt_at"] is None and row["attempts"] == 1
    for secret in ("abcd efgh", "ababab", "wrong-key-0000", "expired-token-0000", "revoked-token-0000",
                   "not-the-shared-secret"):
        assert secret not in row["last_error"]
    later_pass = deliver(engine, config, now=later(24 * 60))
    assert later_pass.failed == 0 and row_for(engine, article.id, "t")["attempts"] == 1
    assert harness.count(article) == 0


def test_blocked_by_terms_sends_nothing(harness: Harness, engine: Engine, tmp_path: Path) -> None:
    nc = Rights(holder="Outlet", license="CC-BY-NC-4.0", conditions=("attribution", "noncommercial"))
    config = make_config(tmp_path, [harness.target(commercial=True)])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(rights=nc), first_seen=later(1))
    assert plan(engine, config, now=later(1)).blocked == 1
    result = deliver(engine, config, now=later(1))
    assert (result.delivered, result.blocked) == (0, 1)
    row = row_for(engine, article.id, "t")
    assert row["state"] == "blocked" and "noncommercial" in row["reason"]
    assert harness.count(article) == 0
