"""The survivors of sample F (docs/mutation-report.md): 60 ``crosspost/`` mutants drawn fresh, none of
them looked at before, run against the suite as it was. Each test names the mutant it kills."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))

from crosspost_helpers import T0, edit_article, later, make_article, make_config, store_article

from syndicate.crosspost import deliver, ledger, plan
from syndicate.crosspost.planner import NewTargetNote, new_target_notes
from syndicate.store.schema import deliveries


def files(tmp_path: Path, name: str = "site", **extra: object) -> dict[str, object]:
    return {"name": name, "type": "files", "path": str(tmp_path / name), **extra}


def add_row(engine: Engine, delivery: str, article: str, target: str, state: str, **values: object) -> None:
    row = {"id": delivery, "article_id": article, "target": target, "state": state, "action": "create",
           "attempts": 1, "created_at": T0, "updated_at": T0, **values}
    with engine.begin() as conn:
        conn.execute(insert(deliveries).values(**row))


def test_an_ambiguous_prefix_names_the_deliveries_it_matches_by_twelve_digits(engine: Engine) -> None:
    """``ledger.x_resolve_id__mutmut_25`` (no message) and ``_28`` (13 digits shown)."""
    add_row(engine, "abcdef0123456789aaaa", "a1", "blog", "held")
    add_row(engine, "abcdef0123457789bbbb", "a2", "blog", "held")
    with pytest.raises(ledger.AmbiguousDelivery) as said:
        ledger.resolve_id(engine, "abcdef01")
    assert str(said.value) == "abcdef01 matches several deliveries (abcdef012345, abcdef012345, ...)"
    assert ledger.resolve_id(engine, "abcdef0123457") == "abcdef0123457789bbbb"


def test_recent_errors_come_newest_first(engine: Engine) -> None:
    """``ledger.x_recent_errors__mutmut_4`` (no order: the rows come as stored, oldest first)."""
    add_row(engine, "a" * 20, "a1", "blog", "failed", last_error="old error", updated_at=T0)
    add_row(engine, "b" * 20, "a2", "blog", "failed", last_error="new error", updated_at=T0 + timedelta(hours=1))
    add_row(engine, "c" * 20, "a3", "list", "failed", last_error="another target's", updated_at=T0)
    assert [r["last_error"] for r in ledger.recent_errors(engine, "blog")] == ["new error", "old error"]


def test_the_review_queue_of_one_target_holds_only_its_rows(engine: Engine) -> None:
    """``ledger.x_review_queue__mutmut_29`` (the target filter dropped)."""
    article = store_article(engine, make_article(), first_seen=T0)
    add_row(engine, ledger.delivery_id(article.id, "blog"), article.id, "blog", "held")
    add_row(engine, ledger.delivery_id(article.id, "list"), article.id, "list", "held")
    assert [r["target"] for r in ledger.review_queue(engine, target="blog")] == ["blog"]
    assert sorted(r["target"] for r in ledger.review_queue(engine)) == ["blog", "list"]


def test_a_target_added_later_is_new_though_another_is_registered(engine: Engine, tmp_path: Path) -> None:
    """A behaviour pin written for ``planner.x_new_target_notes__mutmut_6``, which turned out equivalent
    (tests/mutation/equivalent.txt): a registered target never adds a note, skipped or not."""
    store_article(engine, make_article("a1"), first_seen=T0)
    first = make_config(tmp_path, [files(tmp_path, backfill=0)])
    plan(engine, first, now=T0)  # registers "site"
    both = make_config(tmp_path, [files(tmp_path, backfill=0), files(tmp_path, "two", backfill=0)])
    assert new_target_notes(engine, both, now=later(1)) == [NewTargetNote("two", 1, 0)]


def test_a_pass_counts_every_update(engine: Engine, tmp_path: Path) -> None:
    """``delivery.xǁ_Delivererǁsend__mutmut_107`` (``updated = 1`` instead of ``+= 1``)."""
    config = make_config(tmp_path, [files(tmp_path)])
    plan(engine, config, now=T0)
    stored = [store_article(engine, make_article(f"a{n}", title=f"A{n}"), first_seen=later(1)) for n in range(2)]
    plan(engine, config, now=later(1))
    assert deliver(engine, config, now=later(1)).delivered == 2
    for article in stored:
        edit_article(engine, article, content_html=f"<p>{article.title}, corrected.</p>", at=later(5))
    plan(engine, config, now=later(6))
    assert deliver(engine, config, now=later(6)).updated == 2

