"""Several workers on one ledger, deadlines, and a target that cannot be asked during reconciliation."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from crosspost_helpers import T0, later, make_article, make_config, row_for, set_row, store_article
from sqlalchemy import Engine

from syndicate.crosspost import deliver, plan, preview
from syndicate.crosspost.delivery import DeliverySummary

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))
from target_servers.webhook import WebhookReceiver


def test_concurrent_workers_send_each_article_once(engine: Engine, tmp_path: Path) -> None:
    with WebhookReceiver() as server:
        config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": server.hook}])
        plan(engine, config, now=T0)
        for i in range(24):
            store_article(engine, make_article(), first_seen=later(1 + i / 100))
        plan(engine, config, now=later(2))
        results: list[DeliverySummary] = []

        def worker() -> None:
            results.append(deliver(engine, config, now=later(2)))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sum(r.delivered for r in results) == 24
        assert server.count("POST") == 24 and len(server.events) == 24
        assert all(r.errors == [] for r in results)


def test_no_send_starts_after_the_deadline(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [{"name": "site", "type": "files", "path": "out"}])
    plan(engine, config, now=T0)
    store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    assert deliver(engine, config, now=later(1), deadline=time.monotonic() - 1).delivered == 0
    assert deliver(engine, config, now=later(1), deadline=time.monotonic() + 60).delivered == 1


def test_reconciliation_waits_when_the_target_cannot_be_asked(engine: Engine, tmp_path: Path) -> None:
    config = make_config(tmp_path, [{"name": "forum", "type": "discourse", "url": "http://127.0.0.1:9",
                                     "api_key": "k-123456"}])
    plan(engine, config, now=T0)
    article = store_article(engine, make_article(), first_seen=later(1))
    plan(engine, config, now=later(1))
    set_row(engine, article.id, "forum", state="sending", sending_since=later(1), attempts=1)
    result = deliver(engine, config, now=later(30))
    assert result.delivered == 0 and "could not check a crashed delivery" in result.errors[0]
    row = row_for(engine, article.id, "forum")
    assert row["state"] == "sending" and row["attempts"] == 1 and "reconcile" in row["last_error"]


def test_preview_shows_blocks_with_reasons_and_unregistered_targets(engine: Engine, tmp_path: Path) -> None:
    from syndicate.models import Rights

    store_article(engine, make_article(rights=Rights(license="CC-BY-NC-4.0", conditions=("noncommercial",))),
                  first_seen=T0)
    config = make_config(tmp_path, [{"name": "shop", "type": "files", "path": "out", "commercial": True,
                                     "backfill": 5}])
    (action,) = preview(engine, config, now=later(1))
    assert (action.action, action.state) == ("create", "blocked") and "noncommercial" in (action.reason or "")
    assert action.to_json()["target"] == "shop"
    assert action.describe().startswith("create shop: Test article") and "[blocked: terms are noncommercial" in (
        action.describe())


def test_a_crashed_delete_to_a_webhook_is_sent_again(engine: Engine, tmp_path: Path) -> None:
    """A webhook cannot be asked whether it got the delete: it is sent again (same Idempotency-Key)."""
    from crosspost_helpers import withdraw_article

    with WebhookReceiver() as server:
        config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": server.hook, "delete": True}])
        plan(engine, config, now=T0)
        article = store_article(engine, make_article(), first_seen=later(1))
        plan(engine, config, now=later(1))
        deliver(engine, config, now=later(1))
        withdraw_article(engine, article, at=later(2))
        plan(engine, config, now=later(2))
        set_row(engine, article.id, "hook", state="sending", sending_since=later(2), attempts=1)
        result = deliver(engine, config, now=later(30))
        assert result.deleted == 1 and [e["event"] for e in server.events] == ["create", "delete"]
        assert row_for(engine, article.id, "hook")["action"] == "delete"
