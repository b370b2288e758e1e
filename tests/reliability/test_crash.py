"""Crash consistency: SIGKILL ``syndicate sync`` and ``syndicate run`` at random moments, then let them finish.

50 feeds on a local server publish their items in stages while the command is
killed again and again (seeded delays; the whole process group dies, as on a
power cut). After every kill the feeds folder must hold whole documents and the
database must pass ``PRAGMA integrity_check``. At the end one clean ``sync``
and the ledger's own retry loop (driven through the Python API with a clock an
hour ahead per round, for the retry backoff; a row a killed process left in
``sending`` is reconciled at once, see test_crash_then_pass.py) must reach:
every published item stored once, every article delivered to the webhook
under exactly one delivery id (a resend with the same Idempotency-Key is
allowed: a webhook cannot be asked what it already has),
and exactly one ``delivered`` ledger row per article × target.

CI aims 12 kills at each (up to 36 tries); ``pytest --long`` 60+. How many land mid-run depends on load.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.reliability.harness import (
    command,
    converge,
    exactly_once_problems,
    integrity,
    kill_group,
    output_problems,
    resends,
    run,
    spawn,
    stored_urls,
    webhook_target,
    write_config,
)
from tests.reliability.world import World


@dataclass
class KillReport:
    kills: int = 0  # the process was alive when killed
    finished: int = 0  # it had already finished
    resends: int = 0
    rounds: int = 0

    def line(self, what: str) -> str:
        return (
            f"{what}: {self.kills} kills, {self.finished} runs finished before their kill, "
            f"{self.resends} same-key resends reconciled, converged in {self.rounds} delivery rounds"
        )


def kill_loop(
    world: World,
    tmp_path: Path,
    *,
    mode: str,
    kills: int,
    seed: int,
    items: int,
    delay: tuple[float, float],
    config: Path,
) -> KillReport:
    rng = random.Random(seed)
    report = KillReport()
    first = run(command("sync", "--all", config=config))  # registers the target before anything is published
    assert first.returncode == 0, first.stderr
    log = tmp_path / f"{mode}.log"
    scale = 1.0  # shrinks when a run finishes before its kill, so that the kills keep landing mid-run
    while report.kills < kills and report.kills + report.finished < 3 * kills:
        world.visible = 1 + (report.kills * items) // kills
        args = command("sync", "--all", config=config) if mode == "sync" else command("run", config=config)
        proc = spawn(args, log=log)
        time.sleep(rng.uniform(*delay) * scale)
        if kill_group(proc):
            report.kills += 1
            scale = min(1.0, scale * 1.1)
        else:
            report.finished += 1
            scale *= 0.7
        problems = output_problems(tmp_path / "feeds")
        assert not problems, f"after kill {report.kills}: {problems}"
        assert integrity(tmp_path / "syndicate.db") == "ok", f"after kill {report.kills}"
    world.visible = items
    final = run(command("sync", "--all", config=config))
    assert final.returncode == 0, final.stdout + final.stderr
    report.rounds, rows = converge(config)
    problems = exactly_once_problems(world, config, rows)
    assert not problems, problems
    assert not output_problems(tmp_path / "feeds")
    assert integrity(tmp_path / "syndicate.db") == "ok"
    report.resends = resends(world)
    # How many kills land while the command still runs depends on the machine's load (a run may finish
    # before its kill); every kill that landed was checked above. What must hold whatever the timing: at
    # least one landed (the delays shrink after each run that finished first), so a crash was tested.
    assert report.kills >= 1, report
    assert report.kills + report.finished <= 3 * kills, report
    return report


def farm_config(world: World, tmp_path: Path, *, feeds: int, items: int, **settings: object) -> Path:
    urls = world.add_feeds(feeds, items)
    return write_config(
        tmp_path,
        [(f"site{i}", u) for i, u in enumerate(urls)],
        targets=webhook_target(world.url("/hook")),
        settings={"interval": "2s", **settings},
        output_limit=500,
    )


@pytest.mark.slow
def test_sync_survives_sigkill(world: World, tmp_path: Path) -> None:
    config = farm_config(world, tmp_path, feeds=50, items=3)
    report = kill_loop(world, tmp_path, mode="sync", kills=12, seed=1, items=3, delay=(0.4, 2.8), config=config)
    print(report.line("sync"))


@pytest.mark.slow
def test_daemon_survives_sigkill(world: World, tmp_path: Path) -> None:
    config = farm_config(world, tmp_path, feeds=50, items=3)
    report = kill_loop(world, tmp_path, mode="run", kills=12, seed=2, items=3, delay=(1.0, 4.0), config=config)
    print(report.line("run"))


@pytest.mark.long
def test_sync_survives_sigkill_long(world: World, tmp_path: Path) -> None:
    config = farm_config(world, tmp_path, feeds=50, items=6, process_workers=2)
    report = kill_loop(world, tmp_path, mode="sync", kills=60, seed=11, items=6, delay=(0.3, 3.0), config=config)
    print(report.line("sync (long)"))


@pytest.mark.long
def test_daemon_survives_sigkill_long(world: World, tmp_path: Path) -> None:
    config = farm_config(world, tmp_path, feeds=50, items=6, process_workers=2)
    report = kill_loop(world, tmp_path, mode="run", kills=60, seed=12, items=6, delay=(0.8, 5.0), config=config)
    print(report.line("run (long)"))


# -- the real WordPress ----------------------------------------------------------------------


def ledger_progress(db: Path) -> int:
    """Deliveries started or done so far (read while the command runs)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        delivered, sending = conn.execute(
            "SELECT sum(state = 'delivered'), sum(state = 'sending') FROM deliveries"
        ).fetchone()
        return int(delivered or 0) + (10**6 if sending else 0)  # a request in flight counts as progress
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def wordpress_posts(wp: dict[str, str], *, search: str) -> list[dict[str, Any]]:
    auth = (wp["WP_USER"], wp["WP_APP_PASSWORD"].replace(" ", ""))
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        reply = requests.get(
            wp["WP_URL"].rstrip("/") + "/wp-json/wp/v2/posts",
            params={"search": search, "status": "any", "context": "edit", "per_page": "100", "page": str(page)},
            auth=auth,
            timeout=30,
        )
        if reply.status_code == 400:  # past the last page
            break
        reply.raise_for_status()
        batch = reply.json()
        found.extend(batch)
        if len(batch) < 100:
            break
        page += 1
    return found


