"""The pure parts of the WebSub subscriber: signatures and the subscribe/renew/unsubscribe plan."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from syndicate.websub.discovery import Advertised, discover, same_origin, same_url
from syndicate.websub.plan import (
    CHECK_FLOOR,
    RETRY_FAILED,
    VERIFY_TIMEOUT,
    check_interval,
    expired,
    plan_subscriptions,
    pushed_now,
    renew_at,
)
from syndicate.websub.signature import sign, verify_signature
from syndicate.websub.subscriptions import Subscription, callback_token

BODY = b"<feed>pushed</feed>"
SECRET = "s3cr3t-value"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_every_websub_signature_method_verifies(method: str) -> None:
    header = f"{method}=" + hmac.new(SECRET.encode(), BODY, getattr(hashlib, method)).hexdigest()
    assert sign(BODY, SECRET, method) == header
    assert verify_signature(header, BODY, SECRET)
    assert verify_signature(header.upper().replace(method.upper(), method), BODY, SECRET)  # hex case
    assert not verify_signature(header, BODY + b" ", SECRET)
    assert not verify_signature(header, BODY, SECRET + "x")


@pytest.mark.parametrize("header", [None, "", "sha256", "=abc", "md5=" + hashlib.md5(BODY).hexdigest(),
                                    "sha256=nothex", "sha256=" + "0" * 64])
def test_malformed_or_foreign_signatures_are_refused(header: str | None) -> None:
    assert not verify_signature(header, BODY, SECRET)


def sub(state: str = "active", *, hub: str = "https://hub.example/", topic: str = "https://a.example/feed",
        lease: int | None = 86400, expires: datetime | None = None, updated: datetime = NOW) -> Subscription:
    return Subscription("a", hub, topic, SECRET, state, lease,
                        expires if expires is not None else (updated + timedelta(seconds=lease or 0)),
                        updated, None)


WANTED = {"a": ("https://hub.example/", "https://a.example/feed")}


def kinds(actions: list) -> list[tuple[str, str, bool]]:  # type: ignore[type-arg]
    return [(a.kind, a.why, a.fresh_secret) for a in actions]


def test_a_new_source_with_a_hub_is_subscribed_with_a_fresh_secret() -> None:
    assert kinds(plan_subscriptions(WANTED, {}, NOW)) == [("subscribe", "new", True)]


def test_an_active_lease_is_renewed_at_85_percent_and_only_once() -> None:
    current = sub()
    assert renew_at(current) == NOW + timedelta(seconds=86400 * 0.85)
    assert plan_subscriptions(WANTED, {"a": current}, NOW + timedelta(hours=20)) == []
    due = NOW + timedelta(hours=22)
    assert kinds(plan_subscriptions(WANTED, {"a": current}, due)) == [("subscribe", "renewal", False)]
    asked = sub(expires=current.expires_at, updated=due)  # renewal sent, hub has not verified yet
    assert plan_subscriptions(WANTED, {"a": asked}, due + timedelta(seconds=60)) == []
    assert kinds(plan_subscriptions(WANTED, {"a": asked}, due + timedelta(seconds=VERIFY_TIMEOUT + 1))) == [
        ("subscribe", "renewal", False)]


def test_renewal_comes_at_85_percent_of_the_lease_and_never_less_than_two_checks_early() -> None:
    """Kills: renewing a fixed margin before expiry (15 s before a 20 s lease is 25 %, and with a
    15 s check the renewal came after the lease), or checking at a fixed 15 s whatever the lease."""
    assert renew_at(sub(lease=60)) == NOW + timedelta(seconds=51)
    assert renew_at(sub(lease=1200)) == NOW + timedelta(seconds=1020)
    assert renew_at(sub(lease=60), check_every=10) == NOW + timedelta(seconds=40)  # two checks early
    assert renew_at(sub(lease=10), check_every=10) == NOW + timedelta(seconds=5)  # half the lease at most
    assert check_interval([sub(lease=864000)], 15.0) == 15.0
    assert check_interval([sub(lease=20), sub(lease=864000)], 15.0) == 1.0  # a twentieth of the shortest
    assert check_interval([sub(lease=2)], 15.0) == CHECK_FLOOR
    assert check_interval([sub("requested", lease=20)], 15.0) == 15.0  # only active leases count
    for lease in (4, 20, 60, 3600, 864000):
        every = check_interval([sub(lease=lease)], 15.0)
        assert (NOW + timedelta(seconds=lease) - renew_at(sub(lease=lease), every)).total_seconds() >= 2 * every


def test_an_expired_lease_is_subscribed_afresh_and_a_denied_one_retried_later() -> None:
    current = sub(lease=60)
    assert kinds(plan_subscriptions(WANTED, {"a": current}, NOW + timedelta(seconds=60))) == [
        ("subscribe", "lease expired", False)]
    assert expired(current, NOW + timedelta(seconds=60)) and not pushed_now(current, NOW + timedelta(seconds=60))
    assert pushed_now(current, NOW + timedelta(seconds=59)) and not pushed_now(None, NOW)
    denied = sub("denied", expires=NOW)
    assert plan_subscriptions(WANTED, {"a": denied}, NOW + timedelta(seconds=60)) == []
    assert kinds(plan_subscriptions(WANTED, {"a": denied}, NOW + timedelta(seconds=RETRY_FAILED + 1))) == [
        ("subscribe", "retry", False)]


def test_a_changed_hub_or_topic_means_a_new_subscription_and_secret() -> None:
    moved = {"a": ("https://other-hub.example/", "https://a.example/feed")}
    assert kinds(plan_subscriptions(moved, {"a": sub()}, NOW)) == [("subscribe", "hub or topic changed", True)]


def test_unverified_and_failed_subscriptions_are_retried_after_a_while() -> None:
    requested, failed = sub("requested", expires=NOW), sub("failed", expires=NOW)
    assert plan_subscriptions(WANTED, {"a": requested}, NOW + timedelta(seconds=60)) == []
    assert kinds(plan_subscriptions(WANTED, {"a": requested}, NOW + timedelta(seconds=VERIFY_TIMEOUT + 1))) == [
        ("subscribe", "no verification from the hub", False)]
    assert plan_subscriptions(WANTED, {"a": failed}, NOW + timedelta(seconds=60)) == []
    assert kinds(plan_subscriptions(WANTED, {"a": failed}, NOW + timedelta(seconds=RETRY_FAILED + 1))) == [
        ("subscribe", "retry", False)]


def test_sources_no_longer_wanted_are_unsubscribed_or_forgotten() -> None:
    assert kinds(plan_subscriptions({}, {"a": sub()}, NOW)) == [("unsubscribe", "no longer wanted", False)]
    assert kinds(plan_subscriptions({}, {"a": sub("requested")}, NOW)) == [("forget", "no longer wanted", False)]
    assert kinds(plan_subscriptions({}, {"a": sub()}, NOW, can_unsubscribe=False)) == [
        ("forget", "no longer wanted", False)]
    pending = sub("unsubscribing")
    assert plan_subscriptions({}, {"a": pending}, NOW + timedelta(seconds=10)) == []
    assert kinds(plan_subscriptions({}, {"a": pending}, NOW + timedelta(seconds=VERIFY_TIMEOUT + 1))) == [
        ("forget", "hub never verified", False)]


def test_callback_tokens_are_unguessable_and_follow_the_secret() -> None:
    assert callback_token("a", "one") != callback_token("a", "two")
    assert callback_token("a", "one") != callback_token("b", "one")
    assert len(callback_token("a", "one")) == 32


def test_discovery_takes_the_link_headers_first_and_hub_and_self_as_a_pair() -> None:
    """Kills: the document's hub preferred, or the header's hub paired with the document's self."""
    headers = {"link": '<https://a.example/hub>; rel="hub", </x>; rel="self"'}
    assert discover(headers, "https://f.example/feed", ["https://b.example/hub"], "https://f.example/y") == \
        Advertised("https://a.example/hub", "https://f.example/x", "headers")
    only_hub = {"link": '<https://a.example/hub>; rel="hub"'}
    assert discover(only_hub, "https://f.example/feed", ["https://b.example/hub"], "https://f.example/y") == \
        Advertised("https://a.example/hub", None, "headers")  # None: the URL fetched
    only_self = {"link": '<https://f.example/x>; rel="self"'}
    assert discover(only_self, "https://f.example/feed", ["https://b.example/hub"], "https://f.example/y") == \
        Advertised("https://b.example/hub", "https://f.example/y", "document")
    assert discover({}, "https://f.example/feed", [], "https://f.example/y").hub is None


def test_urls_compare_as_rfc_3986_normalizes_them() -> None:
    assert same_url("HTTP://Example.COM:80", "http://example.com/")
    assert same_url("https://example.com:443/feed?a=1#top", "https://EXAMPLE.com/feed?a=1")
    assert not same_url("https://example.com/feed", "https://example.com/Feed")
    assert not same_url("https://example.com/feed", "https://example.com:8443/feed")
    assert same_origin("https://hub.example/old?redirect=1", "https://HUB.example:443/hub")
    assert not same_origin("https://hub.example/hub", "https://evil.example/hub")
    assert not same_origin("http://hub.example/hub", "https://hub.example/hub")
