"""Concurrency: ``sync`` while ``run`` is active, two ``sync``s at once, a daemon restarted mid-delivery.

Nobody is killed here, so nothing may be sent twice at all: not even a resend
with the same Idempotency-Key. The database stays whole, every item is stored
once and delivered once.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.reliability.harness import (
    command,
    converge,
    exactly_once_problems,
    integrity,
    kill_group,
    output_problems,
    resends,
    run,
    spawn,
    webhook_target,
    write_config,
)
from tests.reliability.world import World

ITEMS = 3
FEEDS = 20


def farm(world: World, tmp_path: Path, feeds: int = FEEDS) -> Path:
    urls = world.add_feeds(feeds, ITEMS)
    return write_config(
        tmp_path,
        [(f"site{i}", u) for i, u in enumerate(urls)],
        targets=webhook_target(world.url("/hook")),
        settings={"interval": "2s"},
        output_limit=500,
    )


def finish_and_check(world: World, tmp_path: Path, config: Path) -> None:
    world.visible = ITEMS
    final = run(command("sync", "--all", config=config))
    assert final.returncode == 0, final.stdout + final.stderr
    _, rows = converge(config)
    problems = exactly_once_problems(world, config, rows)
    assert not problems, problems
    assert resends(world) == 0, "a delivery was sent twice although no process crashed"
    assert integrity(tmp_path / "syndicate.db") == "ok"
    assert not output_problems(tmp_path / "feeds")


def stop(proc: object) -> int:
    proc.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
    try:
        return int(proc.wait(timeout=60))  # type: ignore[attr-defined]
    except Exception:
        kill_group(proc)  # type: ignore[arg-type]
        raise


@pytest.mark.slow
def test_sync_while_the_daemon_runs(world: World, tmp_path: Path) -> None:
    config = farm(world, tmp_path)
    assert run(command("sync", "--all", config=config)).returncode == 0
    world.hook_delay = 0.02
    daemon = spawn(command("run", config=config), log=tmp_path / "daemon.log")
    try:
        for visible in range(1, ITEMS + 1):
            world.visible = visible
            result = run(command("sync", "--all", config=config))
            assert result.returncode in (0, 3), result.stderr
            assert "Traceback" not in result.stderr
            assert not output_problems(tmp_path / "feeds")
        time.sleep(2)
    finally:
        assert stop(daemon) == 0, (tmp_path / "daemon.log").read_text()[-3000:]
    finish_and_check(world, tmp_path, config)


@pytest.mark.slow
def test_two_syncs_at_once(world: World, tmp_path: Path) -> None:
    config = farm(world, tmp_path)
    assert run(command("sync", "--all", config=config)).returncode == 0
    world.hook_delay = 0.02
    for visible in range(1, ITEMS + 1):
        world.visible = visible
        procs = [spawn(command("sync", "--all", config=config), log=tmp_path / f"sync{n}.log") for n in range(2)]
        for proc in procs:
            assert proc.wait(timeout=180) in (0, 3)
        for n in range(2):
            assert "Traceback" not in (tmp_path / f"sync{n}.log").read_text()
    finish_and_check(world, tmp_path, config)


@pytest.mark.slow
def test_daemon_restarted_mid_delivery(world: World, tmp_path: Path) -> None:
    """The premise is checked, not assumed: at each SIGTERM some of the round's creates were made and some
    were still owed. Seen failing with the stop sent 4 s after the first create instead of 0.3 s (the round
    was over: the test only checked a stop between passes, and it used to pass that way too)."""
    config = farm(world, tmp_path)
    assert run(command("sync", "--all", config=config)).returncode == 0
    world.hook_delay = 0.1  # 20 deliveries take two seconds: the stop lands in the middle
    for restart in range(ITEMS):
        world.visible = restart + 1
        daemon = spawn(command("run", config=config), log=tmp_path / "daemon.log")
        deadline = time.monotonic() + 60
        before = len(world.creates())
        while len(world.creates()) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(world.creates()) > before, f"restart {restart}: the daemon delivered nothing"
        time.sleep(0.3)
        delivered_at_stop = len(world.creates())
        assert stop(daemon) == 0, f"restart {restart}: " + (tmp_path / "daemon.log").read_text()[-3000:]
        # the stop landed mid-delivery: this round owes one create per feed, some were made, not all
        # (each takes hook_delay, one at a time, so 20 cannot all be done 0.3 s after the first)
        assert before < delivered_at_stop < before + FEEDS, (restart, before, delivered_at_stop)
    finish_and_check(world, tmp_path, config)
