"""``sync --dry-run`` changes nothing: no fetch state, no articles, no outputs, no crossposts (issue #18).

Through the real command line, with a real feed server and a real webhook receiver on 127.0.0.1.
Mutation killed: the CLI running the ordinary pass for ``--dry-run`` (``run_pass`` on the real
context, as before: it stored the articles, wrote the feeds and the receiver got the post).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.distributed.receiver import WebhookReceiver
from tests.helpers.cli import run_cli, write_config
from tests.helpers.feedserver import FeedServer
from tests.helpers.services import require_service
from tests.ops.conftest import received_titles


def rss(*titles: str) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>http://example.org/{t}</link><guid>{t}</guid>"
        f"<pubDate>Mon, 02 Jun 2025 1{i}:00:00 GMT</pubDate><description>About {t}.</description></item>"
        for i, t in enumerate(titles)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Council</title>'
        f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>"
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (database, WAL, feeds) → its digest."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "syndicate.toml"
    }


def test_dry_run_changes_nothing(tmp_path: Path, servers: tuple[FeedServer, WebhookReceiver]) -> None:
    feeds, hook = servers
    url = feeds.serve("/feed.xml", rss("One"))
    config = write_config(
        tmp_path,
        f'[[source]]\nname = "council"\nurl = "{url}"\n\n[[output]]\nname = "all"\n\n'
        f'[[target]]\nname = "hook"\ntype = "webhook"\nurl = "{hook.url}"\nbackfill = 5\n',
    )
    first = run_cli("sync", config=config)
    assert first.returncode == 0, first.stderr
    assert received_titles(hook) == ["One"]

    feeds.serve("/feed.xml", rss("One", "Two"))
    before = snapshot(tmp_path)
    dry = run_cli("sync", "--all", "--dry-run", "--json", config=config)
    assert dry.returncode == 0, dry.stderr
    assert received_titles(hook) == ["One"], "the dry run sent a crosspost"
    assert snapshot(tmp_path) == before, "the dry run changed the database or the feeds"
    summary = json.loads(dry.stdout)
    assert summary["dry_run"] is True
    assert summary["articles"]["new"] == 1  # it did fetch and process: what a pass would find
    assert [(a["action"], a["title"]) for a in summary["plan"]] == [("create", "Two")]

    text = run_cli("sync", "--all", "--dry-run", config=config)
    assert "create hook: Two" in text.stdout and "nothing stored, written or sent" in text.stdout, text.stdout
    assert snapshot(tmp_path) == before

    real = run_cli("sync", "--all", config=config)  # what the dry run showed is what a pass does
    assert real.returncode == 0, real.stderr
    assert received_titles(hook) == ["One", "Two"]


def test_a_database_that_cannot_be_copied_is_refused_with_a_hint(tmp_path: Path) -> None:
    """A dry run needs a scratch copy; PostgreSQL (real, 127.0.0.1:5432) gets a clear refusal, not a real pass."""
    from tests.distributed.services import create_database

    created = create_database()
    if created is None:
        require_service("PostgreSQL", "not reachable on 127.0.0.1:5432")
    url, drop = created
    try:
        (tmp_path / "feed.xml").write_text(rss("One"))
        config = tmp_path / "syndicate.toml"
        config.write_text(f'[syndicate]\ndatabase = "{url}"\n[[source]]\nname = "local"\nurl = "feed.xml"\n')
        result = run_cli("sync", "--dry-run", config=config)
        assert result.returncode == 1
        assert "`sync --dry-run` runs the pass on a copy of a SQLite database" in result.stderr
        assert "syndicate plan" in result.stderr and result.stderr.count("\n") == 1
        assert json.loads(run_cli("articles", "--json", config=config).stdout or "null") is None  # nothing stored
    finally:
        drop()
