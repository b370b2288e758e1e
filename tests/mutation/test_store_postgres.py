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


MIGRATE_AT = """
import sys, time
from syndicate.store.db import open_engine
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
open_engine(sys.argv[1]).dispose()
"""


def test_processes_migrating_one_new_database_at_once_all_succeed() -> None:
    """Kills ``db.x_upgrade_schema__mutmut_8`` (PostgreSQL's advisory lock around migrations skipped):
    three processes started at the same instant on an empty database. Without the lock the second
    one's CREATE TABLE waits for the first one's and then fails on the duplicate; with it, the others
    wait, find the schema at head and do nothing. Broken by hand once: two of three failed."""
    import subprocess
    import sys
    import time
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from tests.helpers.postgres import POSTGRES

    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"syndicate_mig_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    try:
        at = str(time.time() + 3.0)  # after every process has imported syndicate
        runs = [subprocess.Popen([sys.executable, "-c", MIGRATE_AT, url, at], stderr=subprocess.PIPE, text=True)
                for _ in range(3)]  # fmt: skip
        results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
        assert [code for code, _ in results] == [0, 0, 0], [err[-500:] for _, err in results]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
