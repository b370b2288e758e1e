"""Opening the database and bringing its schema up to date."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from syndicate import jsontext
from syndicate.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
_upgrade_lock = threading.Lock()


def transaction(bind: Engine | Connection) -> AbstractContextManager[Connection]:
    """A transaction on ``bind``: a new one on an engine; on a connection, the one it is already in."""
    if isinstance(bind, Connection):
        return nullcontext(bind)
    return bind.begin()


def open_engine(url: str, *, upgrade: bool = True) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys; the schema is upgraded."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database: {url!r} is not a database URL") from None
    # JSON columns written and read with orjson (the standard library's exact spelling is not needed there)
    kwargs: dict[str, Any] = {"future": True, "json_serializer": jsontext.dumps, "json_deserializer": jsontext.loads}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # missing driver and the like
        raise StoreError(f"database: cannot open {parsed.render_as_string(hide_password=True)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    if upgrade:
        upgrade_schema(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit transactions are off)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # checkpoint every ~40 MB of WAL instead of every 4 MB: a page rewritten by many commits (an
    # index leaf) is copied into the database once per checkpoint, so a cold sync writes ~20 %
    # fewer bytes and spends ~7 % less CPU storing (bench/README.md); the file is kept to 64 MB
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE: take the write lock at BEGIN, so two writers queue instead of deadlocking on upgrade
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest migration's revision id (migrations are named ``NNNN_description.py``, revision ``NNNN``)."""
    names = [p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return max(names)


def _at_head(engine: Engine) -> bool:
    """A cheap check that spares importing Alembic on every start when nothing is to be done."""
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except Exception:
        return False
    return found == head_revision()


def upgrade_schema(engine: Engine) -> None:
    """Run every migration not yet applied (``syndicate db upgrade``)."""
    if _at_head(engine):
        return
    from alembic import command

    with _upgrade_lock:
        try:
            with engine.begin() as connection:
                cfg = alembic_config(engine)
                cfg.attributes["connection"] = connection
                if engine.dialect.name == "postgresql":
                    # one migrator at a time across processes and hosts
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
                command.upgrade(cfg, "head")
        except DatabaseError as exc:  # OperationalError, or a file that is not a database at all
            raise StoreError(f"database: {_first_line(exc)}") from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
