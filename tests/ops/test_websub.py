"""WebSub subscriber against a local hub that speaks the protocol: subscribe, verify, push, renew, unsubscribe."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from syndicate.config import load_config
from syndicate.daemon.runner import Daemon
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import run_pass
from syndicate.store.sources import PUSHED_SAFETY_INTERVAL, get_source
from syndicate.websub import subscriptions as subs
from syndicate.websub.plan import renew_at
from syndicate.websub.subscriber import maintain_subscriptions
from tests.helpers.cli import run_cli, write_config
from tests.helpers.feedserver import FeedServer
from tests.ops.conftest import SwappableApp, WsgiServer, wait_for
from tests.ops.websub_hub import LocalHub

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Pushy News</title><id>urn:pushy</id><updated>2026-11-24T10:00:00Z</updated>
  <link rel="alternate" href="https://pushy.example/"/>
  <link rel="self" href="{self_url}"/>
  <link rel="hub" href="{hub}"/>
  <author><name>Pushy Desk</name></author>
  {entries}
</feed>"""
ENTRY = """<entry><title>{title}</title><id>urn:pushy:{slug}</id><link href="https://pushy.example/{slug}"/>
  <updated>2026-11-24T1{n}:00:00Z</updated><summary>About {title}.</summary></entry>"""


def atom(self_url: str, hub: str, *titles: str) -> bytes:
    entries = "".join(ENTRY.format(title=t, slug=t.lower().replace(" ", "-"), n=i % 10) for i, t in enumerate(titles))
    return ATOM.format(self_url=self_url, hub=hub, entries=entries).encode()


@dataclass
class Setup:
    ctx: Context
    daemon: Daemon
    callback: WsgiServer
    topic: str
    hub: LocalHub
    config_path: Path

    @property
    def atom_file(self) -> Path:
        return self.ctx.config.feeds_dir / "all.atom"

    def output(self) -> bytes:
        return self.atom_file.read_bytes() if self.atom_file.is_file() else b""


def websub_site(tmp_path: Path, feed_server: FeedServer, hub: LocalHub, settings: str = "") -> Iterator[Setup]:
    """A source whose Atom feed names ``hub``, the callback served for real, a daemon object; ``settings``
    go into ``[syndicate]``."""
    app = SwappableApp()
    callback = WsgiServer(app)
    topic = feed_server.url("/pushy.atom")
    feed_server.serve("/pushy.atom", atom(topic, hub.url, "First story"), content_type="application/atom+xml")
    config_path = write_config(
        tmp_path,
        f'{settings}allow_private_networks = true\nwebsub_callback = "{callback.url}/websub"\n'
        f'[[source]]\nname = "pushy"\nurl = "{topic}"\n[[output]]\nname = "all"\nformats = ["atom"]\n',
    )
    ctx = Context.open(config_path)
    daemon = Daemon(ctx, config_path=str(config_path))
    from syndicate.websub.subscriber import callback_app

    app.app = callback_app(ctx, daemon)
    try:
        yield Setup(ctx, daemon, callback, topic, hub, config_path)
    finally:
        callback.close()
        ctx.close()


@pytest.fixture
def setup(tmp_path: Path, feed_server: FeedServer, hub: LocalHub) -> Iterator[Setup]:
    yield from websub_site(tmp_path, feed_server, hub)


def subscribe(s: Setup) -> subs.Subscription:
    run_pass(s.ctx, crosspost=False)  # discovers the hub and the self URL
    assert get_source(s.ctx.engine, "pushy").hub_url == s.hub.url  # type: ignore[union-attr]
    actions = maintain_subscriptions(s.ctx)
    assert [(a.kind, a.source) for a in actions] == [("subscribe", "pushy")]
    assert s.hub.wait_until(lambda h: any(v.echoed for v in h.verifications))
    assert wait_for(lambda: getattr(subs.get(s.ctx.engine, "pushy"), "state", None) == "active")
    found = subs.get(s.ctx.engine, "pushy")
    assert found is not None
    return found


