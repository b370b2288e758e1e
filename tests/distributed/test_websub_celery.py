"""WebSub with ``executor = "celery"``: the scheduler (``syndicate run --serve``) keeps the
subscriptions and takes pushes, a worker renders what was pushed. Real PostgreSQL, Redis, a Celery
worker, the scheduler as a subprocess, and a local hub that speaks the protocol."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from syndicate.store.schema import subscriptions
from tests.distributed.services import kill, spawn, syndicate, wait_for, workers_answering
from tests.helpers.feedserver import FeedServer
from tests.ops.test_websub import atom
from tests.ops.websub_hub import LocalHub

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.timeout(240)]


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    local = LocalHub()
    yield local
    local.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_scheduler_subscribes_and_a_push_reaches_the_output(
    tmp_path: Path, pg_url: str, redis_url: str, feed_server: FeedServer, hub: LocalHub
) -> None:
    port = free_port()
    topic = feed_server.url("/pushy.atom")
    feed_server.serve("/pushy.atom", atom(topic, hub.url, "First story"), content_type="application/atom+xml")
    config = tmp_path / "syndicate.toml"
    config.write_text(
        f"""[syndicate]
feeds_dir = "feeds"
database = "{pg_url}"
base_url = "http://localhost:8080/"
allow_private_networks = true
executor = "celery"
broker = "{redis_url}"
websub_callback = "http://127.0.0.1:{port}/websub"
interval = "1h"

[syndicate.serve]
host = "127.0.0.1"
port = {port}

[[source]]
name = "pushy"
url = "{topic}"

[[output]]
name = "all"
formats = ["atom"]
""",
        encoding="utf-8",
    )
    assert syndicate("db", "upgrade", config=config).returncode == 0
    engine = create_engine(pg_url)
    all_atom = tmp_path / "feeds" / "all.atom"
    processes: list[subprocess.Popen[bytes]] = []

    def state() -> str | None:
        with engine.connect() as conn:
            return conn.execute(select(subscriptions.c.state).where(subscriptions.c.source == "pushy")).scalar()

    def output() -> bytes:
        return all_atom.read_bytes() if all_atom.is_file() else b""

    try:
        processes.append(spawn("worker", "--concurrency", "1", config=config, log=tmp_path / "worker.log"))
        wait_for(lambda: workers_answering(config) >= 1, timeout=90, what="a worker to answer")
        processes.append(spawn("run", "--serve", config=config, log=tmp_path / "scheduler.log"))

        wait_for(lambda: b"First story" in output(), timeout=60, what="the first poll to be rendered")
        wait_for(lambda: state() == "active", timeout=60, what="the subscription to be verified")
        request = hub.requests[0]
        assert request["hub.mode"] == "subscribe" and request["hub.topic"] == topic
        assert request["hub.callback"].startswith(f"http://127.0.0.1:{port}/websub/")
        assert any(v.echoed for v in hub.verifications)

        fetches = len(feed_server.requests)
        assert hub.push(topic, atom(topic, hub.url, "Pushed story")) == [202]
        assert hub.push(topic, atom(topic, hub.url, "Forged story"), forge=True) == [202]
        wait_for(lambda: b"Pushed story" in output(), timeout=60, what="the pushed article in all.atom")
        assert b"Forged story" not in output()
        assert len(feed_server.requests) == fetches  # the pushed bytes were used, the feed not fetched again
        assert len([r for r in hub.requests if r["hub.mode"] == "subscribe"]) == 1

        # a thin ping (signed, empty): the scheduler's next tick has a worker fetch the feed (conditional GET)
        feed_server.serve("/pushy.atom", atom(topic, hub.url, "First story", "Thin story"),
                          content_type="application/atom+xml")
        assert hub.push(topic, b"", content_type="text/plain") == [202]
        wait_for(lambda: b"Thin story" in output(), timeout=60, what="the thin ping's story in all.atom")
        assert feed_server.requests_to("/pushy.atom")[-1].headers.get("if-none-match")
    finally:
        for process in processes:
            kill(process, signal.SIGTERM)
        engine.dispose()
