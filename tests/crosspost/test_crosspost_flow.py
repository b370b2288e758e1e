"""Plan → deliver → ledger, end to end with the files target (real files, real SQLite)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crosspost_helpers import (
    T0,
    all_rows,
    edit_article,
    later,
    make_article,
    make_config,
    row_for,
    store_article,
    withdraw_article,
)
from sqlalchemy import Engine, select

from syndicate.crosspost import deliver, plan, preview
from syndicate.crosspost.ledger import counts_by_target, delivery_id, list_deliveries, release
from syndicate.models import Rights
from syndicate.store.codec import aware
from syndicate.store.schema import targets


def files_target(tmp_path: Path, **extra: object) -> dict[str, object]:
    return {"name": "site", "type": "files", "path": str(tmp_path / "content"), **extra}


def md_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "content").glob("*.md")) if (tmp_path / "content").exists() else []


def test_create_then_second_deliver_sends_nothing(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path)])
    plan(engine, config, now=T0)  # first sight: registers the target
    article = store_article(engine, make_article(), first_seen=later(1))
    summary = plan(engine, config, now=later(2))
    assert summary.creates == 1
    result = deliver(engine, config, now=later(2))
    assert (result.delivered, result.failed, result.errors) == (1, 0, [])
    row = row_for(engine, article.id, "site")
    assert row["state"] == "delivered" and row["delivered_hash"] == article.content_hash
    assert row["remote_id"] and Path(row["remote_id"]).is_file()
    assert len(md_files(tmp_path)) == 1

    again = plan(engine, config, now=later(3))
    assert again.creates == again.updates == 0
    second = deliver(engine, config, now=later(3))
    assert (second.delivered, second.updated) == (0, 0)
    assert len(md_files(tmp_path)) == 1


def test_edit_becomes_update_and_withdrawal_a_delete(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path, delete=True)])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    deliver(engine, config, now=later(1))
    edited = edit_article(engine, article, content_html="<p>Corrected text, EDITED.</p>", at=later(5))
    summary = plan(engine, config, now=later(6))
    assert summary.updates == 1
    result = deliver(engine, config, now=later(6))
    assert result.updated == 1
    (path,) = md_files(tmp_path)
    assert "Corrected text, EDITED." in path.read_text()
    assert row_for(engine, article.id, "site")["delivered_hash"] == edited.content_hash

    withdraw_article(engine, article, at=later(10))
    assert plan(engine, config, now=later(11)).deletes == 1
    assert deliver(engine, config, now=later(11)).deleted == 1
    assert md_files(tmp_path) == []
    row = row_for(engine, article.id, "site")
    assert (row["state"], row["action"]) == ("delivered", "delete")
    assert plan(engine, config, now=later(12)).deletes == 0


def test_no_flood_when_a_target_is_added_only_backfill(engine: Engine, tmp_path: Path) -> None:
    old = [store_article(engine, make_article(published=T0 - timedelta(days=i)), first_seen=T0 - timedelta(days=i))
           for i in range(5)]
    config = make_config(tmp_path, [files_target(tmp_path, backfill=2)])
    summary = plan(engine, config, now=later(1))
    assert summary.new_targets == ["site"] and summary.creates == 2
    planned = {r["article_id"] for r in all_rows(engine)}
    assert planned == {old[0].id, old[1].id}  # the two newest
    # later plans do not pick up the rest, but do pick up new articles
    new = store_article(engine, make_article(), first_seen=later(30))
    plan(engine, config, now=later(31))
    assert {r["article_id"] for r in all_rows(engine)} == {old[0].id, old[1].id, new.id}
    assert deliver(engine, config, now=later(31)).delivered == 3


def test_articles_of_other_sources_are_not_planned(engine: Engine, tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        [files_target(tmp_path, sources=["outlet"])],
        sources=[{"name": "outlet", "url": "https://o.example/f"}, {"name": "other", "url": "https://x.example/f"}],
    )
    plan(engine, config, now=T0)
    store_article(engine, make_article(source="other"), first_seen=later(1))
    mine = store_article(engine, make_article(source="outlet"), first_seen=later(1))
    plan(engine, config, now=later(2))
    assert [r["article_id"] for r in all_rows(engine)] == [mine.id]


def test_plan_is_incremental(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path)])
    plan(engine, config, now=T0)
    for minute in (1, 2, 3):
        store_article(engine, make_article(), first_seen=later(minute))
    assert plan(engine, config, now=later(4)).considered == 3
    with engine.connect() as conn:
        assert aware(conn.execute(select(targets.c.watermark)).scalar()) == later(3)
    store_article(engine, make_article(), first_seen=later(5))
    # only what changed since the watermark is looked at (plus the article at the mark itself)
    assert plan(engine, config, now=later(6)).considered == 2
    assert plan(engine, config, now=later(7)).considered == 1


def _snapshot(engine: Engine) -> list[list[tuple[object, ...]]]:
    from syndicate.store.schema import articles, deliveries

    with engine.connect() as conn:
        return [sorted(tuple(r) for r in conn.execute(select(table))) for table in (targets, deliveries, articles)]


def test_dry_run_and_preview_write_nothing(engine: Engine, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    sqlite = engine.dialect.name == "sqlite"
    config = make_config(tmp_path, [files_target(tmp_path, backfill=1)])
    article = store_article(engine, make_article(), first_seen=T0)
    engine.dispose()
    before = db.read_bytes() if sqlite else b""
    tables = _snapshot(engine)
    actions = preview(engine, config, now=later(1))
    assert [(a.article_id, a.action, a.state) for a in actions] == [(article.id, "create", "pending")]
    assert "Jane Writer" in actions[0].attribution and article.url in actions[0].attribution
    summary = deliver(engine, config, now=later(1), dry_run=True)
    assert summary.dry_run and summary.delivered == 0
    engine.dispose()
    assert (db.read_bytes() if sqlite else b"") == before
    assert _snapshot(engine) == tables
    assert md_files(tmp_path) == []
    assert all_rows(engine) == []


def test_blocked_by_terms_then_released_by_hand(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path)])
    plan(engine, config, now=T0)
    arr = Rights(holder="AP", statement="Copyright 2026 AP. All rights reserved.", license="all-rights-reserved",
                 conditions=("permission-required",))
    article = store_article(engine, make_article(rights=arr), first_seen=later(1))
    summary = plan(engine, config, now=later(1))
    assert summary.blocked == 1
    row = row_for(engine, article.id, "site")
    assert row["state"] == "blocked" and "permission" in row["reason"]
    assert deliver(engine, config, now=later(1)).blocked == 1
    assert md_files(tmp_path) == []
    assert counts_by_target(engine) == {"site": {"blocked": 1}}
    assert [d["state"] for d in list_deliveries(engine, target="site")] == ["blocked"]

    assert release(engine, delivery_id(article.id, "site"), now=later(2))
    assert not release(engine, "no-such-id")
    plan(engine, config, now=later(3))  # a release is not undone by the next plan
    assert row_for(engine, article.id, "site")["state"] == "pending"
    assert deliver(engine, config, now=later(3)).delivered == 1
    assert len(md_files(tmp_path)) == 1


def test_source_agreement_unblocks(engine: Engine, tmp_path: Path) -> None:
    arr = Rights(holder="Outlet", license="all-rights-reserved", conditions=("permission-required",))
    sources = [{"name": "outlet", "url": "https://o.example/f",
                "rights": {"license": "permission", "conditions": ["attribution", "link-to-original"]}}]
    config = make_config(tmp_path, [files_target(tmp_path)], sources=sources)
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(rights=arr), first_seen=later(1))
    plan(engine, config, now=later(1))
    assert row_for(engine, article.id, "site")["state"] == "pending"


def test_terms_change_reevaluates_blocked_rows(engine: Engine, tmp_path: Path) -> None:
    arr = Rights(holder="Outlet", license="all-rights-reserved", conditions=("permission-required",))
    config = make_config(tmp_path, [files_target(tmp_path)])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(rights=arr), first_seen=later(1))
    plan(engine, config, now=later(1))
    assert row_for(engine, article.id, "site")["state"] == "blocked"
    agreed = make_config(tmp_path, [files_target(tmp_path)], sources=[
        {"name": "outlet", "url": "https://o.example/f", "rights": {"license": "CC-BY-4.0"}}])
    plan(engine, agreed, now=later(2))
    assert row_for(engine, article.id, "site")["state"] == "pending"


def test_withdrawn_before_sending_is_not_sent(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path)])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    withdraw_article(engine, article, at=later(2))
    plan(engine, config, now=later(3))
    row = row_for(engine, article.id, "site")
    assert row["state"] == "blocked" and "withdrawn" in row["reason"]
    assert deliver(engine, config, now=later(3)).delivered == 0


def test_max_per_hour_paces_a_target(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path, max_per_hour=2)])
    plan(engine, config, now=T0)
    for i in range(5):
        store_article(engine, make_article(), first_seen=later(1 + i))
    plan(engine, config, now=later(10))
    assert deliver(engine, config, now=later(10)).delivered == 2
    assert deliver(engine, config, now=later(20)).delivered == 0
    assert deliver(engine, config, now=later(71)).delivered == 2
    assert deliver(engine, config, now=later(140)).delivered == 1


def test_disabled_targets_are_left_alone(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [files_target(tmp_path, enabled=False)])
    store_article(engine, make_article(), first_seen=T0)
    assert plan(engine, config, now=later(1)).targets == 0
    assert all_rows(engine) == []
