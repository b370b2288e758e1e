"""The pure helpers behind the parse stage: DOCTYPE defusing, people, dates, Link headers, text."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from syndicate.models import Person
from syndicate.parse.dates import from_struct_time, parse_date_text
from syndicate.parse.hardening import ENTITY_EXPANSION_BUDGET, harden_xml, neutralize_doctype
from syndicate.parse.http_links import parse_link_header
from syndicate.parse.people import parse_person_text
from syndicate.parse.text import clean, html_to_text, text_to_html

ROOT = b"<rss><channel><title>&a;</title></channel></rss>"


def test_doctype_without_subset_is_removed_entirely() -> None:
    body = b'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "file:///etc/passwd">\n' + ROOT
    out, warnings = neutralize_doctype(body)
    assert b"DOCTYPE" not in out and b"passwd" not in out
    assert out.endswith(ROOT) and warnings == []


def test_only_safe_literal_entities_survive() -> None:
    body = (
        b"<!DOCTYPE rss [\n"
        b'  <!ENTITY a "plain">\n'
        b'  <!ENTITY ref "&#169;">\n'
        b'  <!ENTITY nested "&a;&a;">\n'
        b'  <!ENTITY ext SYSTEM "file:///etc/passwd">\n'
        b'  <!ENTITY % pe "x">\n'
        b"  <!-- <!ENTITY commented 'no'> -->\n"
        b"  <!ELEMENT rss ANY>\n"
        b"]>" + ROOT
    )
    out, warnings = neutralize_doctype(body)
    assert b'<!ENTITY a "plain">' in out and b'<!ENTITY ref "&#169;">' in out
    for gone in (b"nested", b"passwd", b"% pe", b"commented", b"ELEMENT"):
        assert gone not in out
    assert warnings == ["DOCTYPE: ignored 3 unsafe entity declaration(s)"]


def test_entity_budget_counts_references() -> None:
    value = b"x" * 1000
    refs = ENTITY_EXPANSION_BUDGET // 1000 + 1
    body = b'<!DOCTYPE r [<!ENTITY a "' + value + b'">]><r>' + b"&a;" * refs + b"</r>"
    out, warnings = neutralize_doctype(body)
    assert b"<!ENTITY" not in out and warnings


def test_quotes_and_brackets_inside_the_subset_do_not_end_it_early() -> None:
    body = b"<!DOCTYPE r [<!ENTITY a \"x ]> y\"><!ENTITY b 'z'>]><r>&b;</r>"
    out, _ = neutralize_doctype(body)
    assert out.endswith(b"<r>&b;</r>")
    assert b"x ]> y" not in out


def test_doctype_after_comments_and_processing_instructions_is_found() -> None:
    body = b'<?xml version="1.0"?><!-- c --><?pi x?><!DOCTYPE r [<!ENTITY x SYSTEM "http://evil/">]>' + ROOT
    out, _ = neutralize_doctype(body)
    assert b"evil" not in out


def test_utf16_is_transcoded_and_its_doctype_defused() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r/>'
    hardened = harden_xml(text.encode("utf-16"), {"content-type": "application/xml; charset=UTF-16"})
    assert hardened.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b"passwd" not in hardened.body
    assert hardened.headers["content-type"] == "application/xml; charset=utf-8"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jane@orig.example (Jane Roe)", Person("Jane Roe", email="jane@orig.example")),
        ("Jane Roe <jane@orig.example>", Person("Jane Roe", email="jane@orig.example")),
        ("Jane Roe (jane@orig.example)", Person("Jane Roe", email="jane@orig.example")),
        ("mailto:jane@orig.example", Person("jane@orig.example", email="jane@orig.example")),
        ("  Jane   Roe ", Person("Jane Roe")),
        ("", None),
    ],
)
def test_person_text_forms(raw: str, expected: Person | None) -> None:
    assert parse_person_text(raw) == expected


def test_dates() -> None:
    assert parse_date_text("2024-05-01T12:30:00+02:00") == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert parse_date_text("2024-05-01T12:30:00Z") == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert parse_date_text("Wed, 01 May 2024 12:30:00 GMT") == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert parse_date_text("0001-01-01T00:00:00Z") is None
    assert parse_date_text("soon") is None
    assert from_struct_time(time.struct_time((2024, 2, 30, 0, 0, 0, 0, 0, 0))) is None
    assert from_struct_time("2024") is None


def test_link_header() -> None:
    header = '<https://hub.example/>; rel="hub", </feed>; rel="self alternate"; type="application/atom+xml"'
    assert parse_link_header(header, "https://site.example/x") == [
        ("hub", "https://hub.example/"),
        ("self", "https://site.example/feed"),
        ("alternate", "https://site.example/feed"),
    ]


def test_text_helpers() -> None:
    assert clean(" a\x00b\ud800c\ufffe ") == "abc"
    assert clean("   ") is None and clean(None) is None and clean(5) == "5"
    assert html_to_text("<p>A &amp; <b>B</b></p><p>C</p>") == "A & B\nC"
    assert text_to_html("a\nb\n\nc<") == "<p>a<br>b</p><p>c&lt;</p>"
