"""A backfilling target's first plan, SIGKILLed anywhere: nothing it is owed is lost, all is paid at once.

30 feeds × 10 entries are published before the first pass, and a webhook target with
``backfill = 1000`` is configured from the start: the first ``syndicate sync`` stores 300
articles, registers the target, records the 300 deliveries it is owed and sends them. That
command (``sync --all``) is SIGKILLed, its whole process group, again and again:

1. while the first plan has not committed: after every source was fetched in this run, with a
   sweep of growing delays (10 ms × 1.6^i: render, then the plan, until a kill lands after the
   plan's commit); on PostgreSQL first the moment a session is inside a transaction writing
   deliveries; last, the moment the database shows the target or any of its deliveries;
2. then during the deliveries: the receiver itself SIGKILLs the sender when its n-th request
   arrives, after recording it (the window between the target's answer and the ledger's
   record), or a random delay of 0.3–4 s.

Right after the kills, ONE clean ``syndicate sync`` (real time, no clock games) must leave all
300 articles delivered, each under exactly one Idempotency-Key (its delivery id); a second pass
must send nothing. A crash may cost at most one same-key resend (a webhook cannot be asked
what it already has; the receiver deduplicates by key): resends ≤ kills.

Mutations this kills (each seen red): registering the target in a transaction of its own before
the backfill rows (main before #20: 300 → 81 delivered after 8 kills); a row left in ``sending``
by a dead process reconciled only after SENDING_STALE (the pass right after the kills leaves rows
undelivered).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from syndicate.store.codec import aware
from tests.reliability.harness import (
    command,
    integrity,
    kill_group,
    run,
    spawn,
    stored_urls,
    webhook_target,
    write_config,
)
from tests.reliability.world import HookRecord, World

FEEDS, ENTRIES = 30, 10
ARTICLES = FEEDS * ENTRIES


@dataclass
class Outcome:
    kills: int = 0  # the process was running when it was killed
    finished: int = 0  # it finished before its kill point came
    by_kind: dict[str, int] = field(default_factory=dict)
    before_plan_commit: int = 0  # kills that left the target unregistered after all articles were stored
    resends: int = 0

    def line(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return (
            f"{self.kills} kills ({kinds}), {self.finished} runs finished first, {self.before_plan_commit} kills "
            f"after ingest and before the first plan's commit, {self.resends} same-key resends"
        )


class Probe:
    """Reads the database while the command runs (its own connections, never in its way)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool)
        self.postgres = self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    def _scalar(self, sql: str) -> int:
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(text(sql)).scalar() or 0)
        except Exception:  # tables not created yet
            return 0

    def registered(self) -> bool:
        return self._scalar("SELECT count(*) FROM targets") > 0

    def ledger_rows(self) -> int:
        return self._scalar("SELECT count(*) FROM deliveries")

    def articles(self) -> int:
        return self._scalar("SELECT count(*) FROM articles")

    def delivered(self) -> int:
        return self._scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'")

    def fetched_since(self, since: datetime) -> int:
        from syndicate.store.schema import sources

        try:
            with self.engine.connect() as conn:
                stamps = conn.execute(select(sources.c.last_fetch_at)).scalars().all()
        except Exception:
            return 0
        return sum(1 for s in stamps if s is not None and (aware(s) or since) >= since)

    def plan_in_flight(self) -> bool:
        """PostgreSQL: a session of this database is inside a transaction that writes deliveries."""
        return self._scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            "AND (query ILIKE 'INSERT INTO deliveries%' OR query ILIKE '%SAVEPOINT%')"
        ) > 0


