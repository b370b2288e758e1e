"""Fixtures for the crosspost tests: a fresh ledger per test, on SQLite and (when it runs) PostgreSQL.

PostgreSQL: ``$SYNDICATE_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``,
what .ci/run starts); each test session gets a database of its own. When the server cannot be reached or
the driver is missing, the PostgreSQL half is skipped outside CI and fails in CI (tests/helpers/services.py);
any other error is a test error, never a skip.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crosspost_helpers import new_engine

from syndicate.store.schema import metadata
from tests.helpers.postgres import throwaway_database


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """One migrated database per test session (per xdist worker); tests empty its tables."""
    with throwaway_database("syndicate_xp") as engine:
        yield engine


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
