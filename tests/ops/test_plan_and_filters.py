"""``plan`` shows each item's attribution block (and ``--json``), a new target says what it does not
get, and per-target ``include`` / ``exclude`` filters (issue #18). Real syncs, a real feed server
and a real webhook receiver on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndicate.config import load_config
from syndicate.errors import ConfigError
from tests.distributed.receiver import WebhookReceiver
from tests.helpers.cli import run_cli, write_config
from tests.helpers.feedserver import FeedServer
from tests.ops.conftest import received_titles

DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'


def item(n: int, title: str, *, tag: str | None = None, author: str | None = None) -> str:
    category = f"<category>{tag}</category>" if tag else ""
    creator = f"<dc:creator>{author}</dc:creator>" if author else ""
    return (
        f"<item><title>{title}</title><link>http://council.example/{n}</link><guid>g{n}</guid>"
        f"<pubDate>Mon, 02 Jun 2025 1{n}:00:00 GMT</pubDate>{category}{creator}"
        f"<description>Body of {title}.</description></item>"
    )


def rss(*items: str) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0" {DC}><channel><title>Council</title>'
        f"<link>http://council.example/</link><description>d</description>{''.join(items)}</channel></rss>"
    )


FIVE = [item(n, f"Story {n}") for n in range(5)]


def _source(url: str) -> str:
    return f'[[source]]\nname = "council"\nurl = "{url}"\n\n'


def _target(hook: WebhookReceiver, extra: str = "") -> str:
    return f'[[target]]\nname = "hook"\ntype = "webhook"\nurl = "{hook.url}"\n{extra}\n'


def test_a_new_target_says_what_it_does_not_get(tmp_path: Path, servers: tuple[FeedServer, WebhookReceiver]) -> None:
    """Mutation: drop the note (before: a new target silently got nothing from the first pass)."""
    feeds, hook = servers
    url = feeds.serve("/feed.xml", rss(*FIVE))
    config = write_config(tmp_path, _source(url))
    assert run_cli("sync", config=config).returncode == 0
    config = write_config(tmp_path, _source(url) + _target(hook))

    note = "hook: new target, 5 stored articles not sent (backfill = 0)"
    planned = run_cli("plan", config=config)
    assert note in planned.stdout and "plan: nothing to send" in planned.stdout, planned.stdout
    as_json = json.loads(run_cli("plan", "--json", config=config).stdout)
    assert as_json == {"actions": [], "new_targets": [{"target": "hook", "not_sent": 5, "backfill": 0}]}
    synced = run_cli("sync", config=config)
    assert synced.returncode == 0, synced.stderr
    assert note in synced.stdout
    assert received_titles(hook) == []
    assert note not in run_cli("plan", config=config).stdout  # said once: the target is known now


def test_plan_shows_the_rendered_attribution_block(tmp_path: Path, servers: tuple[FeedServer, WebhookReceiver]) -> None:
    """Mutation: print_plan without the block (before: one line per item only)."""
    feeds, hook = servers
    url = feeds.serve("/feed.xml", rss(*FIVE))
    config = write_config(tmp_path, _source(url))
    assert run_cli("sync", config=config).returncode == 0
    config = write_config(tmp_path, _source(url) + _target(hook, "backfill = 2"))

    text = run_cli("plan", config=config).stdout
    assert "hook: new target, 3 stored articles not sent (backfill = 2)" in text
    assert "plan: 2 crosspost action(s), nothing sent" in text
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  create hook: Story 4"))
    block = []
    for line in lines[first + 1 :]:
        if not line.startswith("      | "):
            break
        block.append(line)
    assert block and any("http://council.example/4" in line for line in block), text

    actions = json.loads(run_cli("plan", "--json", config=config).stdout)["actions"]
    assert [a["title"] for a in actions] == ["Story 4", "Story 3"]
    assert all("http://council.example/" in a["attribution"] for a in actions)
    assert received_titles(hook) == []


def test_include_and_exclude_filters(tmp_path: Path, servers: tuple[FeedServer, WebhookReceiver]) -> None:
    """Mutation: _matches ignoring the filters (every article was sent)."""
    feeds, hook = servers
    url = feeds.serve("/feed.xml", rss(item(0, "Old story")))
    filters = 'include = { tags = ["syria"], authors = ["Jane Roe"] }\nexclude = { title_words = ["sponsored"] }'
    config = write_config(tmp_path, _source(url) + _target(hook, filters))
    assert run_cli("check", config=config).returncode == 0
    assert run_cli("sync", config=config).returncode == 0  # the target's first sight: nothing before it
    feeds.serve(
        "/feed.xml",
        rss(
            item(0, "Old story"),
            item(1, "Aleppo talks resume", tag="Syria"),
            item(2, "Sponsored: Syria tours", tag="Syria"),
            item(3, "Football results", tag="Sport"),
            item(4, "Idlib report", author="Jane Roe"),
            item(5, "Warnings about Syria", tag="Weather"),
        ),
    )
    synced = run_cli("sync", "--all", config=config)
    assert synced.returncode == 0, synced.stderr
    assert sorted(received_titles(hook)) == ["Aleppo talks resume", "Idlib report"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("{}", "target[0] (hook).include: give at least one of tags, categories, authors, title_words"),
        ('{ colour = ["red"] }', "target[0] (hook).include.colour: unknown key"),
        ('{ tags = [""] }', "an empty string matches nothing"),
    ],
)
def test_filters_are_validated(tmp_path: Path, value: str, problem: str) -> None:
    path = write_config(tmp_path, _target_text(value))
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_config(path, environ={})


def _target_text(include: str) -> str:
    return f'[[target]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\ninclude = {include}\n'
