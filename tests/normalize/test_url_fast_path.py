"""``clean_url``'s shortcut for plain absolute URLs gives exactly what its full steps give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.normalize import urls
from syndicate.normalize.urls import clean_url

# every character the shortcut accepts after the scheme, and a few it must leave to the full steps
PLAIN = "!$&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~%"
OTHER = "?#[] \t\n\x00\x7f\u00e9\u00a0\ufeff"


@settings(max_examples=2000, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTP://", "http:/", "ftp://", "javascript://"]),
    rest=st.text(alphabet=PLAIN + OTHER, max_size=40),
    base=st.sampled_from([None, "https://outlet.example/2024/post/", "http://[::1]/x"]),
)
def test_the_shortcut_agrees_with_the_full_steps(scheme: str, rest: str, base: str | None) -> None:
    url = scheme + rest
    assert clean_url(url, base) == urls._cleaned(url, base)


def test_typical_urls() -> None:
    plain = [
        "https://cdn.site0001.example.com/img/3-4.jpg",
        "http://a.example",
        "https://a.example:8443/path;p=1/x%20y",
        "http:///no-host",
        "https://user:pw@a.example/~me/(1)",
    ]
    for url in plain:
        assert urls._PLAIN_HTTP.fullmatch(url)
        assert clean_url(url) == urls._cleaned(url, None) == url
    # a query, a fragment, a bracket, a space: the full steps run
    assert clean_url("https://a.example/p?utm_source=x&id=3#top") == "https://a.example/p?id=3#top"
    assert clean_url("https://a.example/p#xtor=RSS-1") == "https://a.example/p"
    assert clean_url("http://[::1") is None
    assert clean_url(" https://a.example/p ") == "https://a.example/p"
    # no host and a path starting "//" (found by the test above): the full steps, which drop two slashes
    assert not urls._PLAIN_HTTP.fullmatch("http:////x")
    assert clean_url("http:////") == urls._cleaned("http:////", None) == "http://"
