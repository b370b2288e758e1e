"""The WebSub subscriber to the letter of the W3C Recommendation (issue #22), against a local hub that
behaves like real ones: 202 then asynchronous verification of intent, denial (§5.2), leases it enforces,
HMAC-signed fat pings and thin (empty) ones, Link headers that may disagree with the document.

Each test names the mutation of ``syndicate/websub`` it was seen to fail on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from syndicate.config import load_config
from syndicate.daemon.runner import Daemon
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import run_pass
from syndicate.store.articles import iter_articles
from syndicate.store.sources import PUSHED_SAFETY_INTERVAL, SourceRow, get_source
from syndicate.websub import subscriptions as subs
from syndicate.websub.plan import renew_at
from syndicate.websub.subscriber import maintain_subscriptions
from tests.helpers.cli import run_cli, write_config
from tests.helpers.feedserver import FeedServer
from tests.ops.conftest import WsgiServer, wait_for
from tests.ops.test_websub import atom, websub_site
from tests.ops.websub_hub import LocalHub

INTERVAL = 60.0  # the source's own interval ("1m")

RSS = """<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Pushy RSS</title><link>https://pushy.example/</link><description>d</description>{links}
<item><title>RSS story</title><link>https://pushy.example/rss-1</link><guid>rss-1</guid>
<pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>"""


def rss(hub: str | None = None, self_url: str | None = None) -> bytes:
    links = (f'<atom:link rel="hub" href="{hub}"/>' if hub else "") + (
        f'<atom:link rel="self" href="{self_url}"/>' if self_url else "")
    return RSS.format(links=links).encode()


@dataclass
class World:
    ctx: Context
    daemon: Daemon
    callback: WsgiServer
    topic: str
    hub: LocalHub
    feeds: FeedServer
    config_path: Path

    def row(self) -> SourceRow:
        row = get_source(self.ctx.engine, "pushy")
        assert row is not None
        return row

    def subscription(self) -> subs.Subscription | None:
        return subs.get(self.ctx.engine, "pushy")

    def state(self) -> str | None:
        found = self.subscription()
        return found.state if found is not None else None

    def on_own_schedule(self) -> bool:
        """The next fetch is at most the source's own interval after the last (not the push-time 6 h)."""
        row = self.row()
        assert row.next_due_at is not None and row.last_fetch_at is not None
        jitter = INTERVAL * self.ctx.config.syndicate.jitter  # a poll adds up to this much
        return row.next_due_at <= row.last_fetch_at + timedelta(seconds=INTERVAL + jitter + 1)

    def on_push_schedule(self) -> bool:
        """The next fetch is the slow safety poll: 6 h away, or at the lease's end if that comes first."""
        row = self.row()
        found = self.subscription()
        assert row.next_due_at is not None
        safety = datetime.now(UTC) + timedelta(seconds=PUSHED_SAFETY_INTERVAL - 120)
        if found is not None and found.expires_at is not None and found.expires_at < safety:
            return found.expires_at - timedelta(seconds=120) <= row.next_due_at <= found.expires_at
        return row.next_due_at >= safety

    def reconfigure(self, text: str) -> None:
        self.config_path.write_text(text)
        self.ctx = Context(config=load_config(self.config_path), engine=self.ctx.engine)
        self.daemon.ctx = self.ctx


@pytest.fixture
def world(tmp_path: Path, feed_server: FeedServer, hub: LocalHub) -> Iterator[World]:
    for s in websub_site(tmp_path, feed_server, hub, settings='interval = "1m"\n'):
        yield World(s.ctx, s.daemon, s.callback, s.topic, s.hub, feed_server, s.config_path)


def subscribed(w: World) -> subs.Subscription:
    """Poll (discovers the hub), subscribe, let the hub verify; then a forced poll puts the source on
    the push-time schedule."""
    run_pass(w.ctx, crosspost=False)
    maintain_subscriptions(w.ctx)
    assert wait_for(lambda: w.state() == "active"), w.hub.verifications
    run_pass(w.ctx, force=True, crosspost=False)
    assert w.on_push_schedule()
    found = w.subscription()
    assert found is not None
    return found


