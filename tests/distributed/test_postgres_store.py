"""The store on real PostgreSQL: the migrations build exactly the schema the code uses, leases,
concurrent claims of a due source, and two workers ingesting copies of one article at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from syndicate.config import SourceConfig, config_from_dict
from syndicate.daemon.lease import Lease
from syndicate.pipeline.context import Context
from syndicate.pipeline.process import ProcessJob, process_feed
from syndicate.pipeline.render import RenderSummary, render_outputs
from syndicate.store import articles as article_store
from syndicate.store import sources as source_store
from syndicate.store.db import open_engine
from syndicate.store.schema import articles, documents, sources
from tests.distributed.farm import feed_document

pytestmark = pytest.mark.services


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = open_engine(pg_url)
    yield engine
    engine.dispose()


def test_the_migrations_build_the_schema_the_code_uses(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from syndicate.store.schema import metadata

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_one_lease_holder_at_a_time(engine: Engine) -> None:
    first, second = Lease(engine, "scheduler", ttl=30), Lease(engine, "scheduler", ttl=30)
    assert first.acquire()
    assert not second.acquire()
    assert first.renew() and not second.renew()
    first.release()
    assert second.acquire()
    held = second.current_holder()
    assert held is not None and held[0] == second.holder and held[1] > datetime.now(UTC)


def test_a_due_source_is_claimed_by_exactly_one_of_many(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sources.insert().values(name="s", config_url="u", url="u", consecutive_failures=0,
                                             entries_seen=0))
    now = datetime.now(UTC)
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim() -> None:
        barrier.wait()
        wins.append(source_store.claim_due(engine, "s", now, 60))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert not source_store.claim_due(engine, "s", now + timedelta(seconds=30), 60)
    assert source_store.claim_due(engine, "s", now + timedelta(seconds=61), 60)


def _entries(token: str, index: int) -> tuple[str, list[object]]:
    name = f"f{index:03d}"
    job = ProcessJob(source=SourceConfig(name=name, url=f"https://example.org/{name}"), url="https://example.org/",
                     body=feed_document(token, index, 3), headers={})
    return name, list(process_feed(job).entries)


@pytest.mark.parametrize("round_", range(3))
def test_copies_ingested_at_once_by_two_workers_merge(engine: Engine, round_: int) -> None:
    # f009 republishes f008's first story (same link): two workers ingest both feeds at the same time
    original, republisher = _entries(f"merge{round_}", 8), _entries(f"merge{round_}", 9)
    barrier = threading.Barrier(2)

    def ingest(feed: tuple[str, list[object]]) -> None:
        barrier.wait()
        article_store.ingest(engine, feed[0], feed[1], datetime.now(UTC))  # type: ignore[arg-type]

    threads = [threading.Thread(target=ingest, args=(feed,)) for feed in (original, republisher)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:  # 3 stories each, one of them in both feeds
        assert conn.execute(select(func.count()).select_from(articles)).scalar_one() == 3 + 3
    merged = [a for a in article_store.iter_articles(engine) if len(a.copies) == 2]
    assert len(merged) == 1 and {c.source for c in merged[0].copies} == {"f008", "f009"}


def test_two_workers_rendering_at_once_both_succeed(pg_url: str, tmp_path: Path) -> None:
    # two workers without a shared volume: both write their own files and store the same new documents
    contexts = []
    for worker in ("a", "b"):
        raw = {"syndicate": {"database": pg_url, "feeds_dir": str(tmp_path / worker)},
               "output": [{"name": f"out{i}"} for i in range(6)]}
        contexts.append(Context.open(config=config_from_dict(raw, tmp_path / "syndicate.toml")))
    barrier = threading.Barrier(2)
    summaries: list[RenderSummary] = []

    def render(ctx: Context) -> None:
        barrier.wait()
        summaries.append(render_outputs(ctx))

    threads = [threading.Thread(target=render, args=(ctx,)) for ctx in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s.errors for s in summaries] == [[], []] and [s.written for s in summaries] == [18, 18]
    with contexts[0].engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(documents)).scalar_one() == 18
    for ctx in contexts:
        ctx.close()
