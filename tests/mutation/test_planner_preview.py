"""``syndicate plan`` / ``sync --dry-run`` in process: ``crosspost/planner.py`` ``preview`` and the
lines and JSON it is printed as (``PlannedAction.describe`` / ``to_json``, ``PlanSummary.to_json``,
``NewTargetNote``).

tests/core/test_promises_end_to_end.py proves the same promise through the CLI, in a subprocess
mutmut cannot attribute; these tests are its in-process twin (docs/mutation-report.md).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))

from crosspost_helpers import (
    T0,
    edit_article,
    later,
    make_article,
    make_config,
    row_for,
    set_row,
    store_article,
    withdraw_article,
)

from syndicate.crosspost import deliver, plan, preview
from syndicate.crosspost.ledger import delivery_id
from syndicate.crosspost.planner import NewTargetNote, PlannedAction, PlanSummary, new_target_notes
from syndicate.models import Rights
from syndicate.store.schema import articles

ARR = Rights(holder="AP", statement="Copyright 2026 AP. All rights reserved.", license="all-rights-reserved",
             conditions=("permission-required",))


def files(tmp_path: Path, name: str = "site", **extra: object) -> dict[str, object]:
    return {"name": name, "type": "files", "path": str(tmp_path / name), **extra}


def hook(name: str = "hook", **extra: object) -> dict[str, object]:
    return {"name": name, "type": "webhook", "url": "http://127.0.0.1:9/hook", **extra}


def line(action: PlannedAction) -> tuple[object, ...]:
    return (action.target, action.delivery_id, action.article_id, action.title, action.url, action.action,
            action.state, action.reason)


def test_preview_lists_what_the_next_pass_does_once_each_and_nothing_settled(engine: Engine, tmp_path: Path) -> None:
    """Kills ``preview`` survivors: creates, a blocked create with its reason, an update, a delete, a
    retry that is due (from the ledger only: its article is older than the watermark) and one that is
    also a candidate (listed once), while what is settled is not listed: a delivered article unchanged,
    a failure still backing off, a blocked row already recorded; disabled targets are not looked at."""
    config = make_config(tmp_path, [files(tmp_path, delete=True), files(tmp_path, "off", enabled=False)])
    plan(engine, config, now=T0)
    store_article(engine, make_article("kept", title="Kept"), first_seen=later(1))
    edited = store_article(engine, make_article("edited", title="Edited"), first_seen=later(1))
    gone = store_article(engine, make_article("gone", title="Gone"), first_seen=later(1))
    store_article(engine, make_article("retry", title="Retry"), first_seen=later(1))
    both = store_article(engine, make_article("both", title="Both"), first_seen=later(1))
    wait = store_article(engine, make_article("wait", title="Wait"), first_seen=later(1))
    store_article(engine, make_article("old-arr", title="Old arr", rights=ARR), first_seen=later(1))
    plan(engine, config, now=later(2))
    deliver(engine, config, now=later(2))
    assert row_for(engine, "old-arr", "site")["state"] == "blocked"
    for name, due in (("retry", 5), ("both", 10), ("wait", 10.001)):
        set_row(engine, name, "site", state="failed", next_attempt_at=later(due), remote_id=None,
                delivered_hash=None)
    with engine.begin() as conn:  # older than the watermark: only the ledger's due rows bring it back
        conn.execute(update(articles).where(articles.c.id == "retry").values(changed_at=later(0.5)))
    store_article(engine, make_article("new", title="New"), first_seen=later(3))
    store_article(engine, make_article("arr", title="Arr", rights=ARR), first_seen=later(3))
    edit_article(engine, edited, content_html="<p>changed</p>", at=later(3))
    edit_article(engine, both, content_html="<p>changed</p>", at=later(3))
    edit_article(engine, wait, content_html="<p>changed</p>", at=later(3))
    withdraw_article(engine, gone, at=later(3))

    actions = preview(engine, config, now=later(10))
    url = "https://original.example/"
    blocked = ("all rights reserved / permission required, and no agreement with the source grants it"
               " (set [source].rights)")
    assert sorted(map(line, actions)) == sorted([
        ("site", delivery_id("new", "site"), "new", "New", url + "new", "create", "pending", None),
        ("site", delivery_id("arr", "site"), "arr", "Arr", url + "arr", "create", "blocked", blocked),
        ("site", delivery_id("edited", "site"), "edited", "Edited", url + "edited", "update", "pending", None),
        ("site", delivery_id("gone", "site"), "gone", "Gone", url + "gone", "delete", "pending",
         "withdrawn at the source"),
        ("site", delivery_id("retry", "site"), "retry", "Retry", url + "retry", "create", "pending", None),
        ("site", delivery_id("both", "site"), "both", "Both", url + "both", "create", "pending", None),
    ])
    for action in actions:  # the attribution block in the files target's format (markdown)
        assert action.attribution.startswith(f"---\n“[{action.title}]({action.url})” by Jane Writer")
    lines = sorted(a.describe() for a in actions)
    assert lines == [
        f"create site: Arr <{url}arr> [blocked: {blocked}]",
        f"create site: Both <{url}both>",
        f"create site: New <{url}new>",
        f"create site: Retry <{url}retry>",
        f"delete site: Gone <{url}gone>",
        f"update site: Edited <{url}edited>",
    ]
    # a failed row is due at its next_attempt_at, inclusive; before it, it is settled
    before_both = {a.article_id for a in preview(engine, config, now=later(9.999))}
    assert before_both == {"new", "arr", "edited", "gone", "retry"}
    assert {a.article_id for a in preview(engine, config, now=later(5))} == {"new", "arr", "edited", "gone", "retry"}
    assert {a.article_id for a in preview(engine, config, now=later(4))} == {"new", "arr", "edited", "gone"}


def test_the_attribution_is_rendered_in_each_target_s_format_and_a_broken_template_is_shown(
    engine: Engine, tmp_path: Path
) -> None:
    """Kills ``_planned`` / ``preview`` survivors: the block's format is the target's (HTML for a
    webhook, markdown for files), and a template that fails to render is shown as its error."""
    config = make_config(tmp_path, [hook(), files(tmp_path), files(tmp_path, "broken", template="{{ 1 / 0 }}")])
    plan(engine, config, now=T0)
    store_article(engine, make_article("new", title="New"), first_seen=later(1))
    by_target = {a.target: a for a in preview(engine, config, now=later(2))}
    assert sorted(by_target) == ["broken", "hook", "site"]
    assert by_target["hook"].attribution.startswith("<")
    assert 'href="https://original.example/new"' in by_target["hook"].attribution
    assert by_target["site"].attribution.startswith("---\n“[New](https://original.example/new)”")
    assert by_target["broken"].attribution == "(template error: ZeroDivisionError: division by zero)"


def test_planned_actions_print_as_one_line_and_as_json() -> None:
    """Kills ``PlannedAction.describe`` / ``to_json`` survivors (``plan`` and ``plan --json`` print them)."""
    held = PlannedAction(target="t", delivery_id="d", article_id="a", title="T", url="https://x.example/",
                         action="update", state="held", reason="on hold", attribution="block")
    assert held.describe() == "update t: T <https://x.example/> [held: on hold]"
    assert held.to_json() == {"target": "t", "delivery_id": "d", "article_id": "a", "title": "T",
                              "url": "https://x.example/", "action": "update", "state": "held",
                              "reason": "on hold", "attribution": "block"}
    pending = PlannedAction("t", "d", "a", "T", "https://x.example/", "create", "pending", None, "b")
    assert pending.describe() == "create t: T <https://x.example/>"


def test_plan_summary_and_new_target_notes(engine: Engine, tmp_path: Path) -> None:
    """Kills ``PlanSummary.to_json``, ``NewTargetNote`` and ``new_target_notes`` survivors: a target
    seen for the first time is told how many stored articles it does not get (one or several)."""
    for n in range(3):
        store_article(engine, make_article(f"a{n}", title=f"A{n}"), first_seen=T0 - timedelta(hours=n))
    config = make_config(tmp_path, [files(tmp_path, backfill=1), files(tmp_path, "two", backfill=2)])
    assert new_target_notes(engine, config, now=T0) == [NewTargetNote("site", 2, 1), NewTargetNote("two", 1, 2)]
    summary = plan(engine, config, now=T0)
    assert summary.to_json() == {
        "targets": 2, "considered": 3, "creates": 3, "updates": 0, "deletes": 0, "blocked": 0, "held": 0,
        "unchanged": 0, "new_targets": ["site", "two"],
        "notes": ["site: new target, 2 stored articles not sent (backfill = 1)",
                  "two: new target, 1 stored article not sent (backfill = 2)"],
    }
    assert summary.notes[0].to_json() == {"target": "site", "not_sent": 2, "backfill": 1}
    assert new_target_notes(engine, config, now=T0) == []  # registered now
    assert PlanSummary().to_json()["notes"] == []


def test_held_and_blocked_rows_are_decided_again_when_the_terms_change(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_recheck`` survivors: an article that did not change is looked at again when its row
    is held or blocked (the configuration may now allow it), for this target only."""
    nc = Rights(holder="Outlet", license="CC-BY-NC-4.0", conditions=("attribution", "noncommercial"),
                license_url="https://creativecommons.org/licenses/by-nc/4.0/")
    strict = make_config(tmp_path, [files(tmp_path, on_unknown_rights="hold", commercial=True),
                                    files(tmp_path, "other")])
    plan(engine, strict, now=T0)
    store_article(engine, make_article("unknown", title="Unknown", rights=Rights()), first_seen=later(1))
    store_article(engine, make_article("nc", title="Nc", rights=nc), first_seen=later(1))
    plan(engine, strict, now=later(2))
    deliver(engine, strict, now=later(2))  # the other target gets both
    assert [row_for(engine, a, "site")["state"] for a in ("unknown", "nc")] == ["held", "blocked"]
    with engine.begin() as conn:  # older than the watermark: only the held/blocked rows bring them back
        conn.execute(update(articles).values(changed_at=later(0.5)))
    assert preview(engine, strict, now=later(3)) == []  # settled: nothing changed
    relaxed = make_config(tmp_path, [files(tmp_path), files(tmp_path, "other")])
    listed = sorted((a.target, a.article_id, a.action, a.state) for a in preview(engine, relaxed, now=later(3)))
    assert listed == [("site", "nc", "create", "pending"), ("site", "unknown", "create", "pending")]


