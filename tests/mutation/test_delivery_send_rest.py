"""``crosspost/delivery.py``: the last survivors of ``send``, ``_transient`` and ``_deliver_targets``:
what an update records, a rate limit on two targets in one pass, and the lines logged when a
delivery or a whole target crashes. A real webhook receiver on 127.0.0.1, real SQLite files."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))

from crosspost_helpers import T0, edit_article, later, make_article, make_config, row_for, store_article
from target_servers.base import Reply, Request
from target_servers.webhook import WebhookReceiver

from syndicate.crosspost import deliver, plan
from syndicate.crosspost.ledger import claim, delivery_id
from syndicate.store.db import open_engine
from syndicate.store.schema import articles


def hooks(tmp_path: Path, receiver: WebhookReceiver, *names: str, **extra: Any) -> Any:
    return make_config(tmp_path, [{"name": n, "type": "webhook", "url": receiver.hook, **extra} for n in names])


def test_an_update_is_recorded_as_one_and_keeps_the_post_s_address(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Kills ``send`` 105, 106 (the update recorded under another action) and 54 (the stored address not
    handed to the target: the receiver's answer to the update has none, so the row's is kept)."""
    config = hooks(tmp_path, receiver, "hook")
    plan(engine, config, now=T0)
    article = store_article(engine, make_article("a", title="Ferries"), first_seen=later(1))
    plan(engine, config, now=later(1))
    receiver.answer_next(Reply(202, {"id": "p1", "url": "https://hook.example/p1"}))
    assert deliver(engine, config, now=later(1)).delivered == 1
    edit_article(engine, article, content_html="<p>Fares frozen.</p>", at=later(2))
    plan(engine, config, now=later(2))
    assert deliver(engine, config, now=later(2)).updated == 1
    row = row_for(engine, "a", "hook")
    assert (row["state"], row["action"], row["remote_id"], row["remote_url"]) == (
        "delivered", "update", "p1", "https://hook.example/p1")
    assert [e["event"] for e in receiver.events] == ["update"]  # the create was answered by the canned reply


def test_a_rate_limit_on_two_targets_counts_twice(engine: Engine, tmp_path: Path, receiver: WebhookReceiver) -> None:
    """Kills ``_transient`` 49 (``rate_limited = 1``): each target that answers 429 is counted."""
    config = hooks(tmp_path, receiver, "one", "two")
    plan(engine, config, now=T0)
    store_article(engine, make_article("a", title="Ferries"), first_seen=later(1))
    plan(engine, config, now=later(1))
    for _ in range(2):
        receiver.answer_next(Reply(429, "slow down", {"Retry-After": "60"}))
    summary = deliver(engine, config, now=later(2))
    assert (summary.rate_limited, summary.delivered, summary.failed) == (2, 0, 0)


