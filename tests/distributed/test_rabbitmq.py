"""RabbitMQ, the production broker: a worker SIGKILLed mid-pass costs seconds, not a visibility timeout.

RabbitMQ gives a consumer's unacknowledged messages back the moment its connection drops; with
tasks acknowledged late and one reserved per worker process, the killed worker's batch runs
again on the other worker at once. Two passes of the same farm on two workers, each into a
fresh PostgreSQL database (the RabbitMQ vhost is the test's own): one clean, one with a worker
killed a second after the first feed was fetched (a batch in hand: fetched, being processed or
recorded). The killed pass stores the same articles, reports the same counts and takes at most
20 s longer.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.distributed.farm import FeedFarm
from tests.distributed.services import (
    REPO,
    create_database,
    env,
    json_lines,
    kill,
    spawn,
    syndicate,
    wait_for,
    workers_answering,
)

FEEDS, ENTRIES = 120, 10
RECOVERY_BAR = 20.0  # seconds a killed worker may add to the pass
pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.timeout(600)]


def _config(directory: Path, farm: FeedFarm, database: str, broker: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "syndicate.toml"
    path.write_text(f"""[syndicate]
feeds_dir = "feeds"
database = "{database}"
executor = "celery"
broker = "{broker}"
allow_private_networks = true
deadline = "5s"

[[output]]
name = "all"
limit = 5000
""" + farm.sources_toml(), encoding="utf-8")
    return path


def _timed_pass(tmp: Path, farm: FeedFarm, database: str, broker: str,
                during: Callable[[list[subprocess.Popen[bytes]]], None] | None = None,
                ) -> tuple[float, dict[str, object], dict[str, dict[str, object]]]:
    """Two workers, one ``syndicate sync``: its wall seconds, its summary, the articles it stored."""
    config = _config(tmp, farm, database, broker)
    assert syndicate("db", "upgrade", config=config).returncode == 0
    workers = [spawn("worker", "--concurrency", "1", config=config, log=tmp / f"worker{i}.log") for i in range(2)]
    try:
        wait_for(lambda: workers_answering(config) >= 2, timeout=120, what="two workers to answer")
        with farm.lock:
            farm.hits.clear()
        started = time.monotonic()
        sync = subprocess.Popen([sys.executable, "-m", "syndicate", "sync", "--json", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO)
        if during is not None:
            during(workers)
        out, err = sync.communicate(timeout=400)
        wall = time.monotonic() - started
        assert sync.returncode == 0, err
    finally:
        for worker in workers:
            kill(worker, signal.SIGTERM)
    listed = syndicate("articles", "--json", config=config)
    assert listed.returncode == 0, listed.stderr
    return wall, json.loads(out), {a["id"]: a for a in json_lines(listed.stdout)}


def test_a_worker_killed_mid_pass_costs_seconds(tmp_path: Path, pg_url: str, amqp_url: str, run_token: str) -> None:
    """Kills: acks_late off (the killed worker's batch is acknowledged when taken, so it is lost and
    the client waits out its stall, 2 × 15 s + 10 s, before sending it again), or a Redis-style
    wait for the dead worker's tasks: the killed pass is then > 20 s slower."""
    farm = FeedFarm(FEEDS, ENTRIES, token=run_token)
    second = create_database()
    assert second is not None
    try:
        clean_wall, clean_summary, clean_articles = _timed_pass(tmp_path / "clean", farm, pg_url, amqp_url)

        fetched_at_kill: list[int] = []

        def kill_one(workers: list[subprocess.Popen[bytes]]) -> None:
            wait_for(lambda: farm.fetched() >= 1, timeout=120, what="the pass to be under way", every=0.02)
            time.sleep(1.0)
            fetched_at_kill.append(farm.fetched())
            kill(workers[0], signal.SIGKILL)  # the worker and its pool process, with the batch they hold

        killed_wall, killed_summary, killed_articles = _timed_pass(tmp_path / "killed", farm, second[0], amqp_url,
                                                                   during=kill_one)
        refetched = sum(1 for count in farm.hit_counts().values() if count > 1)
    finally:
        farm.close()
        from sqlalchemy import create_engine

        create_engine(second[0]).dispose()
        second[1]()

    assert clean_summary["sources"] == killed_summary["sources"] == {"fetched": FEEDS, "not_modified": 0, "failed": 0}
    assert killed_summary["articles"] == clean_summary["articles"]
    assert len(clean_articles) == FEEDS * ENTRIES
    assert killed_articles == clean_articles
    assert fetched_at_kill[0] < FEEDS  # the worker died with the pass under way, its share still to do
    assert killed_wall <= clean_wall + RECOVERY_BAR, (clean_wall, killed_wall, refetched)


def test_an_unknown_broker_scheme_is_a_clear_error(tmp_path: Path) -> None:
    from syndicate.config import config_from_dict
    from syndicate.distributed.app import celery_settings
    from syndicate.errors import ConfigError

    config = config_from_dict({"syndicate": {"executor": "celery", "broker": "kafka://127.0.0.1:9092"}},
                              tmp_path / "syndicate.toml")
    with pytest.raises(ConfigError, match=r"syndicate.broker: unsupported scheme 'kafka'.*amqp://"):
        celery_settings(config)
    settings = celery_settings(config.model_copy(update={"syndicate": config.syndicate.model_copy(
        update={"broker": "amqp://guest:guest@127.0.0.1:5672//"})}))
    assert settings["result_backend"] == "rpc://" and settings["task_acks_late"] is True
    assert "visibility_timeout" not in settings["broker_transport_options"]