def titles(w: World) -> set[str]:
    return {a.title or "" for a in iter_articles(w.ctx.engine)}


def status_json(w: World) -> dict:  # type: ignore[type-arg]
    shown = run_cli("status", "--json", config=w.config_path)
    assert shown.returncode == 0, shown.stderr
    return next(s for s in json.loads(shown.stdout)["sources"] if s["name"] == "pushy")


# --------------------------------------------------------------------------
# 1. any end of an active subscription: back on the source's own polling schedule at once
# --------------------------------------------------------------------------


def test_a_denied_subscription_puts_the_source_back_on_its_own_schedule(world: World) -> None:
    """Kills: the denial recorded without moving ``next_due_at`` (main: "next due in 6h", no poll)."""
    w = world
    subscribed(w)
    assert w.hub.deny(w.topic, "over quota") == [200]
    assert w.state() == "denied" and w.on_own_schedule()
    shown = status_json(w)
    assert shown["websub"]["state"] == "denied" and shown["websub"]["error"] == "over quota"
    assert shown["schedule"] == {"on": "polling", "interval": INTERVAL}
    text = run_cli("status", config=w.config_path, env={"COLUMNS": "200"}).stdout
    assert "poll 1m" in text and "denied" in text and "push (poll 6h)" not in text


def test_status_shows_the_subscription_and_the_push_time_schedule(world: World) -> None:
    w = world
    subscribed(w)
    shown = status_json(w)
    assert shown["schedule"] == {"on": "push", "interval": PUSHED_SAFETY_INTERVAL}
    websub = shown["websub"]
    assert (websub["state"], websub["hub"], websub["topic"]) == ("active", w.hub.url, w.topic)
    assert datetime.fromisoformat(websub["lease_expires"]) > datetime.now(UTC)
    assert "secret" not in json.dumps(shown) and w.subscription().secret not in json.dumps(shown)  # type: ignore[union-attr]
    text = run_cli("status", "--json", config=w.config_path).stdout
    assert w.subscription().token not in text  # type: ignore[union-attr]
    table = run_cli("status", config=w.config_path, env={"COLUMNS": "200"}).stdout
    assert "push (poll 6h)" in table and "active, lease ends in" in table


def test_a_lease_that_runs_out_puts_the_source_back_on_its_own_schedule(world: World) -> None:
    """Kills: an expired lease left "active" (main: nothing looks at ``expires_at`` but the renewal)."""
    w = world
    w.hub.lease_seconds = 4
    subscribed(w)
    assert w.state() == "active"
    w.hub.refuse = True  # the renewal is refused too: the lease just ends
    assert wait_for(lambda: status_json(w)["websub"]["state"] == "expired", 10)
    # nothing has looked yet ("expired" in status), but the safety poll was never put past the lease's end
    lapsed = w.subscription()
    assert lapsed is not None and lapsed.expires_at is not None
    assert w.row().next_due_at is not None and w.row().next_due_at <= lapsed.expires_at  # type: ignore[operator]
    maintain_subscriptions(w.ctx)
    assert w.on_own_schedule() and w.state() == "failed"
    assert status_json(w)["schedule"]["on"] == "polling"


def test_a_refused_renewal_puts_the_source_back_on_its_own_schedule(world: World) -> None:
    """Kills: a renewal the hub refuses leaving the push-time schedule in place."""
    w = world
    first = subscribed(w)
    w.hub.refuse = True
    now = datetime.now(UTC)  # as if verified 90 s ago for 100 s: due for renewal now
    aged = replace(first, lease_seconds=100, expires_at=now + timedelta(seconds=10),
                   updated_at=now - timedelta(seconds=90))
    subs.save(w.ctx.engine, aged)
    assert renew_at(first) > now > renew_at(aged)
    actions = maintain_subscriptions(w.ctx)
    assert [(a.kind, a.why) for a in actions] == [("subscribe", "renewal")]
    assert w.state() == "failed" and w.on_own_schedule()


