"""The pure parts of the WebSub subscriber: signatures and the subscribe/renew/unsubscribe plan."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from syndicate.websub.plan import RETRY_FAILED, VERIFY_TIMEOUT, plan_subscriptions, renew_at
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


def test_an_active_lease_is_renewed_a_tenth_before_it_ends_and_only_once() -> None:
    current = sub()
    assert renew_at(current) == NOW + timedelta(seconds=86400 * 0.9)
    assert plan_subscriptions(WANTED, {"a": current}, NOW + timedelta(hours=20)) == []
    due = NOW + timedelta(hours=22)
    assert kinds(plan_subscriptions(WANTED, {"a": current}, due)) == [("subscribe", "renewal", False)]
    asked = sub(expires=current.expires_at, updated=due)  # renewal sent, hub has not verified yet
    assert plan_subscriptions(WANTED, {"a": asked}, due + timedelta(seconds=60)) == []
    assert kinds(plan_subscriptions(WANTED, {"a": asked}, due + timedelta(seconds=VERIFY_TIMEOUT + 1))) == [
        ("subscribe", "renewal", False)]


def test_short_leases_renew_at_half_and_long_ones_at_least_five_minutes_early() -> None:
    assert renew_at(sub(lease=60)) == NOW + timedelta(seconds=30)
    assert renew_at(sub(lease=1200)) == NOW + timedelta(seconds=900)


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
