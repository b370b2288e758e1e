"""A real crash between WordPress's answer and the ledger update, then a second pass: exactly one post.

The child process runs ``deliver()`` with SYNDICATE_TEST_CRASH_AFTER_SEND=1, which makes it
``os._exit()`` right after the HTTP response (a crash injector only; no behaviour changes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from crosspost_helpers import T0, later, make_article, make_config, row_for, store_article
from sqlalchemy import Engine

from syndicate.crosspost import deliver, plan
from syndicate.crosspost.delivery import CRASH_ENV, CRASH_EXIT

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
    print("deliver returned: the crash injector did not fire")
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
    raw = {
        "syndicate": {"database": f"sqlite:///{tmp_path / 'ledger.db'}"},
        "source": [{"name": "outlet", "url": "https://outlet.example/feed"}],
        "target": [{"name": "blog", "type": "wordpress", "url": wordpress["WP_URL"],
                    "username": wordpress["WP_USER"], "password": wordpress["WP_APP_PASSWORD"]}],
    }
    config = make_config(tmp_path, raw["target"])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))

    env = {**os.environ, CRASH_ENV: "1", "PYTHONPATH": str(REPO)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(raw), str(tmp_path), later(2).isoformat()],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert child.returncode == CRASH_EXIT, child.stdout + child.stderr
    row = row_for(engine, article.id, "blog")
    assert row["state"] == "sending" and row["remote_id"] is None  # the answer never reached the ledger
    assert len(_posts_titled(wordpress, article.title)) == 1  # but the post was made

    result = deliver(engine, config, now=later(10))
    assert (result.reconciled, result.delivered, result.errors) == (1, 0, [])
    row = row_for(engine, article.id, "blog")
    posts = _posts_titled(wordpress, article.title)
    assert len(posts) == 1
    assert row["state"] == "delivered" and row["remote_id"] == str(posts[0]["id"])
    assert posts[0]["slug"] == f"syn-{row['id'][:16]}"
    assert deliver(engine, config, now=later(11)).delivered == 0
    assert len(_posts_titled(wordpress, article.title)) == 1
