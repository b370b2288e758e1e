"""Process owners (syndicate/ownership.py): who holds a lease or a `sending` row, and whether it lives.

Real processes throughout: this one, a `sleep` started and killed, a zombie left unreaped.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from syndicate.ownership import HOST, Owner, describe_owner, new_owner, owner_state, parse_owner, process_start

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def _owner(pid: int, start: str | None = None, *, host: str = HOST, token: str = "t") -> str:
    return str(Owner(host, pid, process_start(pid) if start is None else start, token))


def test_this_process_lives_and_round_trips() -> None:
    me = new_owner()
    assert parse_owner(str(me)) == me and me.pid == os.getpid() and me.start
    assert owner_state(str(me)) == "alive"
    assert describe_owner(str(me)) == f"pid {os.getpid()} on {HOST}"


def test_a_killed_process_is_dead_and_its_reused_pid_is_not_it() -> None:
    proc = subprocess.Popen(["sleep", "60"])
    try:
        owner = _owner(proc.pid)
        assert owner_state(owner) == "alive"
        boot_ns, _, ticks = process_start(proc.pid).rpartition(".")
        reused = _owner(proc.pid, f"{boot_ns}.{int(ticks) + 7}")  # same pid, another start time
        assert owner_state(reused) == "dead"
    finally:
        proc.kill()
        proc.wait()
    assert owner_state(owner) == "dead"


def test_a_zombie_is_dead() -> None:
    """Killed but not yet reaped by its parent: ``kill(pid, 0)`` still succeeds, the owner is gone all the same."""
    proc = subprocess.Popen(["sleep", "60"])
    owner = _owner(proc.pid)
    os.kill(proc.pid, 9)
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert process_start(proc.pid) == "" and owner_state(owner) == "dead"
    finally:
        proc.wait()


def test_what_cannot_be_judged_here_is_unknown() -> None:
    me = new_owner()
    boot, namespace, ticks = me.start.split(".")
    assert owner_state(_owner(os.getpid(), host=HOST + "-other")) == "unknown"
    assert owner_state(_owner(os.getpid(), f"{boot}.{int(namespace) + 1}.{ticks}")) == "unknown"  # another container
    assert owner_state("not an owner") == "unknown"


def test_another_boot_of_this_host_is_dead() -> None:
    me = new_owner()
    _, namespace, ticks = me.start.split(".")
    assert owner_state(_owner(os.getpid(), f"00000000-0000-0000-0000-000000000000.{namespace}.{ticks}")) == "dead"


def test_tokens_tell_apart_the_owners_inside_this_process() -> None:
    me = str(new_owner())
    token = me.rsplit(":", 1)[1]
    assert owner_state(me, live_tokens={token}) == "alive"
    assert owner_state(me, live_tokens=set()) == "dead"
    assert owner_state(me) == "alive"  # no token list: the process is what counts (leases)


def test_older_holders_without_start_time_are_judged_by_pid() -> None:
    proc = subprocess.Popen(["sleep", "60"])
    legacy = f"{HOST}:{proc.pid}:abcd1234"
    assert parse_owner(legacy) == Owner(HOST, proc.pid, "", "abcd1234")
    assert owner_state(legacy) == "alive"
    proc.kill()
    proc.wait()
    assert owner_state(legacy) == "dead"
