"""What only PostgreSQL runs in ``syndicate/store/``: the advisory locks an ingest takes on every
key it could match, and the audit trail's order among rows written at the same instant (SQLite
walks its ``at`` index backwards, which gives the id order by itself; PostgreSQL sorts)
(docs/mutation-report.md, issue #21).

Marked ``services``: the mutation runs leave it out (``-m "not services"``);
``recheck_survivors.py`` runs it. PostgreSQL: ``$SYNDICATE_TEST_POSTGRES`` (tests/helpers/postgres.py),
a database of its own per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from syndicate.store import articles as store
from syndicate.store import audit
from syndicate.store.schema import metadata
from tests.helpers.postgres import throwaway_database
from tests.mutation.test_store_ingest import feed

pytestmark = pytest.mark.services

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pg() -> Iterator[Engine]:
    with throwaway_database("syndicate_mut") as engine:
        yield engine


@pytest.fixture
def engine(pg: Engine) -> Engine:
    with pg.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)}"))
    return pg


def test_an_ingest_on_postgresql_locks_its_keys_and_merges(engine: Engine) -> None:
    """Broken on purpose once (the lock ids' ``digest_size=8`` dropped: 64-byte numbers that are
    no ``bigint``): the ingest failed."""
    title = "Harbour cranes work through the night shift"
    first = store.ingest(engine, "north", feed("north", [("n1", "https://north.example/c", title)]), T0)
    later = T0 + timedelta(hours=1)
    second = store.ingest(engine, "south", feed("south", [("s1", "https://south.example/c", title)]), later)
    assert (first.new, second.new, store.count_articles(engine)) == (1, 0, 1)
    with engine.begin() as conn:  # the locks are the transaction's: none is left once it ends
        held = conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").scalar()
    assert held == 0


def test_the_audit_trail_breaks_ties_by_the_last_written(engine: Engine) -> None:
    with engine.begin() as conn:
        for n in range(12):
            audit.record(conn, at=T0, actor="ed", action="hold", subject=f"s{n}")
    expected = [f"s{n}" for n in range(11, -1, -1)]
    assert [row["subject"] for row in audit.list_audit(engine)] == expected
    assert [row["subject"] for row in audit.list_audit(engine, subject="s3")] == ["s3"]