def test_a_withdrawal_is_owed_once_delete_is_turned_on(engine: Engine, tmp_path: Path) -> None:
    """Kills the withdrawn half of ``_recheck``: an article withdrawn before the watermark, whose post
    exists (or whose row was never sent), is owed a delete once the target deletes, on this target only."""
    keep = make_config(tmp_path, [files(tmp_path), files(tmp_path, "other")])
    plan(engine, keep, now=T0)
    for name in ("sent", "unsent"):
        store_article(engine, make_article(name, title=name.title()), first_seen=later(1))
    plan(engine, keep, now=later(2))
    deliver(engine, keep, now=later(2))
    set_row(engine, "unsent", "site", state="sending", remote_id=None)  # in flight while the plan runs
    for name in ("sent", "unsent"):
        withdraw_article(engine, store_article_row(engine, name), at=later(3))
    plan(engine, keep, now=later(4))  # nothing to do: the target does not delete, and "unsent" is in flight
    set_row(engine, "unsent", "site", state="failed", next_attempt_at=later(50))  # then its send failed
    with engine.begin() as conn:
        conn.execute(update(articles).values(changed_at=later(0.5)))
    deleting = make_config(tmp_path, [files(tmp_path, delete=True), files(tmp_path, "other")])
    listed = [(a.target, a.article_id, a.action, a.state, a.reason) for a in preview(engine, deleting, now=later(5))]
    assert sorted(listed) == [
        ("site", "sent", "delete", "pending", "withdrawn at the source"),
        ("site", "unsent", "create", "blocked", "withdrawn at the source before it was sent"),
    ]


