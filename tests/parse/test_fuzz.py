"""Property tests: mangled feeds never make parse_feed raise anything but ParseError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.errors import ParseError
from syndicate.parse import parse_feed
from tests.parse.parse_helpers import assert_valid_strings, data

SEEDS = [
    data("rss20_full.xml"),
    data("atom10_full.xml"),
    data("rss10.xml"),
    data("jsonfeed11.json"),
    data("hostile/small_entity.xml"),
]
SNIPPETS = [
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&a;",
    b"&#xD800;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b"\xff",
    b"\x00",
    b"\xc3",
    b"<item>",
    b"</entry>",
    b'"',
    b"{",
    b"}",
    b"<",
    b">",
    b"&",
    b"<?xml version='1.0' encoding='utf-16'?>",
]


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    body = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["insert", "delete", "truncate", "byte"]))
        if action == "insert":
            body[at:at] = draw(st.sampled_from(SNIPPETS))
        elif action == "delete":
            del body[at : at + draw(st.integers(1, 40))]
        elif action == "truncate":
            del body[at:]
        else:
            body[at:at] = bytes([draw(st.integers(0, 255))])
    return bytes(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_mangled_feeds_parse_or_raise_parse_error(body: bytes) -> None:
    try:
        feed = parse_feed(body, {}, "https://fuzz.example/feed")
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert_valid_strings(feed)
        assert all("\n" not in w for w in feed.warnings)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_parse_or_raise_parse_error(body: bytes) -> None:
    try:
        feed = parse_feed(body, {}, "https://fuzz.example/feed")
    except ParseError:
        return
    assert_valid_strings(feed)
