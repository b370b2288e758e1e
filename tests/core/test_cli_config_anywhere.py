"""``--config`` works before and after every command and sub-command name (issue #18).

The commands are enumerated from the click tree itself, so a command added later is run here
too (with no arguments, unless it has a case below): the default configuration's database must
never be touched when another configuration is named, whichever side of the name it is on.

Mutation killed: drop the group-level ``--config`` (``syndicate --config X sync`` → "No such
option"), or take the sub-command's own value only (``deliveries --config X release ID`` then
releases the delivery in the default database, the bug the issue reproduced).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from sqlalchemy import insert

from syndicate.cli.main import load_commands
from syndicate.config import load_config
from syndicate.pipeline.context import Context
from syndicate.store.schema import deliveries
from tests.helpers.cli import REPO

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><link>http://example.org/</link>
<description>d</description><item><title>One</title><link>http://example.org/1</link><guid>g1</guid>
<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate><description>Body one.</description></item></channel></rss>"""

OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
<outline text="Imported" type="rss" xmlUrl="http://127.0.0.1:9/imported.xml"/></body></opml>"""

HELD_ID = "0123456789abcdef0123456789abcdef"  # a delivery id as the ledger writes them (32 hex)


def _config(database: str) -> str:
    return (
        f'[syndicate]\nfeeds_dir = "feeds"\ndatabase = "sqlite:///{database}"\n\n'
        '[[source]]\nname = "local"\nurl = "feed.xml"\n\n'
        '[[output]]\nname = "all"\n'
    )


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command a user can run: leaves, and groups that do something on their own."""
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                yield path
            yield from command_paths(command, path)
        else:
            yield path


ALL_COMMANDS = sorted(command_paths(load_commands()))

# arguments, and what shows the named configuration was the one used:
#   "db": its database was opened (created); "edit": its file was changed; "release": the held
#   delivery in its database was released; "daemon": started, opened its database, stopped by SIGTERM
CASES: dict[tuple[str, ...], tuple[list[str], str]] = {
    ("articles",): ([], "db"),
    ("check",): ([], "names-file"),
    ("db", "upgrade"): ([], "db"),
    ("deliveries",): ([], "db"),
    ("deliveries", "release"): ([HELD_ID], "release"),
    ("plan",): ([], "db"),
    ("run",): ([], "daemon"),
    ("serve",): (["--port", "0"], "daemon"),
    ("sources", "add"): (["added", "http://127.0.0.1:9/added.xml", "--no-check"], "edit"),
    ("sources", "disable"): (["local"], "db"),
    ("sources", "enable"): (["local"], "db"),
    ("sources", "export"): ([], "db"),
    ("sources", "import"): (["list.opml"], "edit"),
    ("sources", "list"): ([], "db"),
    ("sources", "remove"): (["local"], "edit"),
    ("status",): ([], "db"),
    ("sync",): (["--all"], "db"),
    ("worker",): ([], "db"),  # refuses (executor is not celery), after opening the database
}


def _hold_one(config_path: Path) -> None:
    ctx = Context.open(config=load_config(config_path))
    now = datetime.now(UTC)
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(deliveries).values(
                id=HELD_ID,
                article_id="a1",
                target="hook",
                state="held",
                action="create",
                attempts=0,
                created_at=now,
                updated_at=now,
                reason="unknown terms",
            )
        )
    ctx.close()


def _state(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        return str(conn.execute("SELECT state FROM deliveries WHERE id = ?", (HELD_ID,)).fetchone()[0])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default database with a held delivery, made once (the migrations take a while)."""
    seed = tmp_path_factory.mktemp("seed")
    (seed / "config").mkdir()
    (seed / "config" / "syndicate.toml").write_text(_config("default.db"))
    _hold_one(seed / "config" / "syndicate.toml")
    return seed / "config" / "default.db"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def _run(args: list[str], cwd: Path, daemon: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SYNDICATE_CONFIG", None)
    command = [sys.executable, "-m", "syndicate", *args]
    if not daemon:
        return subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (cwd / "other" / "other.db").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_uses_the_named_config(tmp_path: Path, seeded: Path, path: tuple[str, ...], where: str) -> None:
    (tmp_path / "config").mkdir()
    default_toml = tmp_path / "config" / "syndicate.toml"
    default_toml.write_text(_config("default.db"))
    default_db = tmp_path / "config" / "default.db"
    shutil.copy(seeded, default_db)
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = other_dir / "other.toml"
    other.write_text(_config("other.db"))
    (other_dir / "feed.xml").write_text(FEED)
    (tmp_path / "list.opml").write_text(OPML)
    args, check = CASES.get(path, ([], "generic"))
    if check == "release":
        _hold_one(other)
    before = (_digest(default_db), default_toml.read_text(), other.read_text())

    *groups, leaf = path
    if where == "before":  # right after the name of the group holding the command (or the program's)
        command = [*groups, "--config", str(other), leaf, *args]
    else:
        command = [*path, *args, "--config", str(other)]
    result = _run(command, tmp_path, daemon=check == "daemon")

    assert "No such option" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert (_digest(default_db), default_toml.read_text()) == before[:2], f"{path}: the default config was used"
    assert not (tmp_path / "config" / "feeds").exists()
    if check in ("db", "daemon"):
        assert (other_dir / "other.db").exists(), f"{path}: the named config's database was not opened\n{result.stderr}"
    elif check == "edit":
        assert result.returncode == 0, result.stderr
        assert other.read_text() != before[2]
    elif check == "names-file":
        assert result.returncode == 0, result.stderr
        assert str(other) in result.stdout
    elif check == "release":
        assert result.returncode == 0, result.stderr
        assert _state(other_dir / "other.db") == "pending"


def test_two_different_files_are_refused(tmp_path: Path) -> None:
    result = _run(["--config", "a.toml", "check", "--config", "b.toml"], tmp_path, daemon=False)
    assert result.returncode == 1
    assert "--config given twice" in result.stderr


def test_every_command_is_enumerated() -> None:
    """The click tree is walked (the cases above are only arguments): nothing is left out."""
    assert set(CASES) <= set(ALL_COMMANDS)
    assert ("deliveries", "release") in ALL_COMMANDS and ("sync",) in ALL_COMMANDS
