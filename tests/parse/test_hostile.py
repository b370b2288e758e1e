"""Hostile and broken input: entity bombs, XXE, bad bytes, paths and URLs as bodies.

Every attack is a real crafted document (in tests/data/parse/hostile/ or built
here when it must be large); each test asserts the result stays small and
never contains text from /etc/passwd.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from syndicate.errors import ParseError
from syndicate.parse import parse_feed
from syndicate.parse.hardening import MAX_CONTENT_CHARS, MAX_ENTRIES
from tests.parse.parse_helpers import all_strings, assert_valid_strings, data, total_chars

PASSWD_MARKERS = ("root:", "/bin/sh", "/bin/bash", "nologin", "daemon:")


def _hostile(name: str) -> bytes:
    return data(f"hostile/{name}")


def _assert_no_leak(feed: object) -> None:
    joined = "\n".join(all_strings(feed))
    for marker in PASSWD_MARKERS:
        assert marker not in joined


def test_billion_laughs_does_not_expand() -> None:
    feed = parse_feed(_hostile("billion_laughs.xml"), {}, "https://laughs.example/feed")
    assert total_chars(feed) < 5_000
    assert [e.link for e in feed.entries] == ["https://laughs.example/1", "https://laughs.example/2"]
    assert "lollollol" not in "".join(all_strings(feed))
    assert any("entity" in w for w in feed.warnings)
    assert_valid_strings(feed)


def _quadratic(entity_chars: int, references: int) -> bytes:
    # one big entity referenced thousands of times: the attack that turned a 56 KB feed into 100 M characters
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "'
        + b"A" * entity_chars
        + b'">]>\n<rss version="2.0"><channel><title>Quadratic</title>'
        + b"<item><title>t &big;</title><link>https://q.example/1</link><description>"
        + b"&big;" * references
        + b"</description></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("entity_chars", "references"), [(50_000, 3_000), (1_000, 20_000), (300, 10_000), (100, 9_000)]
)
def test_quadratic_blowup_stays_small(entity_chars: int, references: int) -> None:
    body = _quadratic(entity_chars, references)
    feed = parse_feed(body, {}, "https://q.example/feed")
    assert len(feed.entries) == 1
    # nothing close to entity_chars * references (at least 3 M) comes out
    assert total_chars(feed) < 2 * len(body) + 1_100_000
    assert_valid_strings(feed)


def test_small_literal_entities_still_work() -> None:
    feed = parse_feed(_hostile("small_entity.xml"), {}, "https://example.com/feed")
    assert feed.title == "Small entities © Example"
    assert feed.entries[0].guid == "tag:example.com,2006-05-04:/blog/"
    assert feed.entries[0].title == "Entity © kept"


@pytest.mark.parametrize("name", ["xxe_general.xml", "xxe_parameter.xml", "external_dtd.xml"])
def test_external_entities_never_load(name: str) -> None:
    feed = parse_feed(_hostile(name), {}, "https://xxe.example/feed")
    assert feed.entries, "the entries around the attack survive"
    _assert_no_leak(feed)
    assert total_chars(feed) < 2_000


def test_entity_bomb_hidden_in_utf16_is_found() -> None:
    declaration = '<?xml version="1.0" encoding="utf-16"?>'
    text = _hostile("xxe_general.xml").decode("ascii").replace('<?xml version="1.0"?>', declaration)
    feed = parse_feed(text.encode("utf-16"), {"content-type": "application/rss+xml"}, "https://xxe.example/feed")
    assert [e.link for e in feed.entries] == ["https://xxe.example/1"]
    _assert_no_leak(feed)


def test_utf16_feed_without_bom_per_http_charset() -> None:
    body = '<rss version="2.0"><channel><title>Zwölf</title><item><title>Ä</title></item></channel></rss>'
    feed = parse_feed(body.encode("utf-16-le"), {"content-type": "text/xml; charset=utf-16le"}, "https://u.example/")
    assert feed.title == "Zwölf"
    assert [e.title for e in feed.entries] == ["Ä"]


def test_broken_utf8_keeps_the_good_characters() -> None:
    feed = parse_feed(_hostile("broken_utf8.xml"), {"content-type": "application/rss+xml"}, "https://broken.example/")
    assert feed.title is not None and "café" in feed.title
    assert [e.link for e in feed.entries] == ["https://broken.example/1", "https://broken.example/2"]
    assert any("UTF-8" in w for w in feed.warnings)
    assert_valid_strings(feed)


def test_windows_1252_mislabelled_as_utf8_is_read_as_1252() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Café “quotes”</title>'
        "<item><title>x</title></item></channel></rss>"
    )
    feed = parse_feed(body.encode("windows-1252"), {}, "https://w.example/")
    assert feed.title == "Café “quotes”"
    assert feed.warnings  # feedparser's encoding override is reported


def test_control_characters_are_stripped() -> None:
    feed = parse_feed(_hostile("control_chars.xml"), {}, "https://ctl.example/")
    assert feed.title == "Controls here"
    entry = feed.entries[0]
    assert entry.title is not None and "\x07" not in entry.title and "\x01" not in entry.title
    assert entry.summary_html is not None and "tab\there\nnewline" in entry.summary_html
    assert_valid_strings(feed)


def test_lone_surrogates_are_stripped() -> None:
    feed = parse_feed(_hostile("surrogates.xml"), {}, "https://sur.example/")
    assert feed.entries[0].title == "Lone  high and  low"
    assert_valid_strings(feed)


def test_lone_surrogates_in_json_feed_are_stripped() -> None:
    feed = parse_feed(_hostile("surrogates.json"), {}, "https://j.example/feed.json")
    assert feed.title == "JSON  lone  ctl"
    assert feed.entries[0].title == "A  b"
    assert feed.entries[0].content_html == "<p>xy</p>"
    assert_valid_strings(feed)


def test_a_path_as_body_is_never_opened(tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(data("rss20_full.xml"))
    with pytest.raises(ParseError):
        parse_feed(str(feed_file).encode(), {}, "https://example.com/feed")
    with pytest.raises(ParseError):
        parse_feed(b"/etc/passwd", {}, "https://example.com/feed")


def test_a_url_as_body_is_never_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(data("rss20_full.xml"), content_type="application/rss+xml")
    with pytest.raises(ParseError):
        parse_feed(httpserver.url_for("/feed.xml").encode(), {}, "https://example.com/feed")
    assert httpserver.log == []


def test_entries_are_capped_with_a_warning() -> None:
    items = b"".join(b"<item><title>t%d</title><guid>g%d</guid></item>" % (i, i) for i in range(MAX_ENTRIES + 7))
    feed = parse_feed(
        b'<rss version="2.0"><channel><title>many</title>' + items + b"</channel></rss>", {}, "https://m.example/"
    )
    assert len(feed.entries) == MAX_ENTRIES
    assert feed.entries[-1].guid == f"g{MAX_ENTRIES - 1}"
    assert any(f"{MAX_ENTRIES + 7} entries" in w for w in feed.warnings)


def test_huge_content_is_truncated_with_a_warning() -> None:
    body = (
        b'<rss version="2.0"><channel><title>big</title><item><title>big</title><description>'
        + b"a" * (MAX_CONTENT_CHARS + 100)
        + b"</description></item></channel></rss>"
    )
    feed = parse_feed(body, {}, "https://big.example/")
    assert feed.entries[0].summary_html is not None
    assert len(feed.entries[0].summary_html) == MAX_CONTENT_CHARS
    assert any("truncated" in w for w in feed.warnings)


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x01\x02\x03garbage",
        b"<",
        b"<!DOCTYPE rss [",
        b"<!DOCTYPE rss [<!ENTITY a 'x'>",
        b"<?xml version='1.0'?><!-- unterminated",
        b"\xff\xfe\x00\x00",
        b"{",
        b"[1, 2, 3]",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": "nope"}',
        b"[" * 100_000,
        b'{"a":' * 50_000,
    ],
)
def test_garbage_raises_parse_error_or_parses(body: bytes) -> None:
    try:
        feed = parse_feed(body, {}, "https://g.example/")
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert_valid_strings(feed)


def test_a_feedparser_crash_falls_back_to_a_repaired_copy() -> None:
    # found by test_fuzz: this broken element makes feedparser 6.0.14 raise KeyError('license')
    feed = parse_feed(_hostile("feedparser_keyerror.xml"), {}, "https://crash.example/feed")
    assert [(e.title, e.link) for e in feed.entries] == [("Kept", "https://crash.example/1")]
    assert any("KeyError in feedparser" in w for w in feed.warnings)


def test_utf8_mislabelled_as_utf16_is_read_as_utf8() -> None:
    body = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Café</title></channel></rss>'
    feed = parse_feed(body.encode(), {"content-type": "text/xml; charset=utf-16"}, "https://m.example/")
    assert feed.title == "Café"
    assert any("declared as utf-16" in w for w in feed.warnings)
