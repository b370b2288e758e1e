"""Fixtures of the reliability suites: a fresh hostile world per test, the real WordPress when it can run."""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.distributed.conftest import pg_url  # noqa: F401  (a fresh PostgreSQL database per test)
from tests.helpers.services import require_service
from tests.reliability.harness import SHARED
from tests.reliability.world import World


@pytest.fixture
def world() -> Iterator[World]:
    server = World(seed=7)
    yield server
    server.close()


@pytest.fixture(scope="session")
def wordpress_env() -> dict[str, str]:
    """``WP_URL``/``WP_USER``/``WP_APP_PASSWORD`` of a real WordPress started by ../shared/tools/wordpress-up.sh."""
    script = SHARED / "tools" / "wordpress-up.sh"
    if not script.is_file():
        require_service("WordPress", f"{script} is absent: the real-WordPress runs need ../shared (CI has it)")
    lock_path = Path(tempfile.gettempdir()) / "syndicate-tests-wordpress-up.lock"
    with lock_path.open("w") as lock:  # one start at a time across pytest-xdist workers
        fcntl.flock(lock, fcntl.LOCK_EX)
        out = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=900, env=dict(os.environ))
    if out.returncode != 0:
        require_service("WordPress", "wordpress-up.sh failed: " + " | ".join(out.stderr.strip().splitlines()[-3:]))
    values = {}
    for line in out.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            values[key] = value.strip().strip("'\"")
    if not all(k in values for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD")):
        require_service("WordPress", "wordpress-up.sh printed no WP_URL/WP_USER/WP_APP_PASSWORD")
    return values

