"""A real ``syndicate serve`` in a subprocess, on a free port of 127.0.0.1, for tests that read
what subscribers see (feeds by URL, the index page, a browser)."""

from __future__ import annotations

import os
import re
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
PORT_ATTEMPTS = 5


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


class PortTaken(Exception):
    """The port free_port() gave was taken before the server bound it (another process's socket)."""


def set_base_url(config: Path, url: str) -> None:
    text = config.read_text(encoding="utf-8")
    text, count = re.subn(r'(?m)^base_url\s*=\s*"[^"]*"', f'base_url = "{url}"', text, count=1)
    assert count == 1, f"{config} has no base_url line"
    config.write_text(text, encoding="utf-8")


@contextmanager
def serving(config: Path) -> Iterator[str]:
    """``syndicate sync`` then ``syndicate serve`` for ``config`` with its base_url set to the served
    address, until the block ends; yields that base URL. A port taken between picking and binding
    (the machine is shared) is retried with another."""
    for _attempt in range(PORT_ATTEMPTS):
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        set_base_url(config, url)
        synced(config)
        command = [sys.executable, "-m", "syndicate", "serve", "--config", str(config), "--host", "127.0.0.1",
                   "--port", str(port)]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_until_up(process, url + "healthz")
        except PortTaken:
            _stop(process)
            continue
        except BaseException:
            _stop(process)
            raise
        try:
            yield url
        finally:
            _stop(process)
        return
    raise AssertionError(f"no free port for syndicate serve after {PORT_ATTEMPTS} attempts")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
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
            if "Address already in use" in error:
                raise PortTaken(error)
            raise AssertionError(f"syndicate serve exited with {process.returncode}: {error}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"syndicate serve did not answer {url} within {START_TIMEOUT}s")