def test_a_hub_gone_from_the_feed_unsubscribes_and_polls_on_its_own_schedule(world: World) -> None:
    """Kills: the poll that sees the hub gone stretching the schedule to 6 h, and unsubscribing without
    moving ``next_due_at`` (main: the source waits out the 6 h)."""
    w = world
    subscribed(w)
    w.feeds.serve("/pushy.atom", atom(w.topic, "", "First story").replace(b'<link rel="hub" href=""/>', b""),
                  content_type="application/atom+xml")
    run_pass(w.ctx, force=True, crosspost=False)
    assert w.row().hub_url is None
    assert w.on_own_schedule()  # the poll that saw the hub gone did not stretch the schedule
    actions = maintain_subscriptions(w.ctx)
    assert [(a.kind, a.why) for a in actions] == [("unsubscribe", "no longer wanted")]
    assert w.on_own_schedule()
    assert w.hub.wait_until(lambda h: any(v.mode == "unsubscribe" and v.echoed for v in h.verifications))
    assert w.subscription() is None and status_json(w)["websub"]["state"] == "none"


def test_a_subscription_forgotten_without_a_callback_puts_the_source_back_on_its_own_schedule(
    world: World,
) -> None:
    """Kills: forgetting an active subscription (``websub_callback`` removed) without moving ``next_due_at``."""
    w = world
    subscribed(w)
    w.reconfigure(w.config_path.read_text().replace("websub_callback", "# websub_callback"))
    assert [(a.kind, a.source) for a in maintain_subscriptions(w.ctx)] == [("forget", "pushy")]
    assert w.subscription() is None and w.on_own_schedule()


# --------------------------------------------------------------------------
# 2. discovery order (§4): the Link headers first, hub and self as a pair
# --------------------------------------------------------------------------


@pytest.fixture
def hub_b() -> Iterator[LocalHub]:
    other = LocalHub()
    yield other
    other.close()


def test_link_headers_come_before_the_documents_links(world: World, hub_b: LocalHub) -> None:
    """websub.rocks 104. Kills: the document's hub or self preferred (main subscribed at B for Y)."""
    w = world
    header_self = w.feeds.url("/pushy.atom?via=headers")
    document_self = w.feeds.url("/pushy.atom?via=document")
    w.feeds.serve("/pushy.atom", atom(document_self, hub_b.url, "First story"), content_type="application/atom+xml",
                  headers={"Link": f'<{w.hub.url}>; rel="hub", <{header_self}>; rel="self"'})
    run_pass(w.ctx, crosspost=False)
    maintain_subscriptions(w.ctx)
    assert w.hub.wait_until(lambda h: any(v.echoed for v in h.verifications))
    assert [(r["hub.mode"], r["hub.topic"]) for r in w.hub.requests] == [("subscribe", header_self)]
    assert hub_b.requests == []
    found = w.subscription()
    assert found is not None and (found.hub, found.topic) == (w.hub.url, header_self)


def test_a_hub_in_the_headers_without_a_self_pairs_with_the_url_fetched(world: World, hub_b: LocalHub) -> None:
    """Hub and self come from the same place. Kills: the header's hub paired with the document's self."""
    w = world
    w.feeds.serve("/pushy.atom", atom(w.feeds.url("/elsewhere.atom"), hub_b.url, "First story"),
                  content_type="application/atom+xml", headers={"Link": f'<{w.hub.url}>; rel="hub"'})
    run_pass(w.ctx, crosspost=False)
    maintain_subscriptions(w.ctx)
    assert [(r["hub.mode"], r["hub.topic"]) for r in w.hub.requests] == [("subscribe", w.topic)]
    assert hub_b.requests == []


