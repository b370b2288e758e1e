"""What an operator reads: delivery errors worded like fetch errors, each failure once, routine
daemon events at INFO, journald priorities (issue #18)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.cli import REPO, run_cli, write_config

FEED = Path(__file__).resolve().parents[1] / "data" / "parse" / "rss20_full.xml"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_errors_read_well_and_are_printed_once(tmp_path: Path) -> None:
    """Mutations: the target's HTTP client printing str(exc) again (HTTPConnectionPool(host=…): Max
    retries exceeded…); sync without leave_fetch_failures_to_summary (each fetch failure twice)."""
    port = closed_port()
    (tmp_path / "feed.xml").write_text(FEED.read_text(encoding="utf-8"), encoding="utf-8")
    body = (
        f'[[source]]\nname = "down"\nurl = "http://127.0.0.1:{port}/feed"\n\n'
        '[[source]]\nname = "local"\nurl = "feed.xml"\n\n'
        f'[[target]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:{port}/hook"\nbackfill = 1\n'
    )
    path = write_config(tmp_path, body)
    result = run_cli("sync", config=path)
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert [line for line in lines if "down" in line] == [
        f"syndicate: source down failed: connection refused by 127.0.0.1:{port} (after 3 attempts)"
    ], result.stderr
    hook = [line for line in lines if "hook" in line]
    assert len(hook) == 1 and hook[0].startswith(f"syndicate: hook: POST /hook: connection refused by 127.0.0.1:{port}")
    assert "HTTPConnectionPool" not in result.stderr and "Max retries" not in result.stderr


def _daemon(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    (tmp_path / "feed.xml").write_text(FEED.read_text(encoding="utf-8"), encoding="utf-8")
    port = closed_port()
    config = write_config(
        tmp_path,
        '[[source]]\nname = "local"\nurl = "feed.xml"\n\n'
        f'[[source]]\nname = "down"\nurl = "http://127.0.0.1:{port}/feed"\n',
    )
    log = tmp_path / "daemon.log"
    with log.open("w") as stderr:
        stat = os.fstat(stderr.fileno())
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        if env is not None:
            environment.update({k: v.format(dev=stat.st_dev, ino=stat.st_ino) for k, v in env.items()})
        process = subprocess.Popen(
            [sys.executable, "-m", "syndicate", *options, "run", "--config", str(config)],
            cwd=REPO,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + 60
        while "down" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        process.send_signal(signal.SIGHUP)
        while "configuration reloaded" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    return log.read_text(), code


def test_routine_daemon_events_are_info_and_problems_warnings(tmp_path: Path) -> None:
    """Mutation: log "daemon started", "configuration reloaded", "received SIGTERM" … at WARNING again."""
    text, code = _daemon(tmp_path, "--log-format", "json")
    assert code == 0, text
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    levels = {e["message"].split(":")[0].split(",")[0]: e["level"] for e in events}
    assert levels["daemon started"] == "info"
    assert levels["received SIGHUP"] == "info"
    assert levels["configuration reloaded"] == "info"
    assert levels["received SIGTERM"] == "info"
    assert levels["daemon stopped"] == "info"
    assert [e["level"] for e in events if e.get("source") == "down" and e.get("status") == "error"] == ["warning"]


def test_journald_gets_each_line_s_priority(tmp_path: Path) -> None:
    """When stderr is the journal ($JOURNAL_STREAM names it), lines start with <N> (sd-daemon(3)), so
    ``journalctl -p warning`` shows problems only. Mutation: no prefix (every line at one priority)."""
    text, code = _daemon(tmp_path, env={"JOURNAL_STREAM": "{dev}:{ino}"})
    assert code == 0, text
    lines = text.splitlines()
    assert any(line.startswith("<6>") and "daemon started" in line for line in lines), text
    assert any(line.startswith("<4>") and "down: connection refused" in line for line in lines), text
    assert all(line[:3] in ("<6>", "<4>", "<7>", "<3>") for line in lines if line), text


def test_no_prefix_when_stderr_is_not_the_journal(tmp_path: Path) -> None:
    text, _code = _daemon(tmp_path, env={"JOURNAL_STREAM": "1:2"})
    assert "daemon started" in text and not any(line.startswith("<") for line in text.splitlines())
