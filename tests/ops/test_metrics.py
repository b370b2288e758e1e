"""``/metrics`` scraped over HTTP from the app the daemon serves, parsed as Prometheus text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, select

from syndicate.daemon.runner import Daemon
from syndicate.metrics import lag_histogram
from syndicate.pipeline.context import Context
from syndicate.serve_app import build_app
from syndicate.store.schema import articles, deliveries
from tests.helpers.cli import write_config
from tests.helpers.feedserver import FeedServer
from tests.ops.conftest import WsgiServer

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><link>https://m.example/</link>
<description>d</description>{items}</channel></rss>"""
ITEM = """<item><title>Story {n}</title><link>https://m.example/{n}</link><guid>m-{n}</guid>
<pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate><description>Text {n}.</description></item>"""


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(url + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.fixture
def served(tmp_path: Path, feed_server: FeedServer) -> Iterator[tuple[Context, Daemon, str]]:
    good = feed_server.serve("/m.rss", RSS.format(items=ITEM.format(n=1) + ITEM.format(n=2) + ITEM.format(n=3)))
    bad = feed_server.serve("/bad.rss", "<html><body>Not a feed</body></html>", content_type="text/html")
    config = write_config(tmp_path, f'[[source]]\nname = "good"\nurl = "{good}"\n'
                                    f'[[source]]\nname = "broken"\nurl = "{bad}"\n'
                                    '[[source]]\nname = "off"\nurl = "https://off.example/"\nenabled = false\n'
                                    '[[output]]\nname = "all"\n')
    ctx = Context.open(config)
    daemon = Daemon(ctx)
    server = WsgiServer(build_app(ctx, daemon=daemon))
    try:
        yield ctx, daemon, server.url
    finally:
        server.close()
        ctx.close()


def test_metrics_report_sources_articles_deliveries_lag_and_the_daemon(
    served: tuple[Context, Daemon, str],
) -> None:
    ctx, daemon, url = served
    before = scrape(url)
    assert before[("syndicate_sources", (("status", "new"),))] == 2
    assert before[("syndicate_sources", (("status", "disabled"),))] == 1
    assert before[("syndicate_last_pass_success_timestamp_seconds", ())] == 0

    daemon.tick()  # one real pass, as the scheduler runs it
    with ctx.engine.begin() as conn:
        ids = [r.id for r in conn.execute(select(articles.c.id, articles.c.published).order_by(articles.c.published))]
        published = {r.id: r.published for r in conn.execute(select(articles.c.id, articles.c.published))}
        now = datetime.now(UTC)
        rows = [(ids[0], "delivered", 600), (ids[1], "delivered", 3 * 3600), (ids[2], "pending", None)]
        for article_id, state, lag in rows:
            start = published[article_id].replace(tzinfo=UTC)
            conn.execute(insert(deliveries).values(
                id=f"d-{article_id}", article_id=article_id, target="blog", state=state, action="create",
                attempts=1, created_at=now, updated_at=now,
                delivered_at=start + timedelta(seconds=lag) if lag is not None else None))
    after = scrape(url)

    assert after[("syndicate_sources", (("status", "ok"),))] == 1
    assert after[("syndicate_sources", (("status", "error"),))] == 1
    assert after[("syndicate_parse_errors", ())] == 1
    assert after[("syndicate_source_consecutive_failures", (("source", "broken"),))] == 1
    assert after[("syndicate_articles", (("state", "live"),))] == 3
    assert after[("syndicate_last_pass_articles", (("change", "new"),))] == 3
    assert after[("syndicate_newest_article_timestamp_seconds", ())] > 0
    assert after[("syndicate_deliveries", (("state", "delivered"), ("target", "blog")))] == 2
    assert after[("syndicate_deliveries", (("state", "pending"), ("target", "blog")))] == 1
    assert after[("syndicate_queue_depth", (("queue", "deliveries"),))] == 1
    assert after[("syndicate_queue_depth", (("queue", "sources"),))] == 0  # both were just fetched
    assert after[("syndicate_crosspost_lag_seconds_count", (("target", "blog"),))] == 2
    assert after[("syndicate_crosspost_lag_seconds_sum", (("target", "blog"),))] == 600 + 3 * 3600
    assert after[("syndicate_crosspost_lag_seconds_bucket", (("le", "900"), ("target", "blog")))] == 1
    assert after[("syndicate_crosspost_lag_seconds_bucket", (("le", "+Inf"), ("target", "blog")))] == 2
    assert after[("syndicate_passes_total", ())] == 1
    assert after[("syndicate_healthy", ())] == 1
    assert after[("syndicate_last_pass_success_timestamp_seconds", ())] == 0  # a source failed
    assert after[("syndicate_websub_subscriptions", (("state", "active"),))] == 0

    health = requests.get(url + "/healthz", timeout=10)
    assert health.status_code == 200


def test_healthz_fails_when_the_scheduler_is_stuck(served: tuple[Context, Daemon, str]) -> None:
    _ctx, daemon, url = served
    daemon.last_tick_started = daemon.last_tick_finished = 1.0  # nothing finished since the clock's start
    assert requests.get(url + "/healthz", timeout=10).status_code == 503
    assert scrape(url)[("syndicate_healthy", ())] == 0


def test_lag_histogram_buckets_are_cumulative() -> None:
    buckets, total = lag_histogram([30, 61, 4000, 10**7], buckets=(60, 3600))
    assert buckets == [("60", 1.0), ("3600", 2.0), ("+Inf", 4.0)]
    assert total == 30 + 61 + 4000 + 10**7
