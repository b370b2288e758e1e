"""SIGHUP's reload (``Context.reloaded``): what may change while running, and what is refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from syndicate.pipeline.context import Context
from tests.helpers.cli import write_config

SOURCE = '[[source]]\nname = "one"\nurl = "https://one.example/feed.xml"\n'


def test_a_reload_takes_new_sources_and_refuses_another_database_executor_or_broker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, SOURCE)
    ctx = Context.open(path)
    try:
        write_config(tmp_path, SOURCE + '[[source]]\nname = "two"\nurl = "https://two.example/feed.xml"\n')
        reloaded = ctx.reloaded(path, what="daemon")
        assert reloaded is not None and [s.name for s in reloaded.config.source] == ["one", "two"]
        assert reloaded.engine is ctx.engine

        caplog.set_level(logging.ERROR)
        write_config(tmp_path, SOURCE, database="other.db")
        assert ctx.reloaded(path, what="daemon") is None
        assert "the database cannot change" in caplog.text

        path.write_text(
            path.read_text().replace('database = "sqlite:///other.db"', 'database = "sqlite:///syndicate.db"')
            .replace("[syndicate]\n", '[syndicate]\nexecutor = "celery"\nbroker = "redis://127.0.0.1:6379/9"\n'),
            encoding="utf-8",
        )
        assert ctx.reloaded(path, what="scheduler") is None
        assert "the executor and the broker cannot change while the scheduler runs" in caplog.text
    finally:
        ctx.close()
