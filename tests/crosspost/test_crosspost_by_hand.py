"""A person's decisions on the ledger (release, hold, reject by id prefix), the review queue, the audit
trail and attribution overrides: on SQLite and PostgreSQL, through the planner and the deliverer."""

from __future__ import annotations

from pathlib import Path

import pytest
from crosspost_helpers import T0, edit_article, later, make_article, make_config, row_for, store_article
from sqlalchemy import Engine

from syndicate.crosspost import deliver, plan
from syndicate.crosspost.ledger import (
    AmbiguousDelivery,
    decide_by_hand,
    delivery_id,
    resolve_id,
    review_queue,
)
from syndicate.models import Rights
from syndicate.store.audit import list_audit
from syndicate.store.overrides import OverrideError, get_overrides, set_override


def held_setup(engine: Engine, tmp_path: Path, n: int = 2) -> tuple[object, list[str]]:
    config = make_config(tmp_path, [{"name": "site", "type": "files", "path": str(tmp_path / "content"),
                                     "on_unknown_rights": "hold"}])
    plan(engine, config, now=T0)
    stored = [store_article(engine, make_article(title=f"Story {i}", rights=Rights()), first_seen=later(1))
              for i in range(n)]
    plan(engine, config, now=later(2))
    return config, [a.id for a in stored]


def test_reject_is_final_through_edits_and_passes(engine: Engine, tmp_path: Path) -> None:
    """Kills: the planner turning a rejected row back into pending when the article changes."""
    config, (first, _second) = held_setup(engine, tmp_path)
    ident = delivery_id(first, "site")
    assert decide_by_hand(engine, ident, "reject", actor="ada", reason="off topic", now=later(3))
    article = make_article(first, title="Story 0", rights=Rights(license="CC-BY-4.0"))
    edit_article(engine, article, content_html="<p>changed</p>", at=later(4))
    plan(engine, config, now=later(5))
    deliver(engine, config, now=later(6))
    assert row_for(engine, first, "site")["state"] == "rejected"
    assert not (tmp_path / "content").exists() or not list((tmp_path / "content").glob("*.md"))
    assert decide_by_hand(engine, ident, "release", actor="ada", now=later(7))  # a release undoes it
    deliver(engine, config, now=later(8))
    assert row_for(engine, first, "site")["state"] == "delivered"


def test_hold_by_hand_outlives_terms_that_allow_it(engine: Engine, tmp_path: Path) -> None:
    config, (first, _second) = held_setup(engine, tmp_path)
    ident = delivery_id(first, "site")
    assert decide_by_hand(engine, ident, "release", actor="ada", now=later(3))
    assert decide_by_hand(engine, ident, "hold", actor="ada", reason="legal", now=later(4))
    assert not decide_by_hand(engine, ident, "hold", actor="ada", now=later(5))  # already held
    plan(engine, config, now=later(6))
    deliver(engine, config, now=later(7))
    row = row_for(engine, first, "site")
    assert row["state"] == "held" and row["reason"] == "held by ada: legal"
    trail = list_audit(engine, subject=ident)
    assert [(a["action"], a["detail"]["from"], a["detail"]["to"]) for a in trail] == [
        ("hold", "pending", "held"), ("release", "held", "pending")
    ]


def test_prefixes_and_the_queue(engine: Engine, tmp_path: Path) -> None:
    _config, ids = held_setup(engine, tmp_path, n=3)
    full = delivery_id(ids[0], "site")
    assert resolve_id(engine, full[:6].upper()) == full
    with pytest.raises(AmbiguousDelivery, match="at least 4 hex digits"):
        resolve_id(engine, "ab")
    with pytest.raises(AmbiguousDelivery, match="no delivery"):
        resolve_id(engine, "0000000000000000")
    queue = review_queue(engine)
    assert sorted(item["title"] for item in queue) == ["Story 0", "Story 1", "Story 2"]
    assert all(item["sources"] == ["outlet"] and item["state"] == "held" for item in queue)
    assert review_queue(engine, source="elsewhere") == [] and review_queue(engine, target="other") == []
    decide_by_hand(engine, full, "reject", actor="ada", now=later(3))
    assert len(review_queue(engine)) == 2 and len(review_queue(engine, states=("rejected",))) == 1


def test_attribution_override_is_applied_and_unblocks_held_terms(engine: Engine, tmp_path: Path) -> None:
    """Kills: an override stored but not used by the render, or not changing the terms the planner sees."""
    config, (first, _second) = held_setup(engine, tmp_path)
    with pytest.raises(OverrideError, match="not an http"):
        set_override(engine, first, {"original_url": "ftp://x"}, actor="ada", now=later(3))
    set_override(engine, first, {"original_author": "Grace Reporter", "license": "CC-BY-SA-4.0"},
                 actor="ada", now=later(3), reason="print page")
    assert get_overrides(engine)[first]["fields"] == {"original_author": "Grace Reporter", "license": "CC-BY-SA-4.0"}
    plan(engine, config, now=later(4))
    deliver(engine, config, now=later(5))
    assert row_for(engine, first, "site")["state"] == "delivered"
    text = next((tmp_path / "content").glob("*.md")).read_text()
    assert "Grace Reporter" in text and "CC BY-SA 4.0" in text
    assert [a["action"] for a in list_audit(engine, subject=first)] == ["attribution"]
