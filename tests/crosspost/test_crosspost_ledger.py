"""The ledger: claims are exclusive, retries back off, JSON rows for the CLI, the schema matches migration 0002."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest
from crosspost_helpers import T0, later, make_article, make_config, row_for, set_row, store_article
from sqlalchemy import Engine

from syndicate.config import Config
from syndicate.crosspost import deliver, plan
from syndicate.crosspost.delivery import MAX_ATTEMPTS, retry_delay
from syndicate.crosspost.ledger import JSON_FIELDS, claim, counts_by_target, delivery_id, list_deliveries
from syndicate.models import Article


def _pending(engine: Engine, tmp_path: Path) -> tuple[Config, Article]:
    config = make_config(tmp_path, [{"name": "site", "type": "files", "path": "out"}])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    return config, article


def test_delivery_id_is_stable_and_distinct() -> None:
    assert delivery_id("a", "t") == delivery_id("a", "t")
    assert len({delivery_id("a", "t"), delivery_id("a", "u"), delivery_id("b", "t")}) == 3
    assert len(delivery_id("a", "t")) == 32


def test_only_one_claim_wins(engine: Engine, tmp_path: Path) -> None:
    _, article = _pending(engine, tmp_path)
    delivery = delivery_id(article.id, "site")
    assert claim(engine, delivery, later(2), article.content_hash)
    assert not claim(engine, delivery, later(2), article.content_hash)
    row = row_for(engine, article.id, "site")
    assert row["state"] == "sending" and row["attempts"] == 1 and row["sending_hash"] == article.content_hash


def test_claim_respects_the_due_time(engine: Engine, tmp_path: Path) -> None:
    _, article = _pending(engine, tmp_path)
    set_row(engine, article.id, "site", next_attempt_at=later(60))
    assert not claim(engine, delivery_id(article.id, "site"), later(2), None)
    assert claim(engine, delivery_id(article.id, "site"), later(61), None)


def test_a_fresh_sending_row_of_another_worker_is_left_alone(engine: Engine, tmp_path: Path) -> None:
    config, article = _pending(engine, tmp_path)
    set_row(engine, article.id, "site", state="sending", sending_since=later(2))
    result = deliver(engine, config, now=later(2.5))
    assert (result.delivered, result.reconciled) == (0, 0)
    assert row_for(engine, article.id, "site")["state"] == "sending"


def test_retry_delay_backs_off_with_jitter_and_honours_the_server() -> None:
    low = [retry_delay(n, None, max_backoff=3600, rng=lambda: 0.0) for n in range(1, 8)]
    high = [retry_delay(n, None, max_backoff=3600, rng=lambda: 1.0) for n in range(1, 8)]
    assert low == [48.0, 96.0, 192.0, 384.0, 768.0, 1536.0, 2880.0]
    assert high[-1] == pytest.approx(3600 * 1.2) and all(h > lo for h, lo in zip(high, low, strict=True))
    assert retry_delay(3, 600.0, max_backoff=60, rng=lambda: 0.5) == 630.0


def test_transient_failures_are_retried_then_given_up(engine: Engine, tmp_path: Path) -> None:
    """README: "After 12 transient failures in a row a delivery is given up" — not after 11, not after 13.

    Mutations killed: ``MAX_ATTEMPTS`` other than 12; ``attempts >= MAX_ATTEMPTS`` made ``>`` (a 13th try)
    or ``attempts + 1 >=`` (given up after 11)."""
    assert MAX_ATTEMPTS == 12
    # a folder that vanishes is permanent for the files target; use a webhook that is down instead
    config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/down"}])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    now = later(1)
    result = deliver(engine, config, now=now)
    assert result.failed == 1 and "retry at" in result.errors[0]
    row = row_for(engine, article.id, "hook")
    assert row["state"] == "failed" and row["attempts"] == 1
    assert row["next_attempt_at"].replace(tzinfo=UTC) > now
    for attempt in range(2, 13):
        assert row_for(engine, article.id, "hook")["state"] == "failed"
        now = row_for(engine, article.id, "hook")["next_attempt_at"].replace(tzinfo=UTC) + timedelta(seconds=1)
        deliver(engine, config, now=now)
        row = row_for(engine, article.id, "hook")
        assert row["attempts"] == attempt
        assert (row["next_attempt_at"] is None) == (attempt == 12), f"given up after {attempt} failures"
    row = row_for(engine, article.id, "hook")
    assert row["attempts"] == 12 and row["next_attempt_at"] is None and "gave up" in row["last_error"]
    assert deliver(engine, config, now=now + timedelta(days=30)).failed == 0  # never tried again
    assert row_for(engine, article.id, "hook")["attempts"] == 12


def test_list_deliveries_and_counts(engine: Engine, tmp_path: Path) -> None:
    config, article = _pending(engine, tmp_path)
    (row,) = list_deliveries(engine)
    assert tuple(row) == JSON_FIELDS
    assert row["id"] == delivery_id(article.id, "site") and row["state"] == "pending"
    assert row["next_attempt_at"].endswith("Z") and row["updated_at"].endswith("Z")
    assert list_deliveries(engine, target="other") == [] and list_deliveries(engine, state="delivered") == []
    assert counts_by_target(engine) == {"site": {"pending": 1}}
    deliver(engine, config, now=later(2))
    assert counts_by_target(engine) == {"site": {"delivered": 1}}
    (row,) = list_deliveries(engine, state="delivered")
    assert row["remote_id"].endswith(".md") and row["remote_url"].startswith("file://")


def test_schema_matches_the_migrations(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from syndicate.store.schema import metadata

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    mine = [d for d in diff if any(name in repr(d) for name in ("deliveries", "'targets'"))]
    assert mine == []
