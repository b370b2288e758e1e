"""``sync --dry-run``: the whole pass, on a scratch copy, so that nothing real changes.

The SQLite database is copied (with SQLite's online backup, so a running daemon is no
problem) and the feeds folder too, into a temporary folder; the pass runs there with
crossposting replaced by its preview, and the folder is deleted afterwards. The sources are
really fetched (with the stored validators, so a 304 is a 304), which is the only thing
the outside world sees; the database, the feeds and the targets are left as they were.

A database that is not a SQLite file cannot be copied this way: the dry run is refused
with a hint (``syndicate plan`` shows what would be sent without fetching).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syndicate.errors import ConfigError
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import PassSummary, run_pass

_SQLITE = "sqlite:///"


def _sqlite_file(ctx: Context) -> Path:
    url = ctx.config.database_url
    if not url.startswith(_SQLITE) or url == "sqlite:///:memory:":
        scheme = url.split(":", 1)[0]
        raise ConfigError(
            f"{ctx.config.path}: syndicate.database: `sync --dry-run` runs the pass on a copy of a SQLite "
            f"database, and this one is {scheme}; `syndicate plan` shows what would be sent without fetching"
        )
    return Path(url[len(_SQLITE) :])


def _copy_database(source: Path, destination: Path) -> None:
    if not source.exists():
        return  # a first run: the pass creates a fresh database in the scratch folder
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as original, sqlite3.connect(destination) as copy:
        original.backup(copy)
    original.close()
    copy.close()


def dry_run_pass(
    ctx: Context,
    *,
    only: list[str] | None = None,
    force: bool = False,
    progress: Callable[[Any], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> PassSummary:
    """Run one pass on a scratch copy of the database and feeds; return what it did there."""
    database = _sqlite_file(ctx)
    with tempfile.TemporaryDirectory(prefix="syndicate-dry-run-") as folder:
        scratch = Path(folder)
        _copy_database(database, scratch / "syndicate.db")
        feeds = ctx.config.feeds_dir
        if feeds.is_dir():
            shutil.copytree(feeds, scratch / "feeds")
        settings = ctx.config.syndicate.model_copy(
            update={"database": f"{_SQLITE}{scratch / 'syndicate.db'}", "feeds_dir": str(scratch / "feeds")}
        )
        scratch_ctx = Context.open(config=ctx.config.model_copy(update={"syndicate": settings}))
        try:
            summary = run_pass(scratch_ctx, only=only, force=force, dry_run=True, progress=progress, on_start=on_start)
        finally:
            scratch_ctx.close()
    summary.dry_run = True
    return summary
