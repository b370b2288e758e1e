"""``crosspost/delivery.py`` after a crash (``_Deliverer.reconcile``: what is recorded for a row left
in ``sending`` once the target has been asked) and a microblog's length limit (``_Deliverer.max_chars``).

The crash is the state it leaves: a ``sending`` row with no live owner, older than SENDING_STALE,
the target having (or not having) done what was asked. Real targets: a folder of files, the local
Discourse and Mastodon stand-ins of tests/targets (HTTP servers on 127.0.0.1), real SQLite files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))

from crosspost_helpers import (
    T0,
    later,
    make_article,
    make_config,
    row_for,
    set_row,
    store_article,
    withdraw_article,
)
from target_servers.discourse import DiscourseServer
from target_servers.mastodon import MastodonServer, weighted

from syndicate.crosspost import deliver, plan
from syndicate.store.schema import articles

NOTE = "reconciled: the post exists; sending the change again"


def files_config(tmp_path: Path, **extra: Any) -> Any:
    return make_config(tmp_path, [{"name": "site", "type": "files", "path": str(tmp_path / "posts"), "delete": True,
                                   **extra}])


def crashed(engine: Engine, article_id: str, target: str, **values: Any) -> None:
    """The row as a crash between the target's answer and the ledger's record leaves it."""
    set_row(engine, article_id, target, state="sending", sending_owner=None, sending_since=later(2), **values)


def posts(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "posts").glob("*"))


def delivered_once(engine: Engine, tmp_path: Path, config: Any) -> None:
    plan(engine, config, now=T0)
    store_article(engine, make_article("a", title="Ferries"), first_seen=later(1))
    plan(engine, config, now=later(1))
    assert deliver(engine, config, now=later(1)).delivered == 1


def test_a_create_found_on_the_target_is_recorded_as_delivered(engine: Engine, tmp_path: Path) -> None:
    """Kills ``reconcile`` 80 (the action recorded as "CREATE"): the post was written before the crash,
    so the row becomes a delivered create with the post's place, and nothing is written again."""
    config = files_config(tmp_path)
    delivered_once(engine, tmp_path, config)
    written = row_for(engine, "a", "site")
    crashed(engine, "a", "site", remote_id=None, remote_url=None, delivered_hash=None)
    summary = deliver(engine, config, now=later(10))
    assert (summary.reconciled, summary.delivered) == (1, 0)
    row = row_for(engine, "a", "site")
    assert (row["state"], row["action"], row["remote_id"], row["remote_url"]) == (
        "delivered", "create", written["remote_id"], written["remote_url"])
    assert len(posts(tmp_path)) == 1


def test_a_delete_that_arrived_is_recorded_as_delivered(engine: Engine, tmp_path: Path) -> None:
    """Kills ``reconcile`` 98 (the test of "found" inverted: sent again), 100 (the finished delete
    recorded for no row) and 114 (``reconciled -= 1``): a delete whose post is gone is a delivered
    delete, counted as reconciled, not sent again."""
    config = files_config(tmp_path)
    delivered_once(engine, tmp_path, config)
    withdraw_article(engine, make_article("a", title="Ferries"), at=later(3))
    plan(engine, config, now=later(3))
    assert deliver(engine, config, now=later(3)).deleted == 1 and posts(tmp_path) == []
    crashed(engine, "a", "site", action="delete")  # the file was deleted, the record was not written
    summary = deliver(engine, config, now=later(10))
    assert (summary.reconciled, summary.deleted) == (1, 0)
    row = row_for(engine, "a", "site")
    assert (row["state"], row["action"], row["last_error"]) == ("delivered", "delete", None)


