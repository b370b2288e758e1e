"""Fixtures of the mutation-killing tests: a migrated SQLite store per test (a real file) and a real
webhook receiver on 127.0.0.1. A module that needs another store (PostgreSQL) defines its own ``engine``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))

from target_servers.webhook import WebhookReceiver

from syndicate.store.db import open_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server  # type: ignore[misc]
