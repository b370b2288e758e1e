"""The daemon as a user runs it: a subprocess that picks up new entries and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.cli import REPO, run_cli, write_config
from tests.helpers.feedserver import FeedServer

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Live</title><link>https://live.example/</link>
<description>d</description>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://live.example/{slug}</link><guid>{slug}</guid>
<pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate><description>Text of {title}.</description></item>"""


def feed(*titles: str) -> str:
    return FEED.format(items="".join(ITEM.format(title=t, slug=f"s{i}", n=i) for i, t in enumerate(titles)))


def start_daemon(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "syndicate", "run", "--config", str(config)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_daemon_picks_up_new_entries_and_stops_on_sigterm(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.serve("/live.xml", feed("First story"))
    config = write_config(
        tmp_path, f'interval = "1s"\n[[source]]\nname = "live"\nurl = "{url}"\n[[output]]\nname = "all"\n'
    )
    atom = tmp_path / "feeds" / "all.atom"
    daemon = start_daemon(config)
    try:
        assert wait_for(lambda: atom.is_file() and b"First story" in atom.read_bytes(), 20), daemon.stderr
        feed_server.serve("/live.xml", feed("First story", "Second story"))
        assert wait_for(lambda: b"Second story" in atom.read_bytes(), 10)

        second = run_cli("run", config=config, timeout=30)
        assert second.returncode == 1
        assert "another syndicate daemon" in second.stderr and second.stderr.count("\n") == 1

        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    _, stderr = daemon.communicate()
    assert "Traceback" not in stderr