def test_subscribe_verify_and_signed_push_reaches_the_output(setup: Setup) -> None:
    s = setup
    subscription = subscribe(s)
    request = s.hub.requests[0]
    assert request["hub.mode"] == "subscribe" and request["hub.topic"] == s.topic
    assert request["hub.callback"] == f"{s.callback.url}/websub/{subscription.token}"
    assert request["hub.secret"] == subscription.secret and len(subscription.secret) >= 32
    assert int(request["hub.lease_seconds"]) > 0
    assert subscription.lease_seconds == s.hub.lease_seconds
    assert subscription.expires_at is not None
    assert abs((subscription.expires_at - datetime.now(UTC)).total_seconds() - s.hub.lease_seconds) < 60
    assert b"First story" in s.output()
    listed = run_cli("sources", "list", config=s.config_path)
    fields = listed.stdout.split()
    assert listed.returncode == 0 and fields[:2] == ["pushy", "ok"] and fields[4] == "active"

    started = time.monotonic()
    assert s.hub.push(s.topic, atom(s.topic, s.hub.url, "Pushed story")) == [202]
    assert wait_for(lambda: b"Pushed story" in s.output(), 20), "the pushed article never reached all.atom"
    delay = time.monotonic() - started
    print(f"\nWEBSUB push-to-output delay: {delay * 1000:.0f} ms")
    # the feed was not fetched again: the pushed bytes were processed
    assert len([r for r in s.hub.requests if r["hub.mode"] == "subscribe"]) == 1


def test_push_with_bad_or_missing_signature_is_acknowledged_and_ignored(setup: Setup) -> None:
    s = setup
    subscribe(s)
    assert s.hub.push(s.topic, atom(s.topic, s.hub.url, "Forged story"), forge=True) == [202]
    # websub.rocks 302: we subscribed with a secret, so an unsigned push is refused (4xx)
    assert s.hub.push(s.topic, atom(s.topic, s.hub.url, "Unsigned story"), sign=False) == [400]
    assert s.hub.push(s.topic, atom(s.topic, s.hub.url, "Genuine story"), method="sha512") == [202]
    assert wait_for(lambda: b"Genuine story" in s.output(), 20)
    assert b"Forged story" not in s.output() and b"Unsigned story" not in s.output()
    from syndicate.store.articles import iter_articles

    titles = {a.title for a in iter_articles(s.ctx.engine)}
    assert "Forged story" not in titles and "Unsigned story" not in titles and "Genuine story" in titles


def test_callback_refuses_unknown_topics_and_tokens(setup: Setup) -> None:
    s = setup
    subscription = subscribe(s)
    url = f"{s.callback.url}/websub/{subscription.token}"
    wrong_topic = requests.get(url, params={"hub.mode": "subscribe", "hub.topic": "https://evil.example/feed",
                                            "hub.challenge": "abc", "hub.lease_seconds": "60"}, timeout=10)
    assert wrong_topic.status_code == 404 and "abc" not in wrong_topic.text
    unknown = requests.get(f"{s.callback.url}/websub/0123456789abcdef", params={
        "hub.mode": "subscribe", "hub.topic": s.topic, "hub.challenge": "abc"}, timeout=10)
    assert unknown.status_code == 404
    assert requests.post(f"{s.callback.url}/websub/0123456789abcdef", data=b"<feed/>", timeout=10).status_code == 410
    # an unsubscribe nobody asked for is not confirmed
    spoof = requests.get(url, params={"hub.mode": "unsubscribe", "hub.topic": s.topic, "hub.challenge": "abc"},
                         timeout=10)
    assert spoof.status_code == 404
    assert subs.get(s.ctx.engine, "pushy").state == "active"  # type: ignore[union-attr]
    # the hub may deny a subscription (WebSub §5.2): recorded with its reason, retried later
    denied = requests.get(url, params={"hub.mode": "denied", "hub.topic": s.topic, "hub.reason": "quota exceeded"},
                          timeout=10)
    assert denied.status_code == 200
    after = subs.get(s.ctx.engine, "pushy")
    assert after is not None and after.state == "denied" and after.last_error == "quota exceeded"


