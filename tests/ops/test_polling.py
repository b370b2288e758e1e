"""Adaptive polling: feed and server hints, skipHours/skipDays, backoff, Retry-After, suspension, re-enabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from syndicate.config import Config, load_config
from syndicate.models import FetchResult, ParsedFeed
from syndicate.pipeline.context import Context
from syndicate.pipeline.hints import poll_hint, skip_to_allowed
from syndicate.store import sources as store
from tests.helpers.cli import run_cli, write_config

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
FEED = ParsedFeed(format="rss20")


# -- hints (pure) ---------------------------------------------------------------


@pytest.mark.parametrize(("feed", "headers", "expected"), [
    (FEED, {}, None),
    (ParsedFeed(format="rss20", ttl_minutes=90), {}, 5400.0),
    (ParsedFeed(format="rss10", update_period="daily", update_frequency=2), {}, 43200.0),
    (ParsedFeed(format="rss10", update_period="Hourly"), {}, 3600.0),
    (FEED, {"cache-control": "public, max-age=7200"}, 7200.0),
    (FEED, {"cache-control": "s-maxage=600"}, None),  # for shared caches only; a feed reader is a private one
    (FEED, {"expires": format_datetime(NOW + timedelta(hours=3), usegmt=True)}, 10800.0),
    (FEED, {"expires": format_datetime(NOW - timedelta(hours=3), usegmt=True)}, None),
    (FEED, {"expires": "0"}, None),
    # max-age wins over Expires (RFC 9111 §5.3); the longest of the rest wins
    (FEED, {"cache-control": "max-age=60", "expires": format_datetime(NOW + timedelta(hours=3), usegmt=True)}, 60.0),
    (ParsedFeed(format="rss20", ttl_minutes=10), {"cache-control": "max-age=7200"}, 7200.0),
])
def test_poll_hints(feed: ParsedFeed, headers: dict[str, str], expected: float | None) -> None:
    assert poll_hint(feed, headers, NOW) == expected


def test_skip_hours_and_days_move_the_next_poll_past_them() -> None:
    at_3 = NOW.replace(hour=3, minute=17)
    assert skip_to_allowed(at_3, (3, 4), ()) == NOW.replace(hour=5, minute=0)
    assert skip_to_allowed(at_3, (), ("Wednesday",)) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert skip_to_allowed(at_3, (0, 3), ("wednesday", "thursday")) == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert skip_to_allowed(at_3, (5,), ("monday",)) == at_3  # allowed already: unchanged
    assert skip_to_allowed(at_3, tuple(range(24)), ()) == at_3  # a feed that forbids everything is ignored


# -- next_due (pure) -----------------------------------------------------------------


def config(tmp_path: Path, extra: str = "") -> Config:
    path = write_config(tmp_path, f'interval = "30m"\njitter = 0\nmax_backoff = "6h"\nmax_failures = 3\n{extra}'
                                  '[[source]]\nname = "s"\nurl = "https://s.example/feed"\n')
    return load_config(path)


def ok(**kwargs: object) -> FetchResult:
    return FetchResult(source="s", status="ok", url="https://s.example/feed", http_status=200, **kwargs)  # type: ignore[arg-type]


def error(retry_after: float | None = None) -> FetchResult:
    return FetchResult(source="s", status="error", url="https://s.example/feed", http_status=503,
                       error="HTTP 503", retry_after=retry_after)


def due_in(cfg: Config, result: FetchResult, failures: int = 0, hint: float | None = None, **kw: object) -> float:
    return (store.next_due(cfg, cfg.source[0], result, failures, NOW, hint, **kw) - NOW).total_seconds()  # type: ignore[arg-type]


def test_the_interval_and_a_slower_hint(tmp_path: Path) -> None:
    """Mutation it kills (docs/promises.md): ``store/sources.py`` ``next_due`` with
    ``poll_hint > interval`` made ``<`` (a slower hint ignored)."""
    cfg = config(tmp_path)
    assert due_in(cfg, ok()) == 1800
    assert due_in(cfg, ok(), hint=7200) == 7200  # the feed asks for less: honoured
    assert due_in(cfg, ok(), hint=60) == 1800  # never more often than configured
    assert due_in(cfg, ok(), hint=10 * 86400) == 6 * 3600  # capped by max_backoff


def test_errors_back_off_exponentially_up_to_the_cap(tmp_path: Path) -> None:
    """Mutation it kills (docs/promises.md): ``store/sources.py`` ``next_due`` doubling one failure late
    (``2 ** min(failures - 2, 16)``)."""
    cfg = config(tmp_path)
    assert [due_in(cfg, error(), n) for n in (1, 2, 3, 4, 5, 30)] == [1800, 3600, 7200, 14400, 21600, 21600]


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert due_in(cfg, error(retry_after=120), 1) == 120  # the server says when: sooner than the interval
    assert due_in(cfg, error(retry_after=5 * 3600), 1) == 5 * 3600
    assert due_in(cfg, error(retry_after=120), 3) == 7200  # backoff already longer
    assert due_in(cfg, error(retry_after=5 * 3600), 2) == 5 * 3600


def test_skip_hours_apply_to_the_next_due_time(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert due_in(cfg, ok(), skip_hours=(12,)) == 3600  # 12:30 is skipped → 13:00
    assert due_in(cfg, ok(), skip_days=("wednesday",)) == 12 * 3600  # → Thursday 00:00


def test_jitter_spreads_schedules_within_its_fraction(tmp_path: Path) -> None:
    cfg = config(tmp_path, "").model_copy(update={"syndicate": config(tmp_path).syndicate.model_copy(
        update={"jitter": 0.5})})
    seen = {due_in(cfg, ok()) for _ in range(50)}
    assert all(1800 <= s <= 2700 for s in seen) and len(seen) > 1


# -- record_fetch (real SQLite) --------------------------------------------------


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    cfg = config(tmp_path)
    context = Context.open(config=cfg)
    store.sync_sources(context.engine, cfg)
    return context


def row(ctx: Context) -> store.SourceRow:
    found = store.get_source(ctx.engine, "s")
    assert found is not None
    return found


def test_a_304_keeps_using_the_hints_the_feed_gave_last_time(ctx: Context) -> None:
    source = ctx.config.source[0]
    feed = ParsedFeed(format="rss20", ttl_minutes=120, skip_days=("Thursday",))
    store.record_fetch(ctx.engine, ctx.config, source, ok(), NOW, feed=feed, poll_hint=7200)
    assert row(ctx).poll_hint == 7200 and row(ctx).skip_days == ("Thursday",)
    assert row(ctx).next_due_at == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=11)  # Wednesday 23:00: +2h lands on Thursday, which the feed skips
    not_modified = FetchResult(source="s", status="not-modified", url=source.url, http_status=304)
    store.record_fetch(ctx.engine, ctx.config, source, not_modified, later)
    assert row(ctx).next_due_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


def test_consecutive_failures_suspend_a_source_until_it_is_enabled(ctx: Context, tmp_path: Path) -> None:
    """Mutation it kills (docs/promises.md): ``store/sources.py`` ``_fetch_values`` suspending one
    failure late (``failures >= max_failures`` made ``>``)."""
    source = ctx.config.source[0]
    for n in (1, 2):
        store.record_fetch(ctx.engine, ctx.config, source, error(), NOW + timedelta(hours=n))
        assert row(ctx).consecutive_failures == n and row(ctx).disabled_reason is None
    assert store.due_sources(ctx.config, store.all_sources(ctx.engine), NOW + timedelta(days=1)) == ["s"]
    store.record_fetch(ctx.engine, ctx.config, source, error(), NOW + timedelta(hours=3))
    suspended = row(ctx)
    assert suspended.consecutive_failures == 3
    reason = suspended.disabled_reason or ""
    assert "suspended after 3 consecutive failures" in reason and "syndicate sources enable s" in reason
    assert store.due_sources(ctx.config, store.all_sources(ctx.engine), NOW + timedelta(days=30)) == []

    status = run_cli("status", "--json", config=ctx.config.path)
    assert status.returncode == 0 and '"consecutive_failures": 3' in status.stdout

    listed = run_cli("sources", "list", config=ctx.config.path)
    assert listed.returncode == 0 and listed.stdout.split()[:3] == ["s", "disabled", "-"]

    enabled = run_cli("sources", "enable", "s", config=ctx.config.path)
    assert enabled.returncode == 0, enabled.stderr
    again = row(ctx)
    assert again.disabled_reason is None and again.consecutive_failures == 0 and again.next_due_at is None
    assert store.due_sources(ctx.config, store.all_sources(ctx.engine), NOW) == ["s"]


def test_success_resets_the_failure_count_and_the_backoff(ctx: Context) -> None:
    source = ctx.config.source[0]
    store.record_fetch(ctx.engine, ctx.config, source, error(), NOW)
    store.record_fetch(ctx.engine, ctx.config, source, error(), NOW)
    assert row(ctx).next_due_at == NOW + timedelta(hours=1)
    store.record_fetch(ctx.engine, ctx.config, source, ok(), NOW, feed=FEED)
    assert row(ctx).consecutive_failures == 0 and row(ctx).next_due_at == NOW + timedelta(minutes=30)
    assert row(ctx).last_error is None


def test_a_real_pass_schedules_by_the_feed_s_ttl_skip_hours_and_cache_headers(tmp_path: Path) -> None:
    from tests.helpers.feedserver import FeedServer

    server = FeedServer()
    try:
        now = datetime.now(UTC)
        skipped = [(now + timedelta(hours=h)).hour for h in (2, 3)]
        rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><link>https://t.example/</link>"
               "<description>d</description><ttl>120</ttl><skipHours>"
               + "".join(f"<hour>{h}</hour>" for h in skipped)
               + "</skipHours><item><title>x</title><guid>x</guid><link>https://t.example/x</link></item>"
               "</channel></rss>")
        url = server.serve("/t.rss", rss, headers={"Cache-Control": "max-age=60"})
        path = write_config(tmp_path, f'interval = "10m"\njitter = 0\n[[source]]\nname = "t"\nurl = "{url}"\n')
        context = Context.open(path)
        from syndicate.pipeline.passes import run_pass

        run_pass(context, crosspost=False, render=False)
        fetched = store.get_source(context.engine, "t")
        assert fetched is not None and fetched.poll_hint == 7200 and set(fetched.skip_hours) == set(skipped)
        assert fetched.next_due_at is not None
        # ttl 2 h (longer than max-age and the interval), then past the two skipped hours
        assert fetched.next_due_at >= (now + timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
        assert fetched.next_due_at.hour not in skipped
        context.close()
    finally:
        server.close()
