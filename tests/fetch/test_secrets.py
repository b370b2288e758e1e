"""No credential from the source URL or its headers reaches an error message,
and the source's headers go to the source's own host only."""

from __future__ import annotations

import pytest

from syndicate.fetch import Fetcher
from syndicate.models import FetchResult
from tests.fetch.fetch_servers import (
    FAST_BACKOFF,
    FeedServer,
    Reply,
    free_port,
    loopback_alias_available,
    settings,
    source,
    state,
)

PASSWORD = "s3cr3t-pass-word"
TOKEN = "tok-SECRET-1234567"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": TOKEN}


def fetch_with_secrets(url: str, **overrides: object) -> FetchResult:
    with Fetcher(settings(**overrides), backoff=FAST_BACKOFF) as fetcher:
        return fetcher.fetch(source(url, headers=HEADERS), state(url))


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://editor:{PASSWORD}@", 1)


def assert_clean(result: FetchResult) -> None:
    assert result.status == "error"
    assert result.error
    for secret in (PASSWORD, TOKEN, "Bearer"):
        assert secret not in result.error


@pytest.mark.parametrize(
    "reply",
    [
        Reply(404),
        Reply(500),
        Reply(429, headers={"Retry-After": "60"}),
        Reply(200, b"x" * 2048),
        Reply(302, headers={"Location": f"http://editor:{PASSWORD}@127.0.0.1:1/?token={TOKEN}"}),
        Reply(302, headers={"Location": "/feed"}),
    ],
    ids=["404", "500", "429", "too-large", "redirect-to-closed-port", "loop"],
)
def test_errors_carry_no_secret(server: FeedServer, reply: Reply) -> None:
    url = with_credentials(server.add("/feed", reply))
    result = fetch_with_secrets(url, max_bytes=1024)
    assert_clean(result)
    first = server.hits("/feed")[0]
    assert first.headers["authorization"].startswith("Bearer ")  # the secrets were really in play
    assert first.headers["x-api-key"] == TOKEN


def test_connection_errors_carry_no_secret() -> None:
    url = with_credentials(f"http://127.0.0.1:{free_port()}/feed?token={TOKEN}")
    result = fetch_with_secrets(url)
    assert_clean(result)
    assert result.error is not None and "connection refused" in result.error


@pytest.mark.skipif(not loopback_alias_available(), reason="127.0.0.2 is not usable on this machine")
def test_source_headers_are_not_sent_to_another_host() -> None:
    home, elsewhere = FeedServer("127.0.0.1"), FeedServer("127.0.0.2")
    try:
        target = elsewhere.add("/feed", Reply(200, b"<rss/>"))
        url = home.add("/feed", Reply(302, headers={"Location": target}))
        result = fetch_with_secrets(url, allow_private_networks=True)
        assert result.status == "ok", result.error
        assert home.hits()[0].headers["x-api-key"] == TOKEN
        (hit,) = elsewhere.hits()
        assert "authorization" not in hit.headers
        assert "x-api-key" not in hit.headers
    finally:
        home.close()
        elsewhere.close()


def test_url_credentials_are_sent_as_basic_auth(server: FeedServer) -> None:
    url = with_credentials(server.add("/feed", Reply(200, b"<rss/>")))
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(url), state(url))
    assert result.status == "ok"
    assert server.hits()[0].headers["authorization"].startswith("Basic ")