def test_the_watermark_is_the_newest_change_not_the_first_sight(engine: Engine, tmp_path: Path) -> None:
    """Kills ``_candidates`` survivors that date a candidate by when it was first seen."""
    from syndicate.store.codec import aware
    from syndicate.store.schema import targets

    config = make_config(tmp_path, [files(tmp_path)])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article("a", title="A"), first_seen=later(1))
    edit_article(engine, article, content_html="<p>changed</p>", at=later(3))
    plan(engine, config, now=later(4))
    with engine.connect() as conn:
        (mark,) = conn.execute(select(targets.c.watermark).where(targets.c.name == "site")).one()
    assert aware(mark) == later(3)


def test_due_rows_are_this_target_s_retryable_ones_with_their_reason(engine: Engine, tmp_path: Path) -> None:
    """Kills ``preview`` / ``_due_rows`` survivors: a due row of another target, a row being sent,
    and a due row already listed (ordered first) do not stop or add to the list; the row's reason
    is shown; a relative ``template_file`` is read beside the configuration."""
    (tmp_path / "block.md.j2").write_text("Via {{ publisher }}", encoding="utf-8")
    config = make_config(tmp_path, [files(tmp_path, template_file="block.md.j2"), files(tmp_path, "other")])
    plan(engine, config, now=T0)
    for name in ("early", "retry", "sending"):
        store_article(engine, make_article(name, title=name.title()), first_seen=later(1))
    plan(engine, config, now=later(2))
    deliver(engine, config, now=later(2))
    set_row(engine, "early", "site", state="failed", next_attempt_at=later(4), remote_id=None)
    set_row(engine, "retry", "site", state="failed", next_attempt_at=later(5), remote_id=None,
            reason="released by alice")
    set_row(engine, "sending", "site", state="sending", next_attempt_at=later(3))
    set_row(engine, "retry", "other", state="failed", next_attempt_at=later(5), remote_id=None)
    edit_article(engine, store_article_row(engine, "early"), content_html="<p>changed</p>", at=later(3))
    with engine.begin() as conn:  # older than the watermark: only the ledger's due rows bring it back
        conn.execute(update(articles).where(articles.c.id.in_(["retry", "sending"])).values(changed_at=later(0.5)))
    actions = preview(engine, config, now=later(10))
    assert sorted((a.target, a.article_id, a.action, a.state, a.reason) for a in actions) == [
        ("other", "early", "update", "pending", None),
        ("other", "retry", "create", "pending", None),
        ("site", "early", "create", "pending", None),
        ("site", "retry", "create", "pending", "released by alice"),
    ]
    assert {a.attribution for a in actions if a.target == "site"} == {"Via Original Outlet"}


def store_article_row(engine: Engine, article_id: str) -> Any:
    from syndicate.store.codec import row_to_article

    with engine.connect() as conn:
        row = conn.execute(select(articles).where(articles.c.id == article_id)).one()
    return row_to_article(dict(row._mapping))