@pytest.mark.parametrize("where", ["headers", "rss"])
def test_discovery_in_headers_only_or_in_rss_atom_links(world: World, where: str) -> None:
    """websub.rocks 100 (HTTP headers only) and 103 (RSS ``<atom:link>``); 102 (Atom) is every other test."""
    w = world
    self_url = w.feeds.url("/pushy.rss")
    if where == "headers":
        w.feeds.serve("/pushy.atom", rss(), headers={"Link": f'<{self_url}>; rel="self", <{w.hub.url}>; rel="hub"'})
    else:
        w.feeds.serve("/pushy.atom", rss(w.hub.url, self_url))
    run_pass(w.ctx, crosspost=False)
    maintain_subscriptions(w.ctx)
    assert w.hub.wait_until(lambda h: any(v.echoed for v in h.verifications))
    assert [(r["hub.mode"], r["hub.topic"]) for r in w.hub.requests] == [("subscribe", self_url)]


# --------------------------------------------------------------------------
# 3. a push's Link rel="self" (and rel="hub") must name the subscription's topic (and hub)
# --------------------------------------------------------------------------


def test_a_signed_push_for_another_topic_is_refused_and_not_ingested(world: World) -> None:
    """Kills: ``_names_another`` returning None (main ingested "Other topic's story" into pushy)."""
    w = world
    subscribed(w)
    other = w.feeds.url("/other.atom")
    assert w.hub.push(w.topic, atom(other, w.hub.url, "Other topic's story"), link_self=other) == [400]
    assert w.hub.push(w.topic, atom(w.topic, w.hub.url, "Elsewhere hub's story"),
                      link_hub="https://hub.elsewhere.example/") == [400]
    # the same URLs written differently (host case, default port) are the same topic; sha1 still signs (§8)
    same = w.topic.replace("127.0.0.1", "127.0.0.1").replace("http://", "HTTP://")
    assert w.hub.push(w.topic, atom(w.topic, w.hub.url, "Genuine story"), link_self=same, method="sha1") == [202]
    assert wait_for(lambda: "Genuine story" in titles(w), 20)
    assert "Other topic's story" not in titles(w) and "Elsewhere hub's story" not in titles(w)


# --------------------------------------------------------------------------
# 5. a thin ping (a signed empty body) fetches the feed at once, with a conditional GET
# --------------------------------------------------------------------------


def test_a_thin_ping_fetches_the_feed_now_with_a_conditional_get(world: World) -> None:
    """Kills: a thin ping logged and dropped (main: "pushed content ignored: the document is empty")."""
    w = world
    subscribed(w)
    w.daemon.wakeup.clear()
    fetches = len(w.feeds.requests_to("/pushy.atom"))
    w.feeds.serve("/pushy.atom", atom(w.topic, w.hub.url, "First story", "Story behind a thin ping"),
                  content_type="application/atom+xml")
    assert w.hub.push(w.topic, b"", content_type="text/plain") == [202]
    assert w.daemon.wakeup.is_set()  # the daemon's loop runs a tick at once
    assert w.row().next_due_at is not None and w.row().next_due_at <= datetime.now(UTC)  # type: ignore[operator]
    w.daemon.tick()
    fetched = w.feeds.requests_to("/pushy.atom")[fetches:]
    assert len(fetched) == 1 and fetched[0].headers.get("if-none-match")  # conditional GET
    assert "Story behind a thin ping" in titles(w)
    assert w.on_push_schedule()  # still pushed: back on the push-time schedule after the fetch
    # a forged thin ping fetches nothing
    assert w.hub.push(w.topic, b"", forge=True) == [202]
    assert not w.row().next_due_at <= datetime.now(UTC)  # type: ignore[operator]


