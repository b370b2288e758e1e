"""Every command that prints stops quietly when its reader goes away (``| head -1``), issue #18.

Through a real pipe to a real ``head``: the output is larger than a pipe holds, so the writer
gets EPIPE mid-stream. Mutation killed: let friendly_errors catch BrokenPipeError as an internal
error (before: "internal error: BrokenPipeError", exit 2).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import REPO, run_cli, write_config


def _big_feed(count: int) -> str:
    body = "<p>" + "A long paragraph of the article body. " * 40 + "</p>"
    items = "".join(
        f"<item><title>Article {i}</title><link>http://example.org/{i}</link><guid>g{i}</guid>"
        f"<pubDate>Mon, 02 Jun 2025 10:{i % 60:02d}:00 GMT</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>http://example.org/</link>'
        f"<description>d</description>{items}</channel></rss>"
    )


@pytest.fixture(scope="module")
def big_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One source with 200 stored articles (~400 kB of JSON) and 600 more configured (~80 kB listed)."""
    folder = tmp_path_factory.mktemp("pipe")
    (folder / "big.xml").write_text(_big_feed(200), encoding="utf-8")
    many = "".join(
        f'[[source]]\nname = "a-rather-long-source-name-number-{n:04d}"\n'
        f'url = "http://127.0.0.1:9/some/long/path/to/the/feed/of/source/{n:04d}.xml"\n\n'
        for n in range(600)
    )
    config = write_config(folder, '[[source]]\nname = "big"\nurl = "big.xml"\n\n' + many)
    synced = run_cli("sync", "--source", "big", config=config)
    assert synced.returncode == 0, synced.stderr
    return config


@pytest.mark.parametrize("command", [("articles", "--json"), ("sources", "list"), ("sources", "export")], ids=" ".join)
def test_a_closed_pipe_ends_quietly(big_config: Path, command: tuple[str, ...]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-m", "syndicate", *command, "--config", str(big_config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert writer.stdout is not None
    head = subprocess.Popen(["head", "-c", "10"], stdin=writer.stdout, stdout=subprocess.PIPE)
    writer.stdout.close()  # only head reads it now: when head exits, the writer's next write fails
    head_out, _ = head.communicate(timeout=60)
    _, err = writer.communicate(timeout=60)
    assert len(head_out) == 10
    assert err.decode() == "", err.decode()
    assert writer.returncode in (0, 141)
