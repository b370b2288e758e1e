"""A task message lost on its way to a worker does not hang ``syndicate sync``.

Redis gives a dead worker's tasks to another worker only when the worker recorded them as
unacknowledged; one killed between taking a message and recording it takes the message
along. Here a message is taken off the broker's queue for real (the worker that would have
run it never does), and the pass must still finish: after a stall with no result, the client
sends what is still missing again (every task is idempotent).
"""

from __future__ import annotations

import ast
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from syndicate.config import load_config
from syndicate.distributed.client import resend_after
from tests.distributed.farm import FeedFarm
from tests.distributed.receiver import WebhookReceiver
from tests.distributed.scenario import scenario_config
from tests.distributed.services import REPO, env, kill, spawn, syndicate, wait_for, workers_answering

FEEDS, ENTRIES = 6, 2
pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.timeout(300)]


def test_a_lost_fetch_task_is_sent_again(
    tmp_path: Path, pg_url: str, redis_url: str, receiver: WebhookReceiver, run_token: str
) -> None:
    farm = FeedFarm(FEEDS, ENTRIES, token=run_token)
    config = scenario_config(tmp_path, farm, database=pg_url, hook=receiver.url, broker=redis_url)
    assert syndicate("db", "upgrade", config=config).returncode == 0
    broker = redis.Redis.from_url(redis_url)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # a worker that takes no sources task: the pass's messages (one source each here) wait on the broker
        processes.append(spawn("worker", "--concurrency", "1", "--queues", "fetch,render,deliver",
                               config=config, log=tmp_path / "worker-1.log"))
        wait_for(lambda: workers_answering(config) >= 1, timeout=90, what="a worker to answer")
        sync = subprocess.Popen(
            [sys.executable, "-m", "syndicate", "sync", "--json", "--config", str(config)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO,
        )
        wait_for(lambda: broker.llen("process") == FEEDS, timeout=60, what="the sources messages to be queued")
        lost = broker.rpop("process")  # the oldest message, gone as if a worker had died holding it
        assert lost is not None
        lost_batch = ast.literal_eval(json.loads(lost)["headers"]["argsrepr"])[0]
        (lost_source,) = lost_batch
        processes.append(spawn("worker", "--concurrency", "1", config=config, log=tmp_path / "worker-2.log"))

        out, err = sync.communicate(timeout=resend_after(load_config(config)) + 120)
    finally:
        for process in processes:
            kill(process, signal.SIGTERM)
        farm.close()
        broker.close()

    assert sync.returncode == 0, err
    summary = json.loads(out)
    assert summary["sources"] == {"fetched": FEEDS, "not_modified": 0, "failed": 0}
    assert summary["articles"]["new"] >= FEEDS * ENTRIES - 1  # f005 may carry a copy of one of f004's
    assert "sending 1 task(s) again" in err and f"({lost_source})" in err
    assert farm.fetched() == FEEDS


def test_the_scheduler_sends_again_a_task_long_overdue(tmp_path: Path, redis_url: str) -> None:
    """``syndicate run``'s scheduler sends one render and one deliver task per target at a time;
    one whose message was lost would never finish, and nothing would be rendered or delivered
    again. Past the same stall, the scheduler sends it again."""
    import time
    import uuid

    from celery.result import AsyncResult

    from syndicate.config import config_from_dict
    from syndicate.distributed.scheduler import Scheduler
    from syndicate.pipeline.context import Context

    config = config_from_dict(
        {
            "syndicate": {"database": f"sqlite:///{tmp_path / 'db.sqlite'}", "executor": "celery",
                          "broker": redis_url, "deadline": "5s"},
            "output": [{"name": "all"}],
            "target": [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/h"}],
        },
        tmp_path / "syndicate.toml",
    )
    ctx = Context.open(config=config)
    broker = redis.Redis.from_url(redis_url)
    try:
        scheduler = Scheduler(ctx)
        never = AsyncResult(uuid.uuid4().hex, app=scheduler.app)  # its message is gone: it never runs
        scheduler.in_flight["deliver:hook"] = (never, time.monotonic())
        scheduler.tick()
        assert scheduler.in_flight["deliver:hook"][0] is never  # still running, as far as anyone knows
        assert broker.llen("deliver") == 0

        scheduler.in_flight["deliver:hook"] = (never, time.monotonic() - resend_after(config) - 1)
        scheduler.tick()
        assert scheduler.in_flight["deliver:hook"][0] is not never
        assert broker.llen("deliver") == 1  # sent again
    finally:
        broker.close()
        ctx.close()


def test_a_running_task_is_not_taken_for_lost(
    tmp_path: Path, pg_url: str, redis_url: str, receiver: WebhookReceiver, run_token: str
) -> None:
    """What the stall check asks the workers: the ids of the tasks they run or hold. A task
    still running after the stall (a slow fetch here) is not sent again."""
    from celery import Celery

    from syndicate.distributed.app import celery_settings
    from syndicate.distributed.client import tasks_on_workers

    farm = FeedFarm(2, 1, token=run_token, delay=10.0)  # every request answered after 10 s
    config = scenario_config(tmp_path, farm, database=pg_url, hook=receiver.url, broker=redis_url)
    config.write_text(config.read_text().replace('deadline = "5s"', 'deadline = "60s"'))  # a fetch may wait
    assert syndicate("db", "upgrade", config=config).returncode == 0
    app = Celery("probe", set_as_current=False)
    app.conf.update(celery_settings(load_config(config)))
    worker = spawn("worker", "--concurrency", "1", config=config, log=tmp_path / "worker.log")
    try:
        wait_for(lambda: workers_answering(config) >= 1, timeout=90, what="a worker to answer")
        assert tasks_on_workers(app) == set()
        sent = app.send_task("syndicate.fetch", args=["f000"])
        wait_for(lambda: sent.id in tasks_on_workers(app, timeout=1.0), timeout=30, what="the fetch to be seen running")
        assert sent.get(timeout=60)["status"] == "ok"
        # the result is stored a moment before the worker stops listing the task as active
        wait_for(lambda: sent.id not in tasks_on_workers(app, timeout=1.0), timeout=30, what="the fetch to leave")
    finally:
        kill(worker, signal.SIGTERM)
        farm.close()
        app.close()
