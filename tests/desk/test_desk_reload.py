"""A running daemon's desk and index follow SIGHUP: users added, removed and rotated, outputs added.

A real ``syndicate run --serve`` subprocess, a real HTTP client, the configuration edited on disk.
Kills: the desk keeping the users it started with (a user added by the operator cannot log in, one
removed keeps acting), the index keeping the outputs it started with.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.desk.desk_helpers import DESK_ENV, EDITOR_PASSWORD, VIEWER_PASSWORD, make_project
from tests.helpers.cli import REPO
from tests.ops.test_daemon_ops import free_port


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    config = make_project(tmp_path, "http://127.0.0.1:9/hook")
    port = free_port()
    log = (tmp_path / "daemon.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "run", "--serve", "--port", str(port), "--config", str(config)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **DESK_ENV}, stdout=subprocess.DEVNULL,
        stderr=log, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/desk/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, (tmp_path / "daemon.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "daemon.log").read_text()
            time.sleep(0.2)
        yield config, base, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def log_in(base: str, name: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(base + "/desk/", timeout=5).text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token, form[:300]
    session.post(base + "/desk/login", data={"csrf": token.group(1), "username": name, "password": password},
                 timeout=5)
    return session


def logged_in(session: requests.Session, base: str) -> bool:
    return 'name="password"' not in session.get(base + "/desk/", timeout=5).text


def reload_and_wait(process: subprocess.Popen[str], log: Path) -> None:
    seen = log.read_text().count("configuration reloaded")
    process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while log.read_text().count("configuration reloaded") <= seen:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def test_sighup_gives_the_desk_its_new_users_and_the_index_its_new_outputs(
    daemon: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    config, base, process = daemon
    editor = log_in(base, "editor", EDITOR_PASSWORD)
    viewer = log_in(base, "viewer", VIEWER_PASSWORD)
    assert logged_in(editor, base) and logged_in(viewer, base)
    assert not logged_in(log_in(base, "newcomer", "a brand new passphrase"), base)
    assert "/late.atom" not in requests.get(base + "/", timeout=5).text

    text = config.read_text()
    (config.parent / "newcomer.pass").write_text("a brand new passphrase\n")
    (config.parent / "newcomer.pass").chmod(0o600)
    # the viewer leaves, a newcomer arrives, an output is added
    text = re.sub(r'\[\[desk\.user\]\]\nname = "viewer"\nrole = "viewer"\npassword_file = "viewer.pass"\n', "", text)
    assert "viewer.pass" not in text
    text = text.replace('[[target]]', '[[output]]\nname = "late"\ntitle = "Added later"\n\n[[target]]', 1)
    text += '\n[[desk.user]]\nname = "newcomer"\nrole = "viewer"\npassword_file = "newcomer.pass"\n'
    config.write_text(text)
    reload_and_wait(process, config.parent / "daemon.log")

    assert logged_in(log_in(base, "newcomer", "a brand new passphrase"), base)
    assert logged_in(editor, base), "a reload must not log out the users who stay"
    assert not logged_in(viewer, base), "a user removed from the configuration keeps a working session"
    assert not logged_in(log_in(base, "viewer", VIEWER_PASSWORD), base)
    assert "late.atom" in requests.get(base + "/", timeout=5).text
