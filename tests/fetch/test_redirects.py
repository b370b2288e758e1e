"""Redirects are followed by hand: permanent moves are reported, loops and excess refused."""

from __future__ import annotations

import pytest

from syndicate.fetch import Fetcher
from syndicate.models import FetchResult
from tests.fetch.fetch_servers import FAST_BACKOFF, FEED, FeedServer, Reply, settings, source, state


def fetch(url: str) -> FetchResult:
    with Fetcher(settings(), backoff=FAST_BACKOFF) as fetcher:
        return fetcher.fetch(source(url), state(url))


def redirect(status: int, location: str) -> Reply:
    return Reply(status, b"moved", {"Location": location})


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_sets_final_url(server: FeedServer, status: int) -> None:
    new = server.add("/new", Reply(200, FEED))
    old = server.add("/old", redirect(status, new))
    result = fetch(old)
    assert result.status == "ok", result.error
    assert result.body == FEED
    assert result.url == old
    assert result.final_url == new


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_does_not_move_the_feed(server: FeedServer, status: int) -> None:
    new = server.add("/new", Reply(200, FEED))
    old = server.add("/old", redirect(status, new))
    result = fetch(old)
    assert result.status == "ok", result.error
    assert result.body == FEED
    assert result.final_url is None


def test_a_temporary_hop_anywhere_in_the_chain_keeps_the_url(server: FeedServer) -> None:
    final = server.add("/final", Reply(200, FEED))
    server.add("/middle", redirect(302, final))
    old = server.add("/old", redirect(301, server.url("/middle")))
    assert fetch(old).final_url is None


def test_chain_of_permanent_redirects_reports_the_last_url(server: FeedServer) -> None:
    final = server.add("/final", Reply(200, FEED))
    server.add("/b", redirect(308, "/final"))  # relative Location
    old = server.add("/a", redirect(301, server.url("/b")))
    result = fetch(old)
    assert result.final_url == final
    assert [hit.path for hit in server.hits()] == ["/a", "/b", "/final"]


def test_permanent_redirect_to_an_unchanged_feed_reports_the_move_too(server: FeedServer) -> None:
    new = server.add("/new", lambda request, _n: Reply(304) if request.headers.get("if-none-match") else Reply(200))
    old = server.add("/old", redirect(301, new))
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(old), state(old, etag='"e"'))
    assert result.status == "not-modified"
    assert result.final_url == new
    assert server.hits("/new")[0].headers["if-none-match"] == '"e"'


def test_permanent_redirect_to_an_error_does_not_move_the_feed(server: FeedServer) -> None:
    new = server.add("/new", Reply(404))
    old = server.add("/old", redirect(301, new))
    result = fetch(old)
    assert result.status == "error"
    assert result.error == "HTTP 404 Not Found"
    assert result.final_url is None


def test_redirect_loop_is_refused(server: FeedServer) -> None:
    server.add("/b", redirect(302, server.url("/a")))
    a = server.add("/a", redirect(302, server.url("/b")))
    result = fetch(a)
    assert result.status == "error"
    port = server.port
    assert result.error == (
        f"redirect loop: http://127.0.0.1:{port}/a → http://127.0.0.1:{port}/b → http://127.0.0.1:{port}/a"
    )
    assert len(server.hits()) == 2  # not retried


def test_self_redirect_is_a_loop(server: FeedServer) -> None:
    a = server.add("/a", redirect(301, "/a"))
    result = fetch(a)
    assert result.error is not None and result.error.startswith("redirect loop:")


def test_more_than_five_redirects_are_refused(server: FeedServer) -> None:
    for n in range(7):
        server.add(f"/r{n}", redirect(302, f"/r{n + 1}"))
    server.add("/r7", Reply(200, FEED))
    result = fetch(server.url("/r0"))
    assert result.status == "error"
    assert result.error == "too many redirects (more than 5)"
    assert len(server.hits()) == 6  # the request and five redirects


def test_five_redirects_are_followed(server: FeedServer) -> None:
    for n in range(5):
        server.add(f"/r{n}", redirect(302, f"/r{n + 1}"))
    server.add("/r5", Reply(200, FEED))
    assert fetch(server.url("/r0")).status == "ok"


def test_redirect_without_location(server: FeedServer) -> None:
    a = server.add("/a", Reply(301, b""))
    result = fetch(a)
    assert result.status == "error"
    assert result.error == "HTTP 301 Moved Permanently without a usable Location header"


def test_redirect_to_another_scheme_is_refused(server: FeedServer) -> None:
    a = server.add("/a", redirect(302, "file:///etc/passwd"))
    result = fetch(a)
    assert result.status == "error"
    assert result.error == "refused a redirect to a file: URL"
