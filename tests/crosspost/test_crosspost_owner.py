"""Rows in ``sending`` have an owner: a dead owner's row is reconciled at once, a live owner's never.

Owners here are real processes (``sleep``) started and killed by the test; the receiver is a real
webhook server on 127.0.0.1. SQLite and PostgreSQL alike (the ``engine`` fixture).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crosspost_helpers import T0, later, make_article, make_config, row_for, set_row, store_article
from sqlalchemy import Engine

from syndicate.config import Config
from syndicate.crosspost import deliver, plan
from syndicate.crosspost.delivery import _pass_owner
from syndicate.crosspost.ledger import SENDING_STALE, claim, delivery_id
from syndicate.models import Article
from syndicate.ownership import HOST, Owner, process_start

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))
from target_servers.webhook import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "120"])
    yield proc
    proc.kill()
    proc.wait()


def _owner_of(proc: subprocess.Popen[bytes], token: str = "t0") -> str:
    return str(Owner(HOST, proc.pid, process_start(proc.pid), token))


def _sending(engine: Engine, tmp_path: Path, receiver: WebhookReceiver, owner: str | None) -> tuple[Config, Article]:
    """One article whose delivery to the webhook is in ``sending`` since later(2), owned by ``owner``."""
    config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": receiver.hook}])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    set_row(engine, article.id, "hook", state="sending", sending_since=later(2), attempts=1, sending_owner=owner)
    return config, article


def test_a_dead_owners_row_is_reconciled_at_the_next_pass(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver, sleeper: subprocess.Popen[bytes]
) -> None:
    """Mutation killed: judging rows by SENDING_STALE only (the row waits two minutes)."""
    owner = _owner_of(sleeper)
    sleeper.kill()
    sleeper.wait()
    config, article = _sending(engine, tmp_path, receiver, owner)
    result = deliver(engine, config, now=later(2.01))  # a second after the crash
    assert (result.delivered, result.errors) == (1, [])
    assert row_for(engine, article.id, "hook")["state"] == "delivered"
    assert row_for(engine, article.id, "hook")["sending_owner"] is None
    assert [e["delivery_id"] for e in receiver.events] == [delivery_id(article.id, "hook")]


def test_a_live_owners_row_is_left_alone_however_long_it_takes(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver, sleeper: subprocess.Popen[bytes]
) -> None:
    """Mutation killed: a time window for owners that can be judged (the row is taken after 120 s)."""
    config, article = _sending(engine, tmp_path, receiver, _owner_of(sleeper))
    for minutes in (2.01, 30, 60 * 24):  # a second, half an hour, a day after the claim
        result = deliver(engine, config, now=later(2 + minutes))
        assert (result.delivered, result.reconciled) == (0, 0)
        assert row_for(engine, article.id, "hook")["state"] == "sending"
    assert receiver.count("POST") == 0
    sleeper.kill()
    sleeper.wait()
    assert deliver(engine, config, now=later(60 * 25)).delivered == 1


def test_a_reused_pid_does_not_keep_a_row_alive(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver, sleeper: subprocess.Popen[bytes]
) -> None:
    """The owner's pid now belongs to another process (started at another time): the owner is dead.

    Mutation killed: judging an owner by its pid alone (the row would wait for ``sleep`` to end)."""
    boot_ns, _, ticks = process_start(sleeper.pid).rpartition(".")
    earlier = str(Owner(HOST, sleeper.pid, f"{boot_ns}.{int(ticks) - 100}", "t0"))
    config, _ = _sending(engine, tmp_path, receiver, earlier)
    assert deliver(engine, config, now=later(2.01)).delivered == 1


def test_an_owner_on_another_host_gets_the_stale_window(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """Nothing here can see a process on another host: its row is taken only after SENDING_STALE."""
    elsewhere = str(Owner(HOST + "-elsewhere", 4242, "", "t0"))
    config, article = _sending(engine, tmp_path, receiver, elsewhere)
    just_before = later(2 + SENDING_STALE / 60 - 0.1)
    assert deliver(engine, config, now=just_before).delivered == 0
    assert row_for(engine, article.id, "hook")["state"] == "sending"
    assert deliver(engine, config, now=later(2 + SENDING_STALE / 60 + 0.1)).delivered == 1


def test_a_row_without_owner_gets_the_stale_window(engine: Engine, tmp_path: Path, receiver: WebhookReceiver) -> None:
    """Rows claimed before migration 0008 have no owner: the old two-minute rule."""
    config, _ = _sending(engine, tmp_path, receiver, None)
    assert deliver(engine, config, now=later(3)).delivered == 0
    assert deliver(engine, config, now=later(5)).delivered == 1


def test_this_process_keeps_its_live_passes_rows_and_takes_back_the_others(
    engine: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """A pass running in this very process (another thread) owns its rows; a row left by an earlier
    pass of this process (an error escaped it) is orphaned at once.

    Mutation killed: treating every owner in this process as alive (a daemon would never reconcile
    the rows an escaped error left in ``sending``)."""
    with _pass_owner() as live:
        config, article = _sending(engine, tmp_path, receiver, live)
        assert deliver(engine, config, now=later(60)).delivered == 0
        assert row_for(engine, article.id, "hook")["state"] == "sending"
    # that pass is over: its token is no longer live, the row was left behind
    assert deliver(engine, config, now=later(60.01)).delivered == 1


def test_a_claim_records_its_owner(engine: Engine, tmp_path: Path, receiver: WebhookReceiver) -> None:
    config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": receiver.hook}])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    owner = str(Owner(HOST, 1, "", "abc"))
    assert claim(engine, delivery_id(article.id, "hook"), later(2), article.content_hash, owner)
    assert row_for(engine, article.id, "hook")["sending_owner"] == owner


def test_a_target_that_cannot_be_asked_is_asked_again_after_the_stale_window(
    engine: Engine, tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    """A crashed delivery to a target that cannot answer ``find`` stays in ``sending`` and is asked about
    again once SENDING_STALE has passed, by any process (not at every pass, not never)."""
    owner = _owner_of(sleeper)
    sleeper.kill()
    sleeper.wait()
    config = make_config(tmp_path, [{"name": "forum", "type": "discourse", "url": "http://127.0.0.1:9",
                                     "api_key": "k-123456"}])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    set_row(engine, article.id, "forum", state="sending", sending_since=later(2), attempts=1, sending_owner=owner)
    assert "could not check a crashed delivery" in deliver(engine, config, now=later(2.01)).errors[0]
    row = row_for(engine, article.id, "forum")
    assert (row["state"], row["sending_owner"]) == ("sending", None)
    assert deliver(engine, config, now=later(3)).errors == []  # not asked again yet
    assert "could not check" in deliver(engine, config, now=later(2.01 + SENDING_STALE / 60 + 0.1)).errors[0]
