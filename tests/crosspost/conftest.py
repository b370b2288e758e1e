"""Fixtures for the crosspost tests: a fresh ledger per test, on SQLite and (when it runs) PostgreSQL.

PostgreSQL: ``$SYNDICATE_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``,
what .ci/run starts); each test gets a database of its own. Skipped when the server is not reachable.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crosspost_helpers import new_engine

from syndicate.store.db import open_engine
from syndicate.store.schema import metadata

POSTGRES = os.environ.get("SYNDICATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """One migrated database per test session (per xdist worker); tests empty its tables."""
    try:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = f"syndicate_xp_{uuid.uuid4().hex[:12]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no driver, no permission
        pytest.skip(f"PostgreSQL at {make_url(POSTGRES).render_as_string()} is not usable: {type(exc).__name__}")
    engine = open_engine(make_url(POSTGRES).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = new_engine(tmp_path)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables}"))
    yield engine