class Killer:
    """The receiver's side: SIGKILL the sender's process group when its n-th request arrives."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.group: int | None = None
        self.countdown = 0

    def arm(self, group: int, nth: int) -> None:
        with self.lock:
            self.group, self.countdown = group, nth

    def disarm(self) -> None:
        with self.lock:
            self.group = None

    def __call__(self, record: HookRecord) -> None:
        with self.lock:
            if self.group is None:
                return
            self.countdown -= 1
            if self.countdown > 0:
                return
            group, self.group = self.group, None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _wait_and_kill(proc: subprocess.Popen[bytes], fire: Callable[[], bool], *, timeout: float = 120.0) -> bool:
    """Poll ``fire`` until it says kill (True: killed a running process) or the process ends."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if fire():
            return kill_group(proc)
        time.sleep(0.002)
    return kill_group(proc)


def _after_fetch(probe: Probe, started: datetime, pause: float) -> Callable[[], bool]:
    """True ``pause`` seconds after every source was fetched by the run started at ``started``."""
    fired: list[float] = []

    def fire() -> bool:
        if not fired and probe.fetched_since(started) >= FEEDS:
            fired.append(time.monotonic())
        return bool(fired) and time.monotonic() - fired[0] >= pause

    return fire


def kill_loop(world: World, tmp_path: Path, config: Path, db_url: str, *, kills: int, seed: int) -> Outcome:
    """Phase 1 kills the first pass until its plan has committed: a sweep of growing delays after the
    fetches (render, then the plan), on PostgreSQL also the moment a session writes deliveries, and
    last the moment the target shows in the database. Phase 2 kills the deliveries: the receiver
    SIGKILLs the sender on its n-th request, or a random delay."""
    rng = random.Random(seed)
    probe = Probe(db_url)
    killer = Killer()
    world.on_hook = killer
    outcome = Outcome()
    sqlite_db = tmp_path / "syndicate.db" if not probe.postgres else None
    plan_kills = max(3, kills // 2)
    sweep = delivery_kills = 0
    try:
        while outcome.kills + outcome.finished < 3 * kills and outcome.kills < kills:
            in_first_plan = not probe.registered()
            started = datetime.now(UTC)
            proc = spawn(command("sync", "--all", config=config), log=tmp_path / "sync.log")
            if in_first_plan and probe.postgres and outcome.by_kind.get("plan", 0) < plan_kills // 2:
                kind = "plan"
                alive = _wait_and_kill(proc, probe.plan_in_flight)
            elif in_first_plan and outcome.before_plan_commit < plan_kills and sweep < 3 * plan_kills:
                kind = "fetched"
                pause = 0.01 * 1.6**sweep + rng.uniform(0, 0.01)
                sweep += 1
                alive = _wait_and_kill(proc, _after_fetch(probe, started, pause))
            elif in_first_plan:
                kind = "ledger"
                alive = _wait_and_kill(proc, lambda: probe.registered() or probe.ledger_rows() > 0)
            elif delivery_kills < 2 or rng.random() < 0.6:  # the first two: at the first request, then later
                kind = "receiver"
                owed = max(1, ARTICLES - probe.delivered())
                nth = 1 if delivery_kills == 0 else rng.randint(1, max(1, owed // 2))
                delivery_kills += 1
                killer.arm(proc.pid, nth)
                try:
                    proc.wait(timeout=180)
                finally:
                    killer.disarm()
                alive = proc.returncode == -signal.SIGKILL
                kill_group(proc)
            else:
                kind = "delay"
                until = time.monotonic() + rng.uniform(0.3, 4.0)
                alive = _wait_and_kill(proc, lambda until=until: time.monotonic() >= until)
            if alive:
                outcome.kills += 1
                outcome.by_kind[kind] = outcome.by_kind.get(kind, 0) + 1
                if in_first_plan and probe.articles() == ARTICLES and not probe.registered():
                    outcome.before_plan_commit += 1
            else:
                outcome.finished += 1
            if sqlite_db is not None:
                assert integrity(sqlite_db) == "ok", f"after kill {outcome.kills} ({kind})"
    finally:
        world.on_hook = None
        probe.close()
    return outcome


def exactly_once(world: World, config: Path, *, target: str = "hook") -> tuple[list[str], int]:
    """Problems with "every article delivered under exactly one key", and the same-key resends."""
    from syndicate.crosspost.ledger import delivery_id, list_deliveries
    from tests.reliability.harness import open_config

    stored = stored_urls(config)
    problems: list[str] = []
    if set(stored) != world.expected_urls():
        problems.append(f"{len(world.expected_urls() - set(stored))} published items not stored")
    _, engine = open_config(config)
    try:
        rows = list_deliveries(engine, target=target)
    finally:
        engine.dispose()
    undelivered = [r for r in rows if r["state"] != "delivered"]
    if undelivered:
        problems.append(
            f"{len(undelivered)} of {len(rows)} ledger rows not delivered, e.g. "
            f"{[(r['state'], r['last_error']) for r in undelivered[:3]]}"
        )
    if len(rows) != len(stored):
        problems.append(f"{len(rows)} ledger rows for {len(stored)} articles")
    keys_by_url: dict[str, set[str]] = {}
    per_key: dict[str, int] = {}
    for record in world.creates():
        if record.key != record.delivery_id:
            problems.append(f"Idempotency-Key {record.key} is not the delivery id {record.delivery_id}")
        keys_by_url.setdefault(record.url or "", set()).add(record.key or "")
        per_key[record.key or ""] = per_key.get(record.key or "", 0) + 1
    never = [url for url in stored if not keys_by_url.get(url)]
    if never:
        problems.append(f"{len(never)} of {len(stored)} articles never reached the receiver, e.g. {never[:2]}")
    for url, article_id in stored.items():
        keys = keys_by_url.get(url, set())
        if keys and keys != {delivery_id(article_id, target)}:
            problems.append(f"{url}: received under {sorted(keys)}, expected {delivery_id(article_id, target)}")
    strays = set(keys_by_url) - set(stored)
    if strays:
        problems.append(f"{len(strays)} requests for articles the store does not have")
    resends = sum(n - 1 for n in per_key.values())
    return problems, resends


def scenario(tmp_path: Path, db_url: str, *, kills: int, seed: int) -> Outcome:
    world = World(seed=seed, tag=f"fp{seed}")
    try:
        urls = world.add_feeds(FEEDS, ENTRIES)
        world.visible = ENTRIES  # the whole back catalogue is there before the first pass
        config = write_config(
            tmp_path,
            [(f"site{i}", u) for i, u in enumerate(urls)],
            targets=webhook_target(world.url("/hook"), extra="backfill = 1000"),
            settings={"database": db_url, "interval": "1s"},
            output_limit=50,
        )
        outcome = kill_loop(world, tmp_path, config, db_url, kills=kills, seed=seed)
        print(outcome.line())
        clean = run(command("sync", config=config))
        assert clean.returncode == 0, clean.stdout + clean.stderr
        problems, outcome.resends = exactly_once(world, config)
        assert not problems, f"right after {outcome.line()}: {problems}"
        assert outcome.resends <= outcome.kills, "a crash may cost one same-key resend, no more"
        sent = len(world.hook_records)
        again = run(command("sync", config=config))
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(world.hook_records) == sent, "a second clean pass sent something again"
        print(outcome.line())
        return outcome
    finally:
        world.close()


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'syndicate.db'}"


@pytest.mark.slow
def test_first_plan_killed_anywhere_sqlite(tmp_path: Path) -> None:
    scenario(tmp_path, _sqlite_url(tmp_path), kills=6, seed=20)


@pytest.mark.long
def test_first_plan_killed_anywhere_sqlite_long(tmp_path: Path) -> None:
    scenario(tmp_path, _sqlite_url(tmp_path), kills=30, seed=21)


@pytest.mark.slow
@pytest.mark.services
def test_first_plan_killed_anywhere_postgres(tmp_path: Path, pg_url: str) -> None:
    scenario(tmp_path, pg_url, kills=6, seed=22)


@pytest.mark.long
@pytest.mark.services
def test_first_plan_killed_anywhere_postgres_long(tmp_path: Path, pg_url: str) -> None:
    scenario(tmp_path, pg_url, kills=30, seed=23)

