"""Opening the database (``syndicate/store/db.py``): SQLite's settings and write lock, the pool a
server database gets, the JSON columns' codec, and what is said when it cannot be opened
(docs/mutation-report.md, issue #21). Real SQLite files; the PostgreSQL engine is only built,
never connected (building it needs no server)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from syndicate.errors import StoreError
from syndicate.store import db
from syndicate.store.schema import passes


def test_a_sqlite_file_gets_its_folder_its_settings_and_json_columns(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.db"  # folders that do not exist yet
    engine = db.open_engine(f"sqlite:///{path}")
    try:
        assert path.is_file()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with engine.begin() as conn:
            started = datetime(2026, 1, 1, tzinfo=UTC)
            conn.execute(insert(passes).values(started_at=started, summary={"é": [1, None, "x"]}))
        with engine.connect() as conn:
            raw = conn.exec_driver_sql("SELECT summary FROM passes").scalar()
            assert raw == '{"é":[1,null,"x"]}'  # orjson's compact spelling (the standard library's has spaces)
            assert conn.execute(select(passes.c.summary)).scalar() == {"é": [1, None, "x"]}
        seen: list[object] = []

        def other_thread() -> None:  # one engine shared by the daemon's threads
            with engine.connect() as conn:
                seen.append(conn.execute(select(passes.c.summary)).scalar())

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert seen == [{"é": [1, None, "x"]}]
    finally:
        engine.dispose()


def test_a_transaction_takes_sqlite_s_write_lock_at_begin(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: before any write, another writer already finds the database locked."""
    path = tmp_path / "store.db"
    engine = db.open_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(select(passes.c.id)).all()  # a read only
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        with db.transaction(engine) as conn, db.transaction(conn) as inner:
            assert inner is conn  # on a connection: the transaction it is already in
    finally:
        engine.dispose()


def test_a_server_database_gets_a_pool_that_checks_its_connections() -> None:
    engine = db.open_engine("postgresql+psycopg://user:secret@127.0.0.1:1/nothing", upgrade=False)
    pool = engine.pool
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (10, 20, True)  # type: ignore[attr-defined]
    engine.dispose()


def test_what_is_said_when_the_database_cannot_be_opened() -> None:
    with pytest.raises(StoreError) as bad_url:
        db.open_engine("not a url at all")
    assert str(bad_url.value) == "database: 'not a url at all' is not a database URL"
    with pytest.raises(StoreError) as no_driver:
        db.open_engine("postgresql+nodriver://user:secret@db.example/x")
    said = str(no_driver.value)
    assert said.startswith("database: cannot open postgresql+nodriver://user:***@db.example/x: ")
    assert "secret" not in said


def test_alembic_reads_the_url_with_its_percent_signs() -> None:
    engine = db.open_engine("postgresql+psycopg://user:p%25ss@127.0.0.1:1/x", upgrade=False)
    config = db.alembic_config(engine)
    assert config.get_main_option("sqlalchemy.url") == "postgresql+psycopg://user:p%25ss@127.0.0.1:1/x"
    assert config.get_main_option("script_location") == str(db.MIGRATIONS)
    assert db.alembic_config().get_main_option("sqlalchemy.url") is None
    engine.dispose()


def test_the_first_line_of_an_error() -> None:
    assert db._first_line(ValueError("  first\nsecond  ")) == "first"
    assert db._first_line(ValueError("   ")) == "ValueError"


def test_a_database_at_an_older_revision_is_brought_to_head(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.open_engine(url, upgrade=False)
    command.upgrade(db.alembic_config(engine), "0008")  # as an earlier version left it
    assert db.current_revision(engine) == "0008"
    engine.dispose()
    engine = db.open_engine(url)
    assert db.current_revision(engine) == db.head_revision()
    assert {"audit", "attribution_overrides"} <= set(db.table_names(engine))  # 0011's tables
    engine.dispose()


def test_a_migration_the_database_refuses_is_said_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "clash.db"
    with sqlite3.connect(path) as raw:  # a table of ours already there, made by someone else
        raw.execute("CREATE TABLE sources (x INTEGER)")
    raw.close()
    with pytest.raises(StoreError) as refused:
        db.open_engine(f"sqlite:///{path}")
    assert str(refused.value) == "database: table sources already exists"


def test_a_file_that_is_not_a_database_is_said_in_one_line(tmp_path: Path) -> None:
    """Mutation: catching only OperationalError in ``upgrade_schema`` lets sqlite3's DatabaseError through
    (the CLI then printed "internal error: DatabaseError: (sqlite3.DatabaseError) …" over two lines)."""
    path = tmp_path / "notes.db"
    path.write_text("these are someone's notes, not a database\n" * 40)
    with pytest.raises(StoreError) as refused:
        db.open_engine(f"sqlite:///{path}")
    assert str(refused.value) == "database: file is not a database"
    assert path.read_text().startswith("these are someone's notes")  # left as it was
