"""Fixtures for the crosspost tests: a fresh ledger per test, on SQLite and (when it runs) PostgreSQL.

PostgreSQL: ``$SYNDICATE_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``,
what .ci/run starts); each test session gets a database of its own. When the server cannot be reached or
the driver is missing, the PostgreSQL half is skipped outside CI and fails in CI (tests/helpers/services.py);
any other error is a test error, never a skip.
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
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crosspost_helpers import new_engine

from syndicate.store.db import open_engine
from syndicate.store.schema import metadata
from tests.helpers.services import require_service

POSTGRES = os.environ.get("SYNDICATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """One migrated database per test session (per xdist worker); tests empty its tables."""
    where = make_url(POSTGRES).render_as_string()
    try:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = f"syndicate_xp_{uuid.uuid4().hex[:12]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except ModuleNotFoundError as exc:  # the psycopg driver is not installed
        require_service("PostgreSQL", f"no driver for {where}: {exc}")
    except OperationalError as exc:  # no server there, or it refuses us
        require_service("PostgreSQL", f"{where} cannot be reached: {str(exc.orig).splitlines()[0]}")
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
