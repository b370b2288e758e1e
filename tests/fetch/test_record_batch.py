"""Recording many fetches in one transaction (a pass of 304s) stores exactly what one call per fetch stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from syndicate.config import Config, load_config
from syndicate.models import FetchResult, ParsedFeed
from syndicate.pipeline.context import Context
from syndicate.store import sources as store
from syndicate.store.schema import sources, subscriptions
from tests.helpers.cli import write_config

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
NAMES = ("fresh", "hinted", "failing", "gone", "moved", "pushed", "recovering")


def make_context(tmp_path: Path) -> Context:
    body = 'interval = "30m"\njitter = 0\nmax_backoff = "6h"\nmax_failures = 3\n'
    body += "".join(f'[[source]]\nname = "{n}"\nurl = "https://{n}.example/feed"\n' for n in NAMES)
    config: Config = load_config(write_config(tmp_path, body))
    ctx = Context.open(config=config)
    store.sync_sources(ctx.engine, config)
    return ctx


def prepare(ctx: Context) -> None:
    """Histories that change what the next fetch records: hints, failures, a WebSub subscription."""
    by_name = {s.name: s for s in ctx.config.source}
    earlier = NOW - timedelta(hours=1)
    ok = FetchResult(source="hinted", status="ok", url="https://hinted.example/feed", http_status=200, etag='"1"')
    feed = ParsedFeed(format="rss20", ttl_minutes=120, skip_days=("Thursday",))
    store.record_fetch(ctx.engine, ctx.config, by_name["hinted"], ok, earlier, feed=feed, poll_hint=7200)
    for name in ("failing", "recovering"):
        url = f"https://{name}.example/feed"
        failed = FetchResult(source=name, status="error", url=url, http_status=503, error="x")
        for _ in range(2):
            store.record_fetch(ctx.engine, ctx.config, by_name[name], failed, earlier)
    with ctx.engine.begin() as conn:
        conn.execute(insert(subscriptions).values(
            source="pushed", hub="https://hub.example/", topic="https://pushed.example/feed", secret="s" * 8,
            state="active", expires_at=NOW + timedelta(days=1), updated_at=earlier,
        ))


def outcomes() -> list[FetchResult]:
    def result(name: str, status: str, http: int | None, **kw: object) -> FetchResult:
        return FetchResult(source=name, status=status, url=f"https://{name}.example/feed", http_status=http, **kw)  # type: ignore[arg-type]

    return [
        result("fresh", "not-modified", 304),
        result("hinted", "not-modified", 304),
        result("failing", "error", 503, error="HTTP 503 from https://u:secret@failing.example/", retry_after=600.0),
        result("gone", "gone", 410, error="HTTP 410 Gone"),
        result("moved", "not-modified", 304, final_url="https://new.example/feed"),
        result("pushed", "not-modified", 304),
        result("recovering", "not-modified", 304),
    ]


def stored(ctx: Context) -> dict[str, dict[str, object]]:
    with ctx.engine.connect() as conn:
        return {r._mapping["name"]: dict(r._mapping) for r in conn.execute(select(sources))}


def test_a_batch_stores_what_one_call_per_fetch_stores(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "batch").mkdir()
    one, batch = make_context(tmp_path / "one"), make_context(tmp_path / "batch")
    for ctx in (one, batch):
        prepare(ctx)
    by_name = {s.name: s for s in one.config.source}
    for result in outcomes():
        store.record_fetch(one.engine, one.config, by_name[result.source], result, NOW)
    store.record_fetches(batch.engine, batch.config, [(by_name[r.source], r) for r in outcomes()], NOW)

    expected, got = stored(one), stored(batch)
    assert got == expected
    # and the histories did matter: a hint kept, a backoff grown, a suspension, a move, a pushed safety net
    due = {name: row["next_due_at"] for name, row in got.items()}  # stored naive, in UTC
    assert due["fresh"] == datetime(2026, 11, 25, 12, 30) and due["hinted"] == datetime(2026, 11, 25, 14, 0)
    assert got["failing"]["consecutive_failures"] == 3 and "suspended" in str(got["failing"]["disabled_reason"])
    assert "secret" not in str(got["failing"]["last_error"])
    assert got["gone"]["disabled_reason"] and got["moved"]["url"] == "https://new.example/feed"
    assert got["recovering"]["consecutive_failures"] == 0 and got["recovering"]["last_error"] is None
    assert due["pushed"] == datetime(2026, 11, 25, 18, 0)


def test_a_source_twice_in_one_batch_is_recorded_in_order(tmp_path: Path) -> None:
    ctx = make_context(tmp_path)
    source = ctx.config.source[0]
    failed = FetchResult(source=source.name, status="error", url=source.url, http_status=503, error="HTTP 503")
    store.record_fetches(ctx.engine, ctx.config, [(source, failed), (source, failed)], NOW)
    assert stored(ctx)[source.name]["consecutive_failures"] == 2
