"""A real crash between WordPress's answer and the ledger update, then a second pass: exactly one post.

The crash comes from the outside: the child process runs ``deliver()`` against WordPress through a
forwarding proxy, and the proxy SIGKILLs the child once WordPress has answered the create (the post
is made) and before the answer goes back. Nothing in the product is told about it.

Mutation this kills: reconciling without asking WordPress (``find``), i.e. putting the crashed row back
to ``pending`` — the second pass then makes a second post.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from crosspost_helpers import T0, later, make_article, make_config, row_for, store_article
from sqlalchemy import Engine

from syndicate.crosspost import deliver, plan

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services

CHILD = textwrap.dedent(
    """
    import json, sys
    from datetime import datetime
    from pathlib import Path
    from syndicate.config import config_from_dict
    from syndicate.crosspost import deliver
    from syndicate.store.db import open_engine

    raw, base, now = json.loads(sys.argv[1]), Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    config = config_from_dict(raw, base / "syndicate.toml")
    engine = open_engine(config.database_url)
    deliver(engine, config, now=now)
    print("deliver returned: the proxy did not kill this process")
    """
)


def _posts_titled(wp: dict[str, str], title: str) -> list[dict[str, object]]:
    token = title.split()[2]
    response = requests.get(f"{wp['WP_URL']}/wp-json/wp/v2/posts", timeout=30,
                            params={"search": token, "status": "any", "context": "edit", "per_page": "100"},
                            auth=(wp["WP_USER"], wp["WP_APP_PASSWORD"]))
    response.raise_for_status()
    return [p for p in response.json() if token in p["title"]["raw"]]


def test_killed_after_the_request_leaves_exactly_one_post(
    wordpress: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    from target_servers.proxy import FaultProxy

    with FaultProxy(wordpress["WP_URL"], host_header=wordpress["WP_URL"].split("://", 1)[1]) as proxy:
        target = {"name": "blog", "type": "wordpress", "url": proxy.url,
                  "username": wordpress["WP_USER"], "password": wordpress["WP_APP_PASSWORD"]}
        raw = {
            "syndicate": {"database": f"sqlite:///{tmp_path / 'ledger.db'}"},
            "source": [{"name": "outlet", "url": "https://outlet.example/feed"}],
            "target": [target],
        }
        config = make_config(tmp_path, raw["target"])
        plan(engine, config, now=T0)
        article = store_article(engine, make_article(), first_seen=later(1))
        plan(engine, config, now=later(1))

        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(raw), str(tmp_path), later(2).isoformat()],
            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
        proxy.kill_sender_after(child.pid, lambda r: r.method == "POST" and r.path.rstrip("/").endswith("/posts"))
        out, err = child.communicate(timeout=120)
        assert child.returncode == -signal.SIGKILL, out + err
        row = row_for(engine, article.id, "blog")
        assert row["state"] == "sending" and row["remote_id"] is None  # the answer never reached the ledger
        assert len(_posts_titled(wordpress, article.title)) == 1  # but the post was made

        result = deliver(engine, config, now=later(2.1))  # at once: the owner is dead
        assert (result.reconciled, result.delivered, result.errors) == (1, 0, [])
        row = row_for(engine, article.id, "blog")
        posts = _posts_titled(wordpress, article.title)
        assert len(posts) == 1
        assert row["state"] == "delivered" and row["remote_id"] == str(posts[0]["id"])
        assert posts[0]["slug"] == f"syn-{row['id'][:16]}"
        assert deliver(engine, config, now=later(3)).delivered == 0
        assert len(_posts_titled(wordpress, article.title)) == 1
