"""A source's work redone after a lost worker counts the same as the first try.

On Celery a worker can die after its ingest committed and before the task was acknowledged;
the broker then hands the same FetchResult to another worker. The second try must change
nothing and report what the first one did (new/updated/unchanged), so a pass's summary does not
depend on whether a worker died. Real SQLite, the real stage functions.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from syndicate.config import load_config
from syndicate.models import FetchResult
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import SourceOutcome, process_job, record_source
from syndicate.pipeline.process import process_feed
from syndicate.store import articles as article_store
from syndicate.store import sources as source_store
from tests.helpers.cli import write_config


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>{text}</description></item>"
        for title, link, text in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link>' \
           f"{body}</channel></rss>".encode()


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    path = write_config(
        tmp_path,
        '[[source]]\nname = "first"\nurl = "https://first.example/feed"\n'
        '[[source]]\nname = "second"\nurl = "https://second.example/feed"\n',
    )
    context = Context.open(config=load_config(path))
    source_store.sync_sources(context.engine, context.config)
    return context


def fetched(source: str, body: bytes, started: float | None) -> FetchResult:
    return FetchResult(source=source, status="ok", url=f"https://{source}.example/feed", http_status=200,
                       body=body, headers={"content-type": "application/rss+xml"}, fetched_at=started)


def work(ctx: Context, result: FetchResult) -> SourceOutcome:
    source = ctx.config.source_by_name(result.source)
    job = process_job(ctx, source, result)
    assert job is not None
    return record_source(ctx, source, result, process_feed(job))


def counts(outcome: SourceOutcome) -> tuple[int, int, int, list[str]]:
    return outcome.new, outcome.updated, outcome.unchanged, sorted(outcome.changed_ids)


A = ("Tide report", "https://first.example/a", "The tide came in.")
B = ("Harbor dues", "https://first.example/b", "Dues went up.")
C = ("Storm notes", "https://first.example/c", "A storm passed.")


def test_redoing_a_fetch_counts_what_the_first_try_did(ctx: Context) -> None:
    first = fetched("first", rss(A, B), time.time())
    once = work(ctx, first)
    assert counts(once)[:3] == (2, 0, 0)
    assert counts(work(ctx, first)) == counts(once)  # the same FetchResult again: a redone task
    later = fetched("first", rss(A, B), time.time())
    assert counts(work(ctx, later))[:3] == (0, 0, 2)  # a new fetch of the same feed: nothing new


def test_redone_updates_and_merges_count_as_updates(ctx: Context) -> None:
    work(ctx, fetched("first", rss(A, B), time.time()))
    edited = ("Tide report", A[1], "The tide came in, and went out.")
    update = fetched("first", rss(edited, B, C), time.time())
    once = work(ctx, update)
    assert counts(once)[:3] == (1, 1, 1)
    assert counts(work(ctx, update)) == counts(once)
    # another outlet republishing A (same link): a copy merged into the existing article
    repost = fetched("second", rss(("Tide report", A[1], "The tide came in, and went out. Republished.")),
                     time.time())
    merged = work(ctx, repost)
    assert counts(work(ctx, repost)) == counts(merged)
    assert merged.new == 0 and article_store.count_articles(ctx.engine) == 3


def test_without_a_fetch_time_a_repeat_is_unchanged(ctx: Context) -> None:
    result = fetched("first", rss(A, B), None)
    assert counts(work(ctx, result))[:3] == (2, 0, 0)
    assert counts(work(ctx, result))[:3] == (0, 0, 2)


def test_known_hashes_leave_out_what_this_fetch_wrote(ctx: Context) -> None:
    started = time.time()
    work(ctx, fetched("first", rss(A, B), started))
    from datetime import UTC, datetime

    assert len(article_store.known_hashes(ctx.engine, "first")) == 2
    assert article_store.known_hashes(ctx.engine, "first", redo_after=datetime.fromtimestamp(started, UTC)) == {}
    assert len(article_store.known_hashes(ctx.engine, "first",
                                          redo_after=datetime.fromtimestamp(time.time() + 1, UTC))) == 2


def test_a_redone_task_changes_no_row(ctx: Context) -> None:
    from sqlalchemy import select

    from syndicate.store.schema import articles, copies

    result = fetched("first", rss(A, B, C), time.time())
    work(ctx, result)

    def snapshot() -> list[tuple]:
        with ctx.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(articles).order_by(articles.c.id))] + [
                tuple(r) for r in conn.execute(select(copies).order_by(copies.c.id))
            ]

    before = snapshot()
    work(ctx, dataclasses.replace(result))
    assert snapshot() == before
