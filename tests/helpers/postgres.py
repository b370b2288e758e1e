"""A throwaway PostgreSQL database for a test module or session, migrated, dropped afterwards.

PostgreSQL: ``$SYNDICATE_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``,
what .ci/run starts). When the server cannot be reached or the driver is missing, the caller is skipped
outside CI and fails in CI (:func:`tests.helpers.services.require_service`); any other error is an error.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from syndicate.store.db import open_engine
from tests.helpers.services import require_service

POSTGRES = os.environ.get("SYNDICATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def throwaway_database(prefix: str) -> Iterator[Engine]:
    """An engine on a new database ``<prefix>_<random>`` with syndicate's schema; dropped on exit."""
    where = make_url(POSTGRES).render_as_string()
    try:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = f"{prefix}_{uuid.uuid4().hex[:12]}"
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