@pytest.mark.slow
@pytest.mark.services
@pytest.mark.parametrize("kills", [pytest.param(4, id="ci"), pytest.param(20, id="long", marks=pytest.mark.long)])
def test_wordpress_gets_one_post_per_article_across_kills(
    wordpress_env: dict[str, str], tmp_path: Path, kills: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syndicate.crosspost.ledger import delivery_id
    from syndicate.targets.base import slug_for

    tag = "rel" + uuid.uuid4().hex[:10]
    world = World(seed=3, tag=tag)
    try:
        items = kills + 1  # every run gets new articles to post
        urls = world.add_feeds(5, items)
        target = (
            '[[target]]\nname = "wp"\ntype = "wordpress"\n'
            f'url = "{wordpress_env["WP_URL"]}"\nusername = "{wordpress_env["WP_USER"]}"\n'
            'password = "${WP_APP_PASSWORD}"\nsend_tags = false\n'
        )
        config = write_config(tmp_path, [(f"site{i}", u) for i, u in enumerate(urls)], targets=target,
                              settings={"read_timeout": "30s", "deadline": "60s"})
        env = {"WP_APP_PASSWORD": wordpress_env["WP_APP_PASSWORD"]}
        monkeypatch.setenv("WP_APP_PASSWORD", wordpress_env["WP_APP_PASSWORD"])  # for converge's config load
        first = run(command("sync", "--all", config=config), env=env)
        assert first.returncode == 0, first.stderr
        rng = random.Random(kills)
        killed = 0
        for k in range(kills):
            world.visible = k + 1  # five new articles per run: every kill can land mid-delivery
            before = ledger_progress(tmp_path / "syndicate.db")
            proc = spawn(command("sync", "--all", config=config), log=tmp_path / "wp.log", env=env)
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:  # wait for the deliveries to start
                if ledger_progress(tmp_path / "syndicate.db") > before:
                    break
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.2))
            killed += kill_group(proc)
            assert integrity(tmp_path / "syndicate.db") == "ok", f"after kill {k + 1}"
            assert not output_problems(tmp_path / "feeds")
        world.visible = items
        final = run(command("sync", "--all", config=config), env=env)
        assert final.returncode == 0, final.stdout + final.stderr
        _, rows = converge(config)
        stored = stored_urls(config)
        assert set(stored) == world.expected_urls()
        assert len(rows) == len(stored) and all(r["state"] == "delivered" for r in rows), rows
        posts = wordpress_posts(wordpress_env, search=tag)
        slugs = sorted(str(p["slug"]) for p in posts)
        expected = sorted(slug_for(delivery_id(article_id, "wp")) for article_id in stored.values())
        assert slugs == expected, f"{killed} kills: WordPress has {slugs}, expected one post per article"
        by_remote = {r["remote_id"] for r in rows}
        assert by_remote == {str(p["id"]) for p in posts}
        assert killed >= kills // 2, f"only {killed} of {kills} runs were killed: the test proves little"
        print(f"wordpress: {killed} kills, {len(posts)} posts for {len(stored)} articles")
    finally:
        world.close()
        for post in wordpress_posts(wordpress_env, search=tag):  # leave the shared WordPress as it was
            requests.delete(
                wordpress_env["WP_URL"].rstrip("/") + f"/wp-json/wp/v2/posts/{post['id']}",
                params={"force": "true"},
                auth=(wordpress_env["WP_USER"], wordpress_env["WP_APP_PASSWORD"].replace(" ", "")),
                timeout=30,
            )


def test_a_failed_ingest_does_not_lose_the_entries(world: World, tmp_path: Path) -> None:
    """The fetch's validators (ETag) must not be committed before its entries are: a death in between
    (here: the articles table refuses writes, as a full disk would) must not turn the next fetch into
    a 304 that hides the new entries for good."""
    import sqlite3

    (url,) = world.add_feeds(1, 2)
    config = write_config(tmp_path, [("site0", url)])
    world.visible = 1
    assert run(command("sync", "--all", config=config)).returncode == 0
    world.visible = 2
    db = sqlite3.connect(tmp_path / "syndicate.db")
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    db.commit()
    broken = run(command("sync", "--all", config=config))
    assert broken.returncode != 0
    db.execute("DROP TRIGGER refuse")
    db.commit()
    db.close()
    again = run(command("sync", "--all", config=config))
    assert again.returncode == 0, again.stderr
    assert set(stored_urls(config)) == world.expected_urls()
