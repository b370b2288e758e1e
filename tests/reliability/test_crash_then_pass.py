"""After a crash, the very next pass delivers everything; a live sender's delivery is never taken over.

Real commands (``syndicate sync``), a real receiver on 127.0.0.1 that records every request with its
Idempotency-Key, SQLite and PostgreSQL. The crash comes from the outside: the receiver SIGKILLs the
sender's process group when a request arrives, after recording it — the window between the
target's answer and the ledger's record (what ``SYNDICATE_TEST_CRASH_AFTER_SEND`` used to fake from
inside the product).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.reliability.harness import (
    command,
    kill_group,
    open_config,
    run,
    spawn,
    stored_urls,
    webhook_target,
    write_config,
)
from tests.reliability.world import HookRecord, World

FEEDS, ITEMS = 5, 4


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'syndicate.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def _farm(world: World, tmp_path: Path, db_url: str, **settings: object) -> Path:
    urls = world.add_feeds(FEEDS, ITEMS)
    config = write_config(
        tmp_path,
        [(f"site{i}", u) for i, u in enumerate(urls)],
        targets=webhook_target(world.url("/hook")),
        settings={"database": db_url, **settings},
    )
    first = run(command("sync", "--all", config=config))  # registers the target, nothing published yet
    assert first.returncode == 0, first.stderr
    world.visible = ITEMS
    return config


def _ledger(config: Path) -> dict[str, str]:
    from syndicate.crosspost.ledger import list_deliveries

    _, engine = open_config(config)
    try:
        return {row["id"]: row["state"] for row in list_deliveries(engine)}
    finally:
        engine.dispose()


def test_the_pass_right_after_a_crash_delivers_everything(tmp_path: Path, db_url: str) -> None:
    """Mutation killed: reconciling a dead sender's row only after SENDING_STALE (two minutes): the pass
    right after the crash leaves that row in ``sending``."""
    world = World(seed=5, tag="after")
    try:
        config = _farm(world, tmp_path, db_url)
        crashed: list[HookRecord] = []
        proc = None

        def kill_on_third(record: HookRecord) -> None:
            if len(world.creates()) == 3 and not crashed:
                crashed.append(record)
                assert proc is not None
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

        world.on_hook = kill_on_third
        proc = spawn(command("sync", "--all", config=config), log=tmp_path / "killed.log")
        assert proc.wait(timeout=120) == -signal.SIGKILL
        world.on_hook = None
        (victim,) = crashed
        assert _ledger(config)[victim.key or ""] == "sending"  # the answer never reached the ledger

        after = run(command("sync", "--all", config=config))  # at once: no waiting window
        assert after.returncode == 0, after.stdout + after.stderr
        ledger = _ledger(config)
        assert len(ledger) == FEEDS * ITEMS and set(ledger.values()) == {"delivered"}, ledger
        received = Counter(r.key for r in world.creates())
        assert set(received) == set(ledger)
        assert received[victim.key] == 2  # sent again under the same key (a webhook cannot be asked)
        assert sum(received.values()) == FEEDS * ITEMS + 1
        assert {r.url for r in world.creates()} == set(stored_urls(config))

        sent = len(world.hook_records)
        assert run(command("sync", "--all", config=config)).returncode == 0
        assert len(world.hook_records) == sent
    finally:
        world.close()


def test_a_live_senders_delivery_is_not_taken_over(tmp_path: Path, db_url: str) -> None:
    """One ``sync`` is stuck in a slow request; another ``sync`` and a pass a day later (Python API)
    run meanwhile: neither touches that delivery, and nothing is sent twice.

    Mutation killed: a time window for owners that can be judged (the pass a day later takes the row
    over and sends it again)."""
    from syndicate import crosspost

    world = World(seed=6, tag="live")
    try:
        config = _farm(world, tmp_path, db_url, read_timeout="90s")
        arrived, release = threading.Event(), threading.Event()

        def hold_first(record: HookRecord) -> None:
            if not arrived.is_set():
                arrived.set()
                release.wait(120)

        world.on_hook = hold_first
        slow = spawn(command("sync", "--all", config=config), log=tmp_path / "slow.log")
        try:
            assert arrived.wait(60), "the first request never came"
            (held,) = world.creates()
            other = run(command("sync", "--all", config=config))
            assert other.returncode == 0, other.stdout + other.stderr
            loaded, engine = open_config(config)
            try:
                tomorrow = datetime.now(UTC) + timedelta(days=1)
                crosspost.deliver(engine, loaded, now=tomorrow)
            finally:
                engine.dispose()
            assert _ledger(config)[held.key or ""] == "sending"
            assert [r.key for r in world.creates()].count(held.key) == 1
        finally:
            release.set()
        assert slow.wait(timeout=120) == 0
        ledger = _ledger(config)
        assert len(ledger) == FEEDS * ITEMS and set(ledger.values()) == {"delivered"}, ledger
        received = Counter(r.key for r in world.creates())
        assert set(received) == set(ledger) and set(received.values()) == {1}, received
    finally:
        world.on_hook = None
        world.close()
        with contextlib.suppress(Exception):
            kill_group(slow)
