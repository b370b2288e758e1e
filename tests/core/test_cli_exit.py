"""``exit_now``: the command line leaves without the interpreter's teardown, and loses nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers.cli import REPO, run_cli, write_config


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "TMP": str(tmp_path)},
    )


def test_buffered_output_and_status_survive(tmp_path: Path) -> None:
    result = _python(
        """
        import sys
        from syndicate.cli.main import exit_now
        sys.stdout.write("x" * 300_000)  # more than a pipe holds: written by the flush
        sys.stderr.write("last words")
        exit_now(3)
        """,
        tmp_path,
    )
    assert result.returncode == 3
    assert result.stdout == "x" * 300_000
    assert result.stderr == "last words"


def test_exit_handlers_run(tmp_path: Path) -> None:
    result = _python(
        """
        import atexit, logging, os
        from syndicate.cli.main import exit_now
        handler = logging.FileHandler(os.path.join(os.environ["TMP"], "log.txt"), delay=False)
        logging.getLogger("t").addHandler(handler)
        logging.getLogger("t").warning("kept")
        atexit.register(lambda: open(os.path.join(os.environ["TMP"], "atexit.txt"), "w").write("ran"))
        exit_now(None)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "atexit.txt").read_text() == "ran"
    assert (tmp_path / "log.txt").read_text() == "kept\n"


def test_a_message_status_is_printed_and_exits_1(tmp_path: Path) -> None:
    result = _python("from syndicate.cli.main import exit_now\nexit_now('gone wrong')", tmp_path)
    assert (result.returncode, result.stderr) == (1, "gone wrong\n")


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    result = _python(
        """
        import os, threading, time
        from syndicate.cli.main import exit_now
        def late():
            time.sleep(0.5)
            open(os.path.join(os.environ["TMP"], "late.txt"), "w").write("done")
        threading.Thread(target=late).start()
        exit_now(0)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "late.txt").read_text() == "done"


def test_the_command_line_keeps_its_statuses(tmp_path: Path) -> None:
    version = run_cli("--version")
    assert version.returncode == 0 and "syndicate" in version.stdout
    missing = run_cli("sync", config=tmp_path / "missing.toml")
    assert missing.returncode == 1
    assert missing.stderr.startswith("syndicate: error:") and missing.stderr.count("\n") == 1
    usage = run_cli("sync", "--no-such-option")
    assert usage.returncode == 1 and "No such option" in usage.stderr  # INTERFACE.md: usage errors exit 1


def test_the_database_is_closed_on_the_way_out(tmp_path: Path) -> None:
    """SQLite checkpoints and removes its WAL when the last connection closes: the quick exit
    must not leave that to the next process (it would replay the whole WAL of a cold sync)."""
    feed = REPO / "tests" / "data" / "parse" / "rss20_full.xml"
    config = write_config(tmp_path, f'[[source]]\nname = "one"\nurl = "file://{feed}"\n')
    result = run_cli("sync", "--json", config=config)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "syndicate.db").stat().st_size > 0
    wal = tmp_path / "syndicate.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_profiler_still_writes_its_profile(tmp_path: Path) -> None:
    """Under cProfile (or coverage), the ordinary exit is kept: they write their data at exit."""
    out = tmp_path / "sync.prof"
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "syndicate", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