def test_a_delete_that_did_not_arrive_is_sent_again(engine: Engine, tmp_path: Path) -> None:
    """Kills ``reconcile`` 98 from the other side (a post still there recorded as deleted) and 120 (the
    note): the row goes back to pending with the note, and the next send deletes the post."""
    config = files_config(tmp_path, max_per_hour=1)
    delivered_once(engine, tmp_path, config)
    store_article(engine, make_article("b", title="Fares"), first_seen=later(2))
    plan(engine, config, now=later(2))
    assert deliver(engine, config, now=later(62)).delivered == 1  # the hour's one send, for b
    withdraw_article(engine, make_article("a", title="Ferries"), at=later(63))
    plan(engine, config, now=later(63))
    crashed(engine, "a", "site")  # the pending delete was claimed, the process died before the request
    stopped = deliver(engine, config, now=later(70))  # reconciled, then no send: the hour's one is used
    assert (stopped.reconciled, stopped.deleted) == (0, 0) and len(posts(tmp_path)) == 2
    row = row_for(engine, "a", "site")
    assert (row["state"], row["action"], row["last_error"]) == ("pending", "delete", NOTE)
    summary = deliver(engine, config, now=later(130))
    assert (summary.reconciled, summary.deleted) == (0, 1) and len(posts(tmp_path)) == 1
    assert row_for(engine, "a", "site")["state"] == "delivered"


def test_a_crashed_row_whose_article_is_gone_fails_for_good(engine: Engine, tmp_path: Path) -> None:
    """Kills ``reconcile`` 24 (the failure recorded for no row): the row is failed, not left in sending."""
    config = files_config(tmp_path)
    delivered_once(engine, tmp_path, config)
    crashed(engine, "a", "site")
    with engine.begin() as conn:
        conn.execute(delete(articles).where(articles.c.id == "a"))
    summary = deliver(engine, config, now=later(10))
    assert summary.reconciled == 0
    row = row_for(engine, "a", "site")
    assert (row["state"], row["next_attempt_at"], row["sending_owner"]) == ("failed", None, None)
    assert row["last_error"] == "site: the article is no longer stored"


def test_a_found_topic_keeps_the_target_s_own_data(engine: Engine, tmp_path: Path) -> None:
    """Kills ``reconcile`` 69 (``remote_meta`` not recorded): Discourse's topic id, which later edits
    need, is recorded from the topic found after the crash."""
    with DiscourseServer() as server:
        config = make_config(tmp_path, [{"name": "forum", "type": "discourse", "url": server.url,
                                         "api_username": "system", "category": 4, "api_key": server.api_key}])
        plan(engine, config, now=T0)
        store_article(engine, make_article("a", title="Ferries and fares in the harbour"), first_seen=later(1))
        plan(engine, config, now=later(1))
        assert deliver(engine, config, now=later(1)).delivered == 1
        meta = row_for(engine, "a", "forum")["remote_meta"]
        assert set(meta) == {"topic_id"}
        crashed(engine, "a", "forum", remote_id=None, remote_url=None, remote_meta=None)
        assert deliver(engine, config, now=later(10)).reconciled == 1
        assert len(server.live()) == 1
    row = row_for(engine, "a", "forum")
    assert (row["state"], row["remote_meta"]) == ("delivered", meta)


def test_a_mastodon_post_is_fitted_to_the_instance_s_limit_asked_once_a_pass(engine: Engine, tmp_path: Path) -> None:
    """Kills ``max_chars`` 1 and 2 and ``post`` 27 (the limit never asked of a text target: the long
    post is refused with a 422) and ``max_chars`` 3, 4
    (the instance asked again for every post): two long posts fit the instance's 150 characters, and
    the pass asks ``/api/v2/instance`` once."""
    long_title = "A fairly long headline about ferries and frozen fares in the harbour town, and more " * 2
    with MastodonServer(max_characters=150) as server:
        config = make_config(tmp_path, [{"name": "masto", "type": "mastodon", "url": server.url,
                                         "access_token": server.token}])
        plan(engine, config, now=T0)
        for n in range(2):
            store_article(engine, make_article(f"m{n}", title=f"{n} {long_title}"), first_seen=later(1))
        plan(engine, config, now=later(1))
        summary = deliver(engine, config, now=later(1))
        assert (summary.delivered, summary.failed) == (2, 0)
        texts = [s.text for s in server.live()]
        asked = [r for r in server.requests if r.path == "/api/v2/instance"]
    assert len(texts) == 2 and all(weighted(t) <= 150 for t in texts)
    assert len(asked) == 1
