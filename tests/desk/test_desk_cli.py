"""The CLI's side of the review job: ``deliveries`` with a header and titles, release/hold/reject by a
unique id prefix, ``audit``, and the attribution override shown by ``articles``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.desk.desk_helpers import make_project
from tests.helpers.cli import articles_json, run_cli


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = make_project(tmp_path, "http://127.0.0.1:9/hook")
    assert run_cli("sync", config=path).returncode == 0
    return path


def rows(config: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in run_cli("deliveries", "--json", config=config).stdout.splitlines()]


def test_deliveries_prints_a_header_and_titles(config: Path) -> None:
    out = run_cli("deliveries", config=config).stdout.splitlines()
    assert out[0].split() == ["ID", "TARGET", "STATE", "TITLE", "REASON", "/", "URL"]
    assert any("Ferry timetable agreed" in line and "held" in line for line in out[1:])
    assert any("Closed wire exclusive" in line and "blocked" in line for line in out[1:])


def test_release_hold_reject_by_prefix_and_audit(config: Path) -> None:
    """Kills: a prefix not resolved (release wanted the full id), reject/hold not audited, a reject
    that a later pass undoes."""
    held = [r for r in rows(config) if r["state"] == "held"]
    first, second, third = (str(r["id"]) for r in held)
    done = run_cli("deliveries", "release", first[:8], "--reason", "ok by phone", config=config)
    assert done.returncode == 0 and done.stdout.strip() == f"released {first}"
    assert run_cli("deliveries", "reject", second[:6], config=config).stdout.strip() == f"rejected {second}"
    assert run_cli("deliveries", "hold", first[:6], config=config).stdout.strip() == f"held {first}"
    states = {r["id"]: r["state"] for r in rows(config)}
    assert states[first] == "held" and states[second] == "rejected" and states[third] == "held"
    run_cli("sync", config=config)
    states = {r["id"]: r["state"] for r in rows(config)}
    assert states[second] == "rejected" and states[first] == "held"
    trail = [json.loads(line) for line in run_cli("audit", "--json", config=config).stdout.splitlines()]
    assert [(a["action"], a["subject"]) for a in trail] == [("hold", first), ("reject", second), ("release", first)]
    assert all(a["actor"].startswith("cli") for a in trail) and trail[-1]["reason"] == "ok by phone"
    table = run_cli("audit", config=config).stdout
    assert table.splitlines()[0].split() == ["WHEN", "WHO", "ACTION", "SUBJECT", "WHY"] and "ok by phone" in table


def test_bad_prefixes_are_one_clear_line(config: Path) -> None:
    too_short = run_cli("deliveries", "release", "ab", config=config)
    assert too_short.returncode == 1 and "at least 4 hex digits" in too_short.stderr
    unknown = run_cli("deliveries", "release", "ffffffffff", config=config)
    assert unknown.returncode == 1 and "no delivery ffffffffff" in unknown.stderr
    ids = [str(r["id"]) for r in rows(config)]
    shared = next((a[:4] for a in ids for b in ids if a != b and a[:4] == b[:4]), None)
    if shared is not None:  # ids are hashes: a shared 4-digit prefix is not guaranteed
        assert "matches several" in run_cli("deliveries", "release", shared, config=config).stderr
    delivered_like = next(str(r["id"]) for r in rows(config) if r["state"] == "held")
    run_cli("deliveries", "reject", delivered_like, config=config)
    again = run_cli("deliveries", "hold", delivered_like, config=config)
    assert again.returncode == 1 and "is not pending, failed or blocked" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_articles_shows_the_attribution_override(config: Path) -> None:
    """Kills: an override stored but not applied to the article (or not shown with who/when)."""
    from datetime import UTC, datetime

    from syndicate.config import load_config
    from syndicate.pipeline.context import Context
    from syndicate.store.overrides import set_override

    article = next(a for a in articles_json(config) if a["title"] == "Fish market reopens")
    ctx = Context.open(config=load_config(config, environ={"DESK_TEST_PASSWORD": "x"}))
    try:
        set_override(ctx.engine, article["id"], {"original_author": "Grace Reporter", "license": "CC-BY-NC-4.0"},
                     actor="editor", now=datetime.now(UTC), reason="print edition")
    finally:
        ctx.close()
    shown = next(a for a in articles_json(config) if a["id"] == article["id"])
    assert shown["attribution"]["original_author"] == "Grace Reporter"
    assert shown["rights"]["license"] == "CC-BY-NC-4.0"
    assert shown["rights"]["conditions"] == ["attribution", "noncommercial"]
    assert shown["attribution_override"]["set_by"] == "editor"
    assert shown["attribution_override"]["fields"]["original_author"] == "Grace Reporter"
    # the feed changes (a new item body): the merge runs again and the correction stays
    feed = config.parent / "harbor.rss"
    feed.write_text(feed.read_text().replace("new ferry timetable.", "new ferry timetable, again."))
    assert run_cli("sync", "--all", config=config).returncode in (0, 3)  # 3: the webhook on port 9 is down
    again = next(a for a in articles_json(config) if a["id"] == article["id"])
    assert again["attribution"]["original_author"] == "Grace Reporter"
