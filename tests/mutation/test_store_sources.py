"""The ``sources`` table (``syndicate/store/sources.py``) value by value on a real SQLite file:
syncing with the configuration, what one fetch records, the schedule it sets
(docs/mutation-report.md, issue #21). ``jitter = 0`` makes every due time exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from syndicate.config import Config, config_from_dict
from syndicate.models import FetchResult, ParsedFeed
from syndicate.store import audit
from syndicate.store import sources as store
from syndicate.store.codec import aware
from syndicate.store.schema import sources, subscriptions

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def make_config(tmp_path: Path, names: list[str], **settings: Any) -> Config:
    raw: dict[str, Any] = {
        "syndicate": {"database": f"sqlite:///{tmp_path / 'sources.db'}", "interval": "1h", "jitter": "0%",
                      **settings},
        "source": [{"name": name, "url": f"https://{name}.example/feed"} for name in names],
    }
    return config_from_dict(raw, tmp_path / "syndicate.toml")


def row(engine: Engine, name: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.execute(select(sources).where(sources.c.name == name)).first()
    assert found is not None  # SQLite hands back naive datetimes: UTC
    return {k: aware(v) if isinstance(v, datetime) else v for k, v in found._mapping.items()}


def ok(name: str, **values: Any) -> FetchResult:
    return FetchResult(source=name, status="ok", url=f"https://{name}.example/feed", http_status=200,
                       body=b"<rss/>", **values)


def error(name: str, **values: Any) -> FetchResult:
    return FetchResult(source=name, status="error", url=f"https://{name}.example/feed", http_status=500,
                       **{"error": "HTTP 500", **values})


def test_sync_adds_sources_and_a_changed_url_starts_afresh(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path, ["zeta", "alpha", "mid"])
    store.sync_sources(engine, config)
    assert list(store.all_sources(engine)) == ["alpha", "mid", "zeta"]  # by name, not as added
    fresh = store.get_source(engine, "alpha")
    assert fresh is not None and fresh.url == fresh.config_url == "https://alpha.example/feed"
    assert fresh.consecutive_failures == 0 and fresh.entries_seen == 0
    with engine.begin() as conn:  # alpha was moved by a redirect, failed, got validators; mid too
        for name in ("alpha", "mid"):
            conn.execute(update(sources).where(sources.c.name == name).values(
                url=f"https://moved.example/{name}", moved_from=f"https://{name}.example/feed", etag='"e"',
                last_modified="Mon", disabled_reason="suspended", consecutive_failures=7, next_due_at=NOW))
    changed = make_config(tmp_path, ["zeta", "alpha", "mid"])
    changed.source[1] = changed.source[1].model_copy(update={"url": "https://alpha.example/new"})
    store.sync_sources(engine, changed)
    alpha = row(engine, "alpha")
    assert alpha["config_url"] == alpha["url"] == "https://alpha.example/new"
    assert (alpha["moved_from"], alpha["etag"], alpha["last_modified"], alpha["disabled_reason"],
            alpha["consecutive_failures"], alpha["next_due_at"]) == (None, None, None, None, 0, None)
    mid = row(engine, "mid")  # its URL did not change in the configuration: it keeps its state
    assert (mid["url"], mid["etag"], mid["consecutive_failures"]) == ("https://moved.example/mid", '"e"', 7)


def record(engine: Engine, config: Config, name: str, result: FetchResult, now: datetime = NOW,
           **keys: Any) -> dict[str, Any]:
    store.record_fetch(engine, config, config.source_by_name(name), result, now, **keys)
    return row(engine, name)


def test_a_fetch_records_its_outcome_and_failures_accumulate(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path, ["one"], max_failures=3)
    store.sync_sources(engine, config)
    done = record(engine, config, "one", ok("one", etag='"v1"', last_modified="Tue"),
                  feed=ParsedFeed(format="rss20", title="One", link="https://one.example/",
                                  self_url="https://one.example/self"))
    assert (done["last_status"], done["last_error"], done["http_status"]) == ("ok", None, 200)
    assert (done["etag"], done["last_modified"], done["feed_title"], done["feed_link"]) == (
        '"v1"', "Tue", "One", "https://one.example/")
    assert done["self_url"] == "https://one.example/self" and done["hub_url"] is None
    assert done["consecutive_failures"] == 0 and done["next_due_at"] == NOW + HOUR
    first = record(engine, config, "one", error("one"), NOW + HOUR)
    assert (first["last_status"], first["last_error"], first["consecutive_failures"]) == ("error", "HTTP 500", 1)
    assert first["etag"] == '"v1"'  # an error keeps the validators
    assert first["next_due_at"] == NOW + 2 * HOUR  # the first failure waits one interval
    second = record(engine, config, "one", error("one"), NOW + 2 * HOUR)
    assert second["consecutive_failures"] == 2 and second["next_due_at"] == NOW + 4 * HOUR  # backoff: 2 ×
    assert second["disabled_reason"] is None
    third = record(engine, config, "one", error("one", error=None), NOW + 3 * HOUR)
    assert third["last_error"] == "unknown error" and third["consecutive_failures"] == 3
    assert third["disabled_reason"] == (
        "suspended after 3 consecutive failures; re-enable with `syndicate sources enable one`")
    parsed_badly = record(engine, config, "one", ok("one", etag='"v2"'), NOW + 4 * HOUR, parse_error="not a feed")
    assert (parsed_badly["last_status"], parsed_badly["last_error"]) == ("error", "not a feed")
    assert parsed_badly["consecutive_failures"] == 4 and parsed_badly["etag"] == '"v1"'  # not kept: unparsed
    back = record(engine, config, "one", ok("one", etag='"v3"'), NOW + 5 * HOUR)
    assert (back["last_status"], back["consecutive_failures"], back["etag"]) == ("ok", 0, '"v3"')
    assert back["last_success_at"] == NOW + 5 * HOUR


def test_a_pushed_source_is_polled_as_a_safety_net_until_its_lease_ends(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path, ["pushed", "lapsing"])
    store.sync_sources(engine, config)
    with engine.begin() as conn:
        conn.execute(insert(subscriptions), [
            {"source": "pushed", "hub": "https://hub.example/", "topic": "https://pushed.example/feed",
             "secret": "s", "state": "active", "expires_at": NOW + timedelta(days=5), "updated_at": NOW},
            {"source": "lapsing", "hub": "https://hub.example/", "topic": "https://lapsing.example/feed",
             "secret": "s", "state": "active", "expires_at": NOW + 2 * HOUR, "updated_at": NOW},
        ])
    assert record(engine, config, "pushed", ok("pushed"))["next_due_at"] == NOW + 6 * HOUR
    assert record(engine, config, "lapsing", ok("lapsing"))["next_due_at"] == NOW + 2 * HOUR
    # an error is retried on the ordinary schedule, push or not
    assert record(engine, config, "pushed", error("pushed"))["next_due_at"] == NOW + HOUR
    store.record_fetches(engine, config, [(config.source_by_name("pushed"), ok("pushed"))], NOW)
    assert row(engine, "pushed")["next_due_at"] == NOW + 6 * HOUR


def test_next_due_backs_off_from_the_second_failure_and_honours_retry_after(tmp_path: Path) -> None:
    config = make_config(tmp_path, ["s"], max_backoff="5h")
    source = config.source[0]

    def due(result: FetchResult, failures: int, **keys: Any) -> timedelta:
        return store.next_due(config, source, result, failures, NOW, None, **keys) - NOW

    assert due(error("s"), 1) == HOUR
    assert due(error("s"), 2) == 2 * HOUR and due(error("s"), 3) == 4 * HOUR
    assert due(error("s"), 4) == 5 * HOUR and due(error("s"), 40) == 5 * HOUR  # capped
    assert due(error("s", retry_after=60.0), 1) == timedelta(seconds=60)  # the first: as the server says
    assert due(error("s", retry_after=60.0), 2) == 2 * HOUR  # later: never sooner than the backoff
    assert due(error("s", retry_after=9 * 3600.0), 2) == 9 * HOUR
    assert due(error("s"), 1, pushed=True, pushed_until=NOW + timedelta(days=1)) == HOUR
    assert due(ok("s"), 0, pushed=True, pushed_until=NOW + timedelta(days=1)) == 6 * HOUR
    assert store.next_due(config, source, ok("s"), 0, NOW, 3 * 3600.0) - NOW == 3 * HOUR  # a slower hint
    assert store.next_due(config, source, ok("s"), 0, NOW, 60.0) - NOW == HOUR  # a faster one: ignored


def test_sources_named_reads_the_rows_asked_for_in_chunks(tmp_path: Path, engine: Engine) -> None:
    names = [f"s{n:04d}" for n in range(501)]  # more than one chunk of 500
    store.sync_sources(engine, make_config(tmp_path, names))
    found = store.sources_named(engine, ["s0000", "s0500", "unknown", "s0002"])
    assert sorted(found) == ["s0000", "s0002", "s0500"] and found["s0500"].url == "https://s0500.example/feed"
    assert len(store.sources_named(engine, names)) == 501
    assert store.sources_named(engine, []) == {}


def test_enabling_disabling_and_fetching_now_by_hand_are_audited(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path, ["one", "two"])
    store.sync_sources(engine, config)
    with engine.begin() as conn:
        conn.execute(update(sources).values(consecutive_failures=4, next_due_at=NOW + HOUR))
    assert store.set_enabled(engine, "one", False, actor="desk:ed", reason="too noisy")
    assert row(engine, "one")["disabled_reason"] == "disabled by hand (desk:ed)"
    assert store.set_enabled(engine, "two", False)  # the CLI without an actor: not audited
    assert row(engine, "two")["disabled_reason"] == "disabled by hand"
    assert not store.fetch_soon(engine, "one", actor="desk:ed", now=NOW)  # disabled: not made due
    assert row(engine, "one")["next_due_at"] == NOW + HOUR
    assert store.set_enabled(engine, "one", True, actor="desk:ann")
    enabled = row(engine, "one")
    assert (enabled["disabled_reason"], enabled["consecutive_failures"], enabled["next_due_at"]) == (None, 0, None)
    assert store.fetch_soon(engine, "one", actor="desk:ann", now=NOW)
    assert row(engine, "one")["next_due_at"] == NOW
    assert not store.set_enabled(engine, "nobody", True, actor="desk:ann")  # no such source: nothing audited
    trail = [(r["actor"], r["action"], r["subject"], r["reason"]) for r in audit.list_audit(engine)]
    assert trail == [
        ("desk:ann", "source-fetch-now", "one", None),
        ("desk:ann", "source-enable", "one", None),
        ("desk:ed", "source-disable", "one", "too noisy"),
    ]


def test_claiming_a_due_source_holds_it_for_the_fetch(tmp_path: Path, engine: Engine) -> None:
    store.sync_sources(engine, make_config(tmp_path, ["one"]))
    assert store.claim_due(engine, "one", NOW, 300)  # never fetched: due
    assert row(engine, "one")["next_due_at"] == NOW + timedelta(seconds=300)
    assert not store.claim_due(engine, "one", NOW + timedelta(seconds=299), 300)  # held by the first claim
    assert store.claim_due(engine, "one", NOW + timedelta(seconds=300), 300)  # the hold is over: inclusive
    assert row(engine, "one")["next_due_at"] == NOW + timedelta(seconds=600)


def test_a_stored_row_reads_back_field_by_field(tmp_path: Path, engine: Engine) -> None:
    store.sync_sources(engine, make_config(tmp_path, ["one"]))
    values = {
        "url": "https://moved.example/one", "moved_from": "https://one.example/feed", "etag": '"e1"',
        "last_modified": "Tue, 24 Nov 2026 10:00:00 GMT", "last_status": "not_modified", "http_status": 304,
        "last_error": "earlier error", "last_fetch_at": NOW, "last_success_at": NOW - HOUR,
        "next_due_at": NOW + HOUR, "consecutive_failures": 2, "disabled_reason": "why", "feed_title": "One",
        "hub_url": "https://hub.example/", "poll_hint": 7200.0, "entries_seen": 12, "skip_hours": [1, 2],
        "skip_days": ["Sunday"],
    }
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.name == "one").values(**values))
    expected = store.SourceRow(name="one", config_url="https://one.example/feed", **{
        **values, "skip_hours": (1, 2), "skip_days": ("Sunday",)})
    assert store.get_source(engine, "one") == expected
    assert store.all_sources(engine) == {"one": expected}
    state = expected.state
    assert (state.name, state.url, state.etag, state.last_modified, state.consecutive_failures) == (
        "one", "https://moved.example/one", '"e1"', "Tue, 24 Nov 2026 10:00:00 GMT", 2)
    with engine.begin() as conn:  # empty hint columns read as no hours
        conn.execute(update(sources).values(skip_hours=None, skip_days=None))
    bare = store.get_source(engine, "one")
    assert bare is not None and (bare.skip_hours, bare.skip_days) == ((), ())
    assert store.get_source(engine, "nobody") is None


def test_a_gone_feed_is_disabled_saying_so(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path, ["one", "two"])
    store.sync_sources(engine, config)
    gone = FetchResult(source="one", status="gone", url="https://one.example/feed")  # no status code kept
    assert record(engine, config, "one", gone)["disabled_reason"] == (
        "gone: HTTP 410; re-enable with `syndicate sources enable one`")
    gone_404 = FetchResult(source="two", status="gone", url="https://two.example/feed", http_status=404)
    assert record(engine, config, "two", gone_404)["disabled_reason"].startswith("gone: HTTP 404;")


def test_the_hub_and_topic_of_link_headers_are_read_against_the_feed_s_url(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path, ["one", "two"])
    store.sync_sources(engine, config)
    links = {"link": '</websub/hub>; rel="hub", </feed/self>; rel="self"'}
    feed = ParsedFeed(format="atom10", title="One", self_url="https://one.example/doc-self")
    done = record(engine, config, "one", ok("one", headers=links), feed=feed)
    assert (done["hub_url"], done["self_url"]) == ("https://one.example/websub/hub", "https://one.example/feed/self")
    moved = ok("two", headers=links, final_url="https://new.example/two")  # relative to where it moved
    done = record(engine, config, "two", moved, feed=feed)
    assert (done["hub_url"], done["self_url"]) == ("https://new.example/websub/hub", "https://new.example/feed/self")
    assert (done["url"], done["moved_from"]) == ("https://new.example/two", "https://two.example/feed")
