"""A process-pool worker killed mid-pass (as the kernel's OOM killer does) costs no source.

A dead worker breaks Python's whole process pool: every job in it, and every job submitted
after, fails with ``BrokenProcessPool``. The pass starts a fresh pool and runs each of those
jobs again alone; it finishes with every source fetched and the same articles as a run
where nothing died.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.distributed.farm import FeedFarm
from tests.distributed.services import REPO, env, wait_for

FEEDS, ENTRIES = 200, 10


def _config(directory: Path, farm: FeedFarm) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "syndicate.toml"
    path.write_text(f"""[syndicate]
feeds_dir = "feeds"
database = "sqlite:///{directory / 'syndicate.db'}"
allow_private_networks = true
fetch_workers = 4
process_workers = 2

[[output]]
name = "all"
limit = 5000
""" + farm.sources_toml())
    return path


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found.setdefault(parent, []).append(int(entry))
    return found


def _pool_workers(pid: int) -> list[int]:
    """The grandchildren of ``pid``: the pool's workers, children of its forkserver."""
    children = _children()
    return [worker for child in children.get(pid, []) for worker in children.get(child, [])]


def _sync(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "syndicate", "sync", "--json", "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO,
    )


def _articles(config: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "syndicate", "articles", "--config", str(config)],
                          capture_output=True, text=True, env=env(), cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return sorted(json.loads(line)["url"] for line in done.stdout.splitlines())


def test_a_pool_worker_killed_mid_pass(tmp_path: Path) -> None:
    farm = FeedFarm(FEEDS, ENTRIES, token="death", delay=0.03)  # fetching lasts a few seconds
    try:
        clean = _config(tmp_path / "clean", farm)
        done = _sync(clean)
        out, err = done.communicate(timeout=180)
        assert done.returncode == 0, err
        expected = json.loads(out)

        config = _config(tmp_path / "killed", farm)
        sync = _sync(config)
        victim = wait_for(lambda: _pool_workers(sync.pid), timeout=60, what="the pool's workers", every=0.02)[0]
        os.kill(victim, signal.SIGKILL)
        out, err = sync.communicate(timeout=180)
    finally:
        farm.close()

    assert sync.returncode == 0, err
    summary = json.loads(out)
    assert summary["sources"] == {"fetched": FEEDS, "not_modified": 0, "failed": 0}
    assert summary["articles"] == expected["articles"]
    assert "a worker process died; processing this source again alone" in err
    assert _articles(config) == _articles(clean)
