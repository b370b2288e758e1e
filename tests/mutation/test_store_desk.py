"""The editor's desk's store (``store/overrides.py``, ``audit.py``, ``activity.py``), in process and
value by value: attribution corrections, the audit trail, the activity page's figures
(docs/mutation-report.md)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))

from crosspost_helpers import make_article, store_article

from syndicate.normalize.hashing import content_hash
from syndicate.store import activity, audit
from syndicate.store.overrides import apply_override, conditions_for, get_overrides, set_override

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_conditions_follow_the_licence_id() -> None:
    assert conditions_for("CC-BY-NC-ND-4.0", ("x",)) == ("attribution", "no-derivatives", "noncommercial")
    assert conditions_for("cc-by-sa-4.0", ()) == ("attribution", "share-alike")
    assert conditions_for("all-rights-reserved", ()) == ("permission-required",)
    assert conditions_for("MIT", ("kept",)) == ("kept",)  # not a CC id: the conditions stay
    assert conditions_for("CC-NC", ("kept",)) == ("kept",)  # CC without BY is not a licence we read


def test_an_override_sets_each_field_and_the_hash_that_goes_with_them() -> None:
    article = make_article("a1")
    fields = {"license": "CC-BY-NC-4.0", "license_url": "https://l.example/", "original_author": "Ann"}
    fixed = apply_override(article, fields)
    assert fixed.rights.license == "CC-BY-NC-4.0" and fixed.rights.license_url == "https://l.example/"
    assert fixed.rights.conditions == ("attribution", "noncommercial")
    assert fixed.authors == ("Ann",) and fixed.attribution.original_author == "Ann"
    assert fixed.rights.holder == article.rights.holder  # untouched fields stay
    assert fixed.content_hash == content_hash(article.title, article.url, article.content_html, ("Ann",),
                                              fixed.rights, fixed.attribution)
    assert fixed.content_hash != article.content_hash
    assert apply_override(article, {}) is article
    only_url = apply_override(article, {"license_url": "https://m.example/"})
    assert only_url.rights.license == article.rights.license and only_url.authors == article.authors


def test_set_override_replaces_stores_and_audits(engine: Engine) -> None:
    store_article(engine, make_article("a1"), first_seen=NOW)
    store_article(engine, make_article("a2"), first_seen=NOW)
    set_override(engine, "a2", {"original_author": "Other"}, actor="bob", now=NOW)
    set_override(engine, "a1", {"original_author": "Ann"}, actor="ed", now=NOW, reason="wrong byline")
    later = NOW + timedelta(minutes=1)
    set_override(engine, "a1", {"license": "CC-BY-4.0"}, actor="ed", now=later, reason="licence")
    assert get_overrides(engine, ["a1"]) == {"a1": {
        "fields": {"license": "CC-BY-4.0"}, "set_by": "ed", "set_at": "2026-11-24T12:01:00Z", "reason": "licence"}}
    assert set(get_overrides(engine)) == {"a1", "a2"}  # replacing a1's did not touch a2's
    trail = audit.list_audit(engine, subject="a1")
    assert trail == [
        {"at": "2026-11-24T12:01:00Z", "actor": "ed", "action": "attribution", "subject": "a1", "reason": "licence",
         "detail": {"before": {"original_author": "Ann"}, "after": {"license": "CC-BY-4.0"}}},
        {"at": "2026-11-24T12:00:00Z", "actor": "ed", "action": "attribution", "subject": "a1",
         "reason": "wrong byline", "detail": {"before": None, "after": {"original_author": "Ann"}}},
    ]
    set_override(engine, "a1", {}, actor="ed", now=later)  # no fields: cleared
    assert audit.list_audit(engine, subject="a1", limit=1)[0]["detail"] == {
        "before": {"license": "CC-BY-4.0"}, "after": None}


def test_the_audit_trail_is_newest_first_then_last_written_first(engine: Engine) -> None:
    with engine.begin() as conn:
        for n, at in enumerate([NOW, NOW + timedelta(hours=1), NOW, NOW - timedelta(hours=1)]):
            audit.record(conn, at=at, actor="ed", action="hold", subject=f"s{n}")
    assert [row["subject"] for row in audit.list_audit(engine)] == ["s1", "s2", "s0", "s3"]
    assert [row["subject"] for row in audit.list_audit(engine, limit=2)] == ["s1", "s2"]


def test_recent_passes_and_failures_per_day(engine: Engine) -> None:
    start = NOW - timedelta(hours=2)
    activity.record_pass(engine, start, start + timedelta(seconds=90),
                         {"sources": {"failed": 2}, "deliveries": {"failed": 3}})
    activity.record_pass(engine, NOW - timedelta(hours=1), NOW - timedelta(hours=1), {})
    activity.record_pass(engine, NOW - timedelta(days=40), NOW - timedelta(days=40), {"sources": {"failed": 9}})
    passes = activity.recent_passes(engine, NOW)
    assert passes == [
        {"started_at": start, "seconds": 90.0, "failed_sources": 2, "failed_deliveries": 3},
        {"started_at": NOW - timedelta(hours=1), "seconds": 0.0, "failed_sources": 0, "failed_deliveries": 0},
    ]
    per_day = activity.failures_per_day(engine, NOW)
    assert per_day[-1] == (NOW.date(), 5) and sum(n for _, n in per_day) == 5


def test_a_cli_change_is_recorded_as_the_login_or_as_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The login comes from the environment (LOGNAME first, as ``getpass`` reads it); a process with
    no login name at all (a container's uid without a passwd entry) is recorded as ``cli``."""
    monkeypatch.setenv("LOGNAME", "ed")
    assert audit.cli_actor() == "cli:ed"

    def no_login() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(audit.getpass, "getuser", no_login)  # the OS's answer, not the code under test
    assert audit.cli_actor() == "cli"
