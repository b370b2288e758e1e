"""The same scenario on SQLite + the local executor and on PostgreSQL + Celery with three workers
(one killed with SIGKILL mid-run) gives the same articles, outputs and deliveries, exactly once.

~200 feeds from a local farm (every tenth republishes a story of the feed before it, so copies
merge across sources), a webhook target for the feeds f000–f009, and the real WordPress for one
feed (a missing WordPress skips the test on record outside CI and fails it in CI: it is never
quietly left out). Article ids are derived from the article's canonical URL,
so they do not depend on which copy arrives first; the copies in this scenario share that URL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.distributed.farm import FeedFarm
from tests.distributed.receiver import WebhookReceiver
from tests.distributed.scenario import RunResult, collect, delete_wp_posts, scenario_config, summary_json
from tests.distributed.services import REPO, env, kill, spawn, syndicate, wait_for, workers_answering

FEEDS, ENTRIES = 200, 3
pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.timeout(420)]


def _check_exactly_once(run: RunResult) -> None:
    hook_rows = {d for d in run.deliveries if d[2] == "hook"}
    assert hook_rows and all(d[3] == "delivered" and d[4] == "create" for d in hook_rows)
    assert run.webhook_created == {d[0] for d in hook_rows}
    assert run.webhook_resent == {}  # nothing sent twice
    blog_rows = {d for d in run.deliveries if d[2] == "blog"}
    assert blog_rows and all(d[3] == "delivered" for d in blog_rows)
    assert len(run.wp_posts) == len(blog_rows) and set(run.wp_posts.values()) == {1}


def test_local_and_celery_runs_agree(
    tmp_path: Path, pg_url: str, redis_url: str, receiver: WebhookReceiver, wp: dict[str, str], run_token: str
) -> None:
    farm = FeedFarm(FEEDS, ENTRIES, token=run_token)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        # -- 1. SQLite, local executor -------------------------------------------------------
        local_config = scenario_config(
            tmp_path / "local", farm, database=f"sqlite:///{tmp_path / 'local' / 'syndicate.db'}",
            hook=receiver.url, wp=wp,
        )
        done = syndicate("sync", "--json", config=local_config)
        assert done.returncode == 0, done.stderr
        local = collect(local_config, summary_json(done.stdout), receiver, wp, run_token)
        _check_exactly_once(local)
        delete_wp_posts(wp, run_token)  # the second run makes the same posts (same slugs)
        receiver.reset()
        with farm.lock:
            farm.hits.clear()

        # -- 2. PostgreSQL, Celery, three workers; one killed mid-run -------------------------
        config = scenario_config(tmp_path / "celery", farm, database=pg_url, hook=receiver.url, broker=redis_url, wp=wp)
        upgraded = syndicate("db", "upgrade", config=config)
        assert upgraded.returncode == 0, upgraded.stderr
        workers = [
            spawn("worker", "--concurrency", "1", config=config, log=tmp_path / f"worker{i}.log") for i in range(3)
        ]
        wait_for(lambda: workers_answering(config) >= 3, timeout=90, what="three workers to answer")
        sync = subprocess.Popen(
            [sys.executable, "-m", "syndicate", "sync", "--json", "--config", str(config)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO,
        )
        wait_for(lambda: farm.fetched() >= FEEDS // 4, timeout=90, what="the pass to be under way", every=0.02)
        kill(workers[0], signal.SIGKILL)  # the worker and its pool process, with the tasks they hold
        out, err = sync.communicate(timeout=300)
        assert sync.returncode == 0, err
        distributed = collect(config, summary_json(out), receiver, wp, run_token)
        _check_exactly_once(distributed)
    finally:
        for worker in workers:
            kill(worker, signal.SIGTERM)
        farm.close()
        delete_wp_posts(wp, run_token)

    # the same pass, counted the same way
    assert distributed.summary["sources"] == local.summary["sources"] == {"fetched": FEEDS, "not_modified": 0,
                                                                          "failed": 0}
    assert distributed.summary["articles"] == local.summary["articles"]
    assert distributed.summary["deliveries"]["delivered"] == local.summary["deliveries"]["delivered"]
    # the same articles, outputs and deliveries
    assert len(local.articles) == FEEDS * ENTRIES
    assert distributed.articles.keys() == local.articles.keys()
    assert distributed.articles == local.articles
    assert len(local.atom_entries) == FEEDS * ENTRIES
    assert distributed.atom_entries == local.atom_entries
    assert distributed.deliveries == local.deliveries
    assert distributed.webhook_created == local.webhook_created
    assert distributed.wp_posts == local.wp_posts