# --------------------------------------------------------------------------
# 4. renewal before the lease ends, however short, in the real daemon (`syndicate run --serve`)
# --------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_the_daemon_renews_a_short_lease_before_it_ends_and_no_push_is_lost(
    tmp_path: Path, feed_server: FeedServer, hub: LocalHub
) -> None:
    """A 4 s lease, kept for 14 s by a daemon subprocess: every renewal verified before the hub ended the
    lease, and a push every half second reached us. Kills: renewing a fixed 15 s (here: half the lease)
    before expiry with the check every 15 s (main: the hub expired the subscription each cycle), and a
    check interval not adapted to the lease (``check_interval`` returning ``default``), and the WebSub
    thread sleeping out the wait it chose before the hub granted the short lease."""
    from tests.ops.test_daemon_ops import Daemon as DaemonProcess
    from tests.ops.test_daemon_ops import free_port

    hub.lease_seconds = 4
    port = free_port()
    topic = feed_server.url("/pushy.atom")
    feed_server.serve("/pushy.atom", atom(topic, hub.url, "First story"), content_type="application/atom+xml")
    config = write_config(tmp_path, f'interval = "1m"\nallow_private_networks = true\n'
                                    f'websub_callback = "http://127.0.0.1:{port}/websub"\n'
                                    f'[syndicate.serve]\nport = {port}\n'
                                    f'[[source]]\nname = "pushy"\nurl = "{topic}"\n'
                                    '[[output]]\nname = "all"\nformats = ["atom"]\n')
    daemon = DaemonProcess(config, "--serve", options=("-v",))
    try:
        assert hub.wait_until(lambda h: any(v.echoed for v in h.verifications), 30), daemon.stderr()
        undelivered = 0
        deadline = time.monotonic() + 14
        while time.monotonic() < deadline:
            undelivered += hub.push(topic, atom(topic, hub.url, "First story")) != [202]
            time.sleep(0.5)
        renewals = [v for v in hub.verifications if v.mode == "subscribe" and v.echoed]
        assert hub.lapses == [] and undelivered == 0, (hub.lapses, undelivered, daemon.stderr()[-3000:])
        assert len(renewals) >= 4  # 14 s of 4 s leases, renewed at 3 s (two 0.5 s checks early)
        gaps = [later.at - earlier.at for earlier, later in pairwise(renewals)]
        print(f"\nWEBSUB 4 s lease: verified every {min(gaps):.2f}-{max(gaps):.2f} s, "
              f"{len(hub.lapses)} lapses, {undelivered} pushes lost")
        assert daemon.stop(timeout=30) == 0
        assert "Traceback" not in daemon.stderr()
    finally:
        daemon.close()


# --------------------------------------------------------------------------
# websub.rocks 201-204: redirected topics and hubs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [302, 301])
def test_a_redirected_topic_is_subscribed_at_the_self_the_final_response_names(world: World, status: int) -> None:
    """websub.rocks 201 (302) and 202 (301): the feed's URL redirects; its rel=self names the new topic."""
    w = world
    new_topic = w.feeds.url("/moved.atom")
    w.feeds.serve("/moved.atom", atom(new_topic, w.hub.url, "First story"), content_type="application/atom+xml")
    w.feeds.serve("/pushy.atom", b"", status=status, headers={"Location": new_topic}, validators=False)
    subscribed(w)
    assert [(r["hub.mode"], r["hub.topic"]) for r in w.hub.requests] == [("subscribe", new_topic)]
    assert w.hub.push(new_topic, atom(new_topic, w.hub.url, "Pushed after the move")) == [202]
    assert wait_for(lambda: "Pushed after the move" in titles(w), 20)


@pytest.mark.parametrize("path", ["/moved-for-now", "/moved-for-good"])
def test_a_hub_that_redirects_the_request_is_followed(world: World, path: str) -> None:
    """websub.rocks 203 (307) and 204 (308): the request reaches the hub's new URL with its body; its
    pushes, naming the new URL on the same host, are taken."""
    w = world
    old_hub = w.hub.url.replace("/hub", path)
    w.feeds.serve("/pushy.atom", atom(w.topic, old_hub, "First story"), content_type="application/atom+xml")
    subscribed(w)
    assert w.hub.requests[0]["hub.topic"] == w.topic and w.subscription().hub == old_hub  # type: ignore[union-attr]
    assert w.hub.push(w.topic, atom(w.topic, old_hub, "Pushed by the moved hub")) == [202]
    assert wait_for(lambda: "Pushed by the moved hub" in titles(w), 20)
