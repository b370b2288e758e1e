"""Migration 0003 (skipHours/skipDays per source) applies, reverts, and leaves the schema as the code sees it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from syndicate.store.db import alembic_config, current_revision, open_engine
from syndicate.store.schema import metadata


def test_the_migrated_database_matches_the_schema_module(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    columns = {c["name"] for c in inspect(engine).get_columns("sources")}
    assert {"skip_hours", "skip_days"} <= columns
    engine.dispose()


def test_0003_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")
    head = current_revision(engine)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "skip_hours" not in {c["name"] for c in inspect(engine).get_columns("sources")}
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert current_revision(engine) == head
    assert "skip_hours" in {c["name"] for c in inspect(engine).get_columns("sources")}
    engine.dispose()
