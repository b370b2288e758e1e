"""A real ``syndicate serve`` in a subprocess, on a free port of 127.0.0.1, for tests that read
what subscribers see (feeds by URL, the index page, a browser)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.cli import REPO, run_cli

START_TIMEOUT = 30.0


def free_port() -> int:
    """A port nothing listens on now (the OS picks it), for a config that must name its own URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sample_config(directory: Path, base_url: str, *, extra: str = "", replace: dict[str, str] | None = None) -> Path:
    """A copy of the bundled config/ in ``directory`` with ``base_url`` set, ``replace`` applied and
    ``extra`` TOML appended; the path of its syndicate.toml."""
    shutil.copytree(REPO / "config", directory / "config")
    config = directory / "config" / "syndicate.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('base_url  = "http://localhost:8080/"', f'base_url = "{base_url}"')
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text + extra, encoding="utf-8")
    return config


def synced(config: Path, *args: str) -> None:
    """``syndicate sync ARGS`` on ``config``, which must succeed."""
    result = run_cli("sync", *args, config=config)
    assert result.returncode == 0, result.stdout + result.stderr


@contextmanager
def serving(config: Path, port: int) -> Iterator[str]:
    """Run ``syndicate serve --config CONFIG --port PORT`` until the block ends; yields its base URL."""
    command = [sys.executable, "-m", "syndicate", "serve", "--config", str(config), "--host", "127.0.0.1",
               "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(process, url + "healthz")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"syndicate serve exited with {process.returncode}: {error}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"syndicate serve did not answer {url} within {START_TIMEOUT}s")