def test_a_crashing_delivery_is_logged_with_its_id_and_target(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Kills ``send`` 195 (the target's name missing from the log line of a crashed delivery)."""
    config = hooks(tmp_path, receiver, "hook", template="{{ 1 / 0 }}")
    plan(engine, config, now=T0)
    store_article(engine, make_article("a", title="Ferries"), first_seen=later(1))
    plan(engine, config, now=later(1))
    with caplog.at_level(logging.ERROR, logger="syndicate"):
        assert deliver(engine, config, now=later(1)).failed == 1
    crashed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert crashed == [f"delivery {delivery_id('a', 'hook')} to hook crashed"]


def test_a_crashing_target_is_logged_and_the_others_go_on(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Kills ``_deliver_targets`` 31 and 33 (the log line of a target whose pass crashed): a stored
    article that cannot be read (its copies are not copies) stops both targets' passes, each logged
    with its name, and each one's error is reported."""
    config = hooks(tmp_path, receiver, "one", "two")
    plan(engine, config, now=T0)
    store_article(engine, make_article("a", title="Ferries"), first_seen=later(1))
    plan(engine, config, now=later(1))
    with engine.begin() as conn:
        conn.execute(update(articles).where(articles.c.id == "a").values(copies=[1]))
    with caplog.at_level(logging.ERROR, logger="syndicate"):
        summary = deliver(engine, config, now=later(1))
    crashed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert crashed == ["delivering to one crashed", "delivering to two crashed"]
    assert [e.split(":")[:2] for e in summary.errors] == [["one", " internal error"], ["two", " internal error"]]
    assert receiver.requests == []


class ClaimingReceiver(WebhookReceiver):
    """A receiver that, while answering the first event, lets another worker claim a second row."""

    def __init__(self, database: str, taken: str) -> None:
        super().__init__()
        self.database, self.taken, self.claimed = database, taken, False

    def handle(self, request: Request) -> Reply:
        if not self.claimed:
            other = open_engine(self.database)  # another process's connection to the same file
            try:
                self.claimed = claim(other, self.taken, later(1), None, "other-worker")
            finally:
                other.dispose()
        return super().handle(request)


def test_a_row_another_worker_took_is_skipped_and_the_pass_goes_on(engine: Engine, tmp_path: Path) -> None:
    """Kills ``send`` 23 (a row someone else claimed taken for a rate limit: the pass stopped): the next
    row is claimed by another worker while the first is being sent; it is skipped, the third is sent."""
    ids = sorted(delivery_id(a, "hook") for a in ("a", "b", "c"))  # the order of due_ids (all due at once)
    with ClaimingReceiver(engine.url.render_as_string(hide_password=False), ids[1]) as receiver:
        config = hooks(tmp_path, receiver, "hook")  # type: ignore[arg-type]
        plan(engine, config, now=T0)
        for name in ("a", "b", "c"):
            store_article(engine, make_article(name, title=name.upper()), first_seen=later(1))
        plan(engine, config, now=later(1))
        summary = deliver(engine, config, now=later(1))
        assert receiver.claimed  # type: ignore[attr-defined]
        assert sorted(e["delivery_id"] for e in receiver.events) == [ids[0], ids[2]]  # type: ignore[attr-defined]
    assert (summary.delivered, summary.rate_limited) == (2, 0)
    taken = {delivery_id(a, "hook"): a for a in ("a", "b", "c")}[ids[1]]
    row = row_for(engine, taken, "hook")
    assert (row["state"], row["sending_owner"], row["attempts"]) == ("sending", "other-worker", 1)  # the other's


class SlowReceiver(WebhookReceiver):
    """A receiver that notes when each request arrives and answers only once ``until`` (a
    ``time.monotonic`` instant) has passed."""

    until = 0.0

    def handle(self, request: Request) -> Reply:
        self.arrived.append(time.monotonic())
        time.sleep(max(0.0, self.until - time.monotonic()) + 0.05)
        return super().handle(request)

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []


def test_no_send_starts_after_the_deadline(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_Deliverer.__init__`` 9 (the deadline not kept by the target's pass): the first send
    starts before the deadline and ends after it; the two other due rows wait for the next pass."""
    with SlowReceiver() as receiver:
        config = hooks(tmp_path, receiver, "hook")  # type: ignore[arg-type]
        plan(engine, config, now=T0)
        for name in ("a", "b", "c"):
            store_article(engine, make_article(name, title=name.upper()), first_seen=later(1))
        plan(engine, config, now=later(1))
        receiver.until = time.monotonic() + 1.0
        summary = deliver(engine, config, now=later(1), deadline=receiver.until)
        # whatever the timing: every request arrived before the deadline, and as the first answer comes only
        # after it, at most one did (one normally; none if the pass itself started late on a loaded machine)
        assert all(at < receiver.until for at in receiver.arrived)
        assert len(receiver.arrived) <= 1 and len(receiver.events) == len(receiver.arrived)  # type: ignore[attr-defined]
    assert (summary.delivered, summary.pending) == (len(receiver.arrived), 3 - len(receiver.arrived))
