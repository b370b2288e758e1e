"""What a pass records for each answer a target gives (``crosspost/delivery.py``), in process, against
a real webhook receiver on 127.0.0.1 told to answer 503, 429 or 400: the ledger row, the summary and
its JSON (what ``sync --json`` prints), exactly (docs/mutation-report.md)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))

from crosspost_helpers import T0, later, make_article, make_config, row_for, set_row, store_article
from target_servers.base import Reply
from target_servers.webhook import WebhookReceiver

from syndicate.crosspost import deliver, plan
from syndicate.crosspost.delivery import MAX_ATTEMPTS, DeliverySummary, retry_delay
from syndicate.crosspost.ledger import delivery_id
from syndicate.store.schema import articles


def planned(engine: Engine, tmp_path: Path, receiver: WebhookReceiver, count: int = 1, **target: Any) -> list[str]:
    config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": receiver.hook, **target}])
    plan(engine, config, now=T0)
    ids = [store_article(engine, make_article(f"art{n}", title=f"Story {n}", published=later(n)),
                        first_seen=later(1)).id for n in range(count)]
    plan(engine, config, now=later(1))
    return ids


def config_of(tmp_path: Path, receiver: WebhookReceiver, **target: Any) -> Any:
    return make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": receiver.hook, **target}])


def as_utc(value: Any) -> Any:
    return value.replace(tzinfo=UTC) if value is not None else None


def test_a_503_is_retried_after_the_server_s_delay_and_reported(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills ``_Deliverer._transient`` / ``send`` / ``to_json`` survivors on the retry path."""
    (article,) = planned(engine, tmp_path, receiver)
    config = config_of(tmp_path, receiver)
    receiver.answer_next(Reply(503, "down for maintenance", {"Retry-After": "120"}))
    now = later(2)
    summary = deliver(engine, config, now=now)
    row = row_for(engine, article, "hook")
    assert row["state"] == "failed" and row["attempts"] == 1
    retry_at = as_utc(row["next_attempt_at"])
    assert now + timedelta(seconds=120) <= retry_at <= now + timedelta(seconds=132)  # Retry-After + up to 10 %
    assert row["last_error"] == "hook: POST /hooks/syndicate: HTTP 503"
    assert summary.to_json() == {
        "delivered": 0, "updated": 0, "deleted": 0, "failed": 1, "blocked": 0, "held": 0, "pending": 0,
        "reconciled": 0, "rate_limited": 0, "dry_run": False,
        "errors": [f"{row['last_error']} (retry at {retry_at:%Y-%m-%d %H:%M:%S}Z)"],
    }
    assert deliver(engine, config, now=retry_at - timedelta(seconds=1)).to_json()["failed"] == 0  # not yet due
    again = deliver(engine, config, now=retry_at)
    assert (again.delivered, again.failed, again.errors) == (1, 0, [])
    assert row_for(engine, article, "hook")["state"] == "delivered"