def test_lease_is_renewed_before_it_ends_and_polling_slows_down(setup: Setup) -> None:
    s = setup
    first = subscribe(s)
    assert maintain_subscriptions(s.ctx) == []  # nothing to do while the lease is young
    later = renew_at(first) + timedelta(seconds=1)
    actions = maintain_subscriptions(s.ctx, now=later)
    assert [(a.kind, a.why) for a in actions] == [("subscribe", "renewal")]
    assert s.hub.wait_until(lambda h: len([v for v in h.verifications if v.echoed]) == 2)
    renewed = subs.get(s.ctx.engine, "pushy")
    assert renewed is not None and renewed.state == "active"
    assert renewed.secret == first.secret and renewed.token == first.token  # same callback, same secret
    assert [r["hub.callback"] for r in s.hub.requests] == [s.hub.requests[0]["hub.callback"]] * 2
    # while pushed to, the source is polled only as a slow safety net (6 h, or the lease's end if sooner)
    run_pass(s.ctx, force=True, crosspost=False)
    row = get_source(s.ctx.engine, "pushy")
    assert row is not None and row.next_due_at is not None and renewed.expires_at is not None
    safety = datetime.now(UTC) + timedelta(seconds=PUSHED_SAFETY_INTERVAL - 60)
    assert row.next_due_at >= min(safety, renewed.expires_at - timedelta(seconds=60))
    assert row.next_due_at >= datetime.now(UTC) + timedelta(minutes=30)  # far slower than the source's own


def test_the_safety_poll_never_waits_past_the_lease(setup: Setup) -> None:
    """A lease shorter than the safety interval: the next poll comes by the lease's end, so a daemon
    that does not renew (`run` without `--serve`) polls again when pushes stop, not hours later.
    Kills: next_due ignoring ``pushed_until`` (the poll 6 h away while the lease ends in 10 min)."""
    s = setup
    s.hub.lease_seconds = 600  # the hub grants ten minutes
    subscription = subscribe(s)
    assert subscription.expires_at is not None
    ends = subscription.expires_at
    run_pass(s.ctx, force=True, crosspost=False)
    row = get_source(s.ctx.engine, "pushy")
    assert row is not None and row.next_due_at is not None
    assert datetime.now(UTC) + timedelta(minutes=5) < row.next_due_at <= ends + timedelta(seconds=1)


def test_removed_source_is_unsubscribed(setup: Setup) -> None:
    s = setup
    subscribe(s)
    text = s.config_path.read_text()
    s.config_path.write_text(text.split("[[source]]")[0] + '[[output]]\nname = "all"\nformats = ["atom"]\n')
    s.daemon.ctx = Context(config=load_config(s.config_path), engine=s.ctx.engine)
    actions = maintain_subscriptions(s.daemon.ctx)
    assert [(a.kind, a.source) for a in actions] == [("unsubscribe", "pushy")]
    assert s.hub.wait_until(lambda h: any(v.mode == "unsubscribe" and v.echoed for v in h.verifications))
    assert subs.get(s.ctx.engine, "pushy") is None
    assert s.hub.subscriptions == {}


def test_a_hub_that_refuses_is_recorded_and_retried_later(setup: Setup, feed_server: FeedServer) -> None:
    s = setup
    feed_server.serve("/pushy.atom", atom(s.topic, s.hub.url.replace("/hub", "/nowhere"), "First story"),
                      content_type="application/atom+xml")
    run_pass(s.ctx, crosspost=False)
    maintain_subscriptions(s.ctx)
    failed = subs.get(s.ctx.engine, "pushy")
    assert failed is not None and failed.state == "failed" and failed.last_error == "HTTP 400"
    assert maintain_subscriptions(s.ctx) == []  # not hammered
    retry = maintain_subscriptions(s.ctx, now=datetime.now(UTC) + timedelta(hours=2))
    assert [a.why for a in retry] == ["retry"]
