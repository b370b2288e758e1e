"""The SSRF guard: redirects (and anything not configured) may not reach private addresses."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from syndicate.errors import BlockedAddressError
from syndicate.fetch import Fetcher, build_session, check_url_allowed, guarded, is_public_address
from syndicate.fetch.guard import address_kind
from tests.fetch.fetch_servers import DATA, FEED, FeedServer, Reply, loopback_alias_available, settings, source, state

ADDRESSES = json.loads((DATA / "addresses.json").read_text())

needs_alias = pytest.mark.skipif(not loopback_alias_available(), reason="127.0.0.2 is not usable on this machine")


@pytest.fixture
def other_loopback() -> Iterator[FeedServer]:
    """A second server on another loopback address: "private" from the source's point of view."""
    srv = FeedServer("127.0.0.2")
    yield srv
    srv.close()


@pytest.mark.parametrize("case", ADDRESSES, ids=[c["ip"] for c in ADDRESSES])
def test_address_classification(case: dict[str, str | None]) -> None:
    assert address_kind(str(case["ip"])) == case["kind"]
    assert is_public_address(str(case["ip"])) is (case["kind"] is None)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "https://192.168.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_check_url_allowed_refuses_private_addresses(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="allow_private_networks"):
        check_url_allowed(url, settings())
    check_url_allowed(url, settings(allow_private_networks=True))  # allowed when the operator says so


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.org/", "/relative/path"])
def test_check_url_allowed_refuses_other_schemes(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="only http and https"):
        check_url_allowed(url, settings(allow_private_networks=True))


def test_check_url_allowed_accepts_public_addresses() -> None:
    check_url_allowed("http://93.184.216.34/feed", settings())
    check_url_allowed("https://[2606:2800:220:1:248:1893:25c8:1946]/", settings())


def test_configured_private_source_is_fetched(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, FEED))
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(url), state(url))
    assert result.status == "ok", result.error


def test_redirect_within_the_configured_host_is_allowed(server: FeedServer) -> None:
    server.add("/new", Reply(200, FEED))
    old = server.add("/old", Reply(302, b"", {"Location": "/new"}))
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(old), state(old))
    assert result.status == "ok", result.error


@needs_alias
def test_redirect_to_another_private_address_is_refused(server: FeedServer, other_loopback: FeedServer) -> None:
    target = other_loopback.add("/internal", Reply(200, b"secret internal data"))
    url = server.add("/feed", Reply(302, b"", {"Location": target}))
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(url), state(url))
    assert result.status == "error"
    assert result.error == "refused: 127.0.0.2 is a loopback address (set allow_private_networks = true to allow)"
    assert other_loopback.hits() == []
    assert len(server.hits()) == 1  # a refusal is not retried


@needs_alias
def test_redirect_to_another_private_address_is_followed_when_allowed(
    server: FeedServer, other_loopback: FeedServer
) -> None:
    target = other_loopback.add("/internal", Reply(200, FEED))
    url = server.add("/feed", Reply(302, b"", {"Location": target}))
    with Fetcher(settings(allow_private_networks=True)) as fetcher:
        result = fetcher.fetch(source(url), state(url))
    assert result.status == "ok", result.error
    assert len(other_loopback.hits()) == 1


def test_redirect_from_localhost_to_a_loopback_address_is_refused(server: FeedServer) -> None:
    """``localhost`` was configured; ``127.0.0.1`` is another host name, so it is checked."""
    server.add("/internal", Reply(200, b"internal"))
    configured = f"http://localhost:{server.port}/feed"
    server.add("/feed", Reply(301, b"", {"Location": server.url("/internal")}))
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(configured), state(configured))
    assert result.status == "error"
    assert result.error is not None and "127.0.0.1 is a loopback address" in result.error
    assert server.hits("/internal") == []


def test_redirect_to_a_name_resolving_to_loopback_is_refused(server: FeedServer) -> None:
    server.add("/internal", Reply(200, b"internal"))
    server.add("/feed", Reply(302, b"", {"Location": f"http://localhost:{server.port}/internal"}))
    url = server.url("/feed")
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(url), state(url))
    assert result.status == "error"
    assert result.error is not None and result.error.startswith("refused: localhost resolves to loopback address")
    assert server.hits("/internal") == []


def test_the_connected_address_is_checked_not_just_the_dns_answer(server: FeedServer) -> None:
    """The transport refuses a private peer even when no pre-flight check ran (as after DNS rebinding)."""
    url = server.add("/feed", Reply(200, FEED))
    session = build_session(2)
    try:
        with guarded(None, allow_private=False), pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1"):
            session.send(requests.Request("GET", url).prepare(), timeout=5)
    finally:
        session.close()
    assert server.hits() == []  # refused before a byte of the request was sent


def test_a_pooled_connection_is_checked_again_on_reuse(server: FeedServer) -> None:
    url = server.add("/feed", Reply(200, FEED))
    session = build_session(2)
    try:
        with guarded(None, allow_private=True) as context:
            assert session.send(requests.Request("GET", url).prepare(), timeout=5).content == FEED
        assert context.peers == ["127.0.0.1"]
        with guarded(None, allow_private=False), pytest.raises(BlockedAddressError):
            session.send(requests.Request("GET", url).prepare(), timeout=5)
    finally:
        session.close()
    assert len(server.hits()) == 1
