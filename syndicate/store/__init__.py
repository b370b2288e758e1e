"""Storage: SQLite by default, PostgreSQL for scale-out, one schema managed by migrations."""

from syndicate.store.db import open_engine, upgrade_schema

__all__ = ["open_engine", "upgrade_schema"]