def test_a_429_puts_the_delivery_back_and_stops_the_target_for_this_pass(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills ``_transient`` survivors on the rate-limit path: pending (not failed), not counted as a
    failure, never given up, and the other deliveries wait for the next pass."""
    ids = planned(engine, tmp_path, receiver, count=2)
    config = config_of(tmp_path, receiver)
    receiver.answer_next(Reply(429, "slow down", {"Retry-After": "60"}))
    now = later(2)
    summary = deliver(engine, config, now=now)
    assert (summary.rate_limited, summary.failed, summary.delivered, summary.errors) == (1, 0, 0, [])
    assert len(receiver.requests) == 1  # the second delivery was not tried in this pass
    rows = [row_for(engine, a, "hook") for a in ids]
    limited = next(r for r in rows if r["last_error"])
    assert limited["state"] == "pending" and limited["last_error"] == "hook: POST /hooks/syndicate: HTTP 429"
    assert now + timedelta(seconds=60) <= as_utc(limited["next_attempt_at"]) <= now + timedelta(seconds=66)
    untouched = next(r for r in rows if r is not limited)
    assert untouched["state"] == "pending" and untouched["attempts"] == 0

    set_row(engine, ids[0], "hook", attempts=MAX_ATTEMPTS, next_attempt_at=later(3))
    set_row(engine, ids[1], "hook", next_attempt_at=later(4))
    receiver.answer_next(Reply(429, "slow down", {"Retry-After": "60"}))
    late = deliver(engine, config, now=later(5))
    row = row_for(engine, ids[0], "hook")
    assert row["state"] == "pending" and row["attempts"] == MAX_ATTEMPTS + 1  # a 429 is never given up
    assert (late.rate_limited, late.failed, late.errors) == (1, 0, [])


def test_the_last_transient_failure_gives_up_and_says_so(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills ``_transient`` survivors on the give-up path (the message, no retry time, the summary)."""
    (article,) = planned(engine, tmp_path, receiver)
    config = config_of(tmp_path, receiver)
    set_row(engine, article, "hook", state="failed", attempts=MAX_ATTEMPTS - 1, next_attempt_at=later(1))
    receiver.answer_next(Reply(503, "still down"))
    summary = deliver(engine, config, now=later(2))
    message = f"hook: POST /hooks/syndicate: HTTP 503 (gave up after {MAX_ATTEMPTS} attempts)"
    row = row_for(engine, article, "hook")
    assert (row["state"], row["attempts"], row["next_attempt_at"], row["last_error"]) == (
        "failed", MAX_ATTEMPTS, None, message)
    assert (summary.failed, summary.errors, summary.rate_limited) == (1, [message], 0)


def test_a_permanent_error_and_a_crashing_template_fail_the_delivery_for_good(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills ``send`` survivors on the permanent-error and the unexpected-exception paths."""
    ids = planned(engine, tmp_path, receiver, count=1)
    config = config_of(tmp_path, receiver)
    receiver.answer_next(Reply(400, "bad request"))
    summary = deliver(engine, config, now=later(2))
    message = "hook: POST /hooks/syndicate: HTTP 400"
    row = row_for(engine, ids[0], "hook")
    assert (row["state"], row["attempts"], row["next_attempt_at"], row["last_error"]) == ("failed", 1, None, message)
    assert (summary.failed, summary.errors) == (1, [message])

    broken = config_of(tmp_path, receiver, template="{{ 1 / 0 }}")
    set_row(engine, ids[0], "hook", state="pending", next_attempt_at=later(2))
    crashed = deliver(engine, broken, now=later(3))
    message = "hook: ZeroDivisionError: division by zero"
    row = row_for(engine, ids[0], "hook")
    assert (row["state"], row["next_attempt_at"], row["last_error"]) == ("failed", None, message)
    assert (crashed.failed, crashed.errors) == (1, [message])
    assert len(receiver.requests) == 1  # nothing was sent for the broken template


def test_an_article_no_longer_stored_fails_without_a_send(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills ``send`` survivors on the vanished-article path."""
    (article,) = planned(engine, tmp_path, receiver)
    with engine.begin() as conn:
        conn.execute(delete(articles).where(articles.c.id == article))
    summary = deliver(engine, config_of(tmp_path, receiver), now=later(2))
    row = row_for(engine, article, "hook")
    assert (row["state"], row["next_attempt_at"], row["last_error"]) == (
        "failed", None, "hook: the article is no longer stored")
    assert (summary.failed, summary.errors, receiver.requests) == (1, [], [])


def test_an_update_without_a_remote_post_is_sent_as_a_create(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills the ``action == "update" and remote is None`` survivors of ``send``."""
    (article,) = planned(engine, tmp_path, receiver)
    set_row(engine, article, "hook", action="update", remote_id=None)
    summary = deliver(engine, config_of(tmp_path, receiver), now=later(2))
    assert (summary.delivered, summary.updated) == (1, 0)
    assert [e["event"] for e in receiver.events] == ["create"]
    row = row_for(engine, article, "hook")
    assert (row["state"], row["action"], row["remote_id"]) == ("delivered", "create", "1")
    assert row["id"] == delivery_id(article, "hook")


def test_an_empty_summary() -> None:
    assert DeliverySummary().to_json() == {
        "delivered": 0, "updated": 0, "deleted": 0, "failed": 0, "blocked": 0, "held": 0, "pending": 0,
        "reconciled": 0, "rate_limited": 0, "dry_run": False, "errors": []}


def test_a_dry_run_counts_what_is_due_on_every_target(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_deliver_targets``' ``summary.pending += …`` made ``=`` (only the last target counted)."""
    targets = [{"name": name, "type": "files", "path": str(tmp_path / name)} for name in ("one", "two")]
    config = make_config(tmp_path, targets)
    plan(engine, config, now=T0)
    for n in range(3):
        store_article(engine, make_article(f"d{n}"), first_seen=later(1))
    plan(engine, config, now=later(1))
    set_row(engine, "d0", "two", state="failed", next_attempt_at=later(50))  # not due yet
    summary = deliver(engine, config, now=later(2), dry_run=True)
    assert (summary.dry_run, summary.pending, summary.delivered) == (True, 5, 0)


def test_the_server_s_delay_is_at_least_a_second() -> None:
    """Kills ``retry_delay``'s floor changed (``max(1.0, retry_after)``)."""
    assert retry_delay(1, 0.2, max_backoff=3600, rng=lambda: 0.0) == 1.0
    assert retry_delay(1, 0.2, max_backoff=3600, rng=lambda: 1.0) == pytest.approx(1.1)
    assert retry_delay(1, 30.0, max_backoff=3600, rng=lambda: 0.5) == pytest.approx(31.5)


def test_several_failures_in_one_pass_are_counted_logged_and_do_not_stop_the_pass(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Kills ``_transient``'s counters made ``= 1``, its ``return True`` made ``False`` (the pass would
    stop after a retryable failure) and the log events' fields."""
    ids = planned(engine, tmp_path, receiver, count=3)
    config = config_of(tmp_path, receiver)
    for _ in range(2):
        receiver.answer_next(Reply(503, "down"))
    set_row(engine, ids[2], "hook", attempts=MAX_ATTEMPTS - 1)
    receiver.answer_next(Reply(503, "down"))  # the third: its last try
    with caplog.at_level(logging.INFO, logger="syndicate.crosspost"):
        summary = deliver(engine, config, now=later(2))
    assert (summary.failed, summary.delivered, len(receiver.requests)) == (3, 0, 3)
    events = sorted((r.ev_delivery, r.ev_outcome, r.getMessage()) for r in caplog.records  # type: ignore[attr-defined]
                    if getattr(r, "ev_event", None) == "delivery")
    retried = sorted(delivery_id(a, "hook") for a in ids[:2])
    assert [e[:2] for e in events] == [(d, "retry") for d in retried]
    assert events[0][2] == f"delivery {events[0][0]} to hook: retry (hook: POST /hooks/syndicate: HTTP 503)"

    for article in ids:
        set_row(engine, article, "hook", state="pending", attempts=0, next_attempt_at=later(3))
    for _ in range(2):
        receiver.answer_next(Reply(429, "slow"))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="syndicate.crosspost"):
        limited = deliver(engine, config, now=later(3))
    assert limited.rate_limited == 1  # the first 429 ends the pass for this target
    (event,) = [r for r in caplog.records if getattr(r, "ev_event", None) == "delivery"]
    assert event.ev_outcome == "rate-limited" and event.ev_delivery in {delivery_id(a, "hook") for a in ids}  # type: ignore[attr-defined]
    assert event.getMessage().endswith(": rate-limited (hook: POST /hooks/syndicate: HTTP 429)")
