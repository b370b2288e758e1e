"""Authors, URLs and text helpers of the normalize stage."""

from __future__ import annotations

import pytest

from syndicate.normalize.authors import normalize_authors, split_names
from syndicate.normalize.text import clean_line, first_words, summarize, truncate
from syndicate.normalize.urls import clean_url, host_of, match_form, strip_tracking

AUTHORS = [
    ("Jane Doe", ["Jane Doe"]),
    ("By Jane Doe", ["Jane Doe"]),
    ("by: Jane Doe", ["Jane Doe"]),
    ("Written by Jane Doe", ["Jane Doe"]),
    ("Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Maria Okafor, Tom Reyes & Ana Lima", ["Maria Okafor", "Tom Reyes", "Ana Lima"]),
    ("Jane Doe; John Roe", ["Jane Doe", "John Roe"]),
    ("Jane Doe, John Roe", ["Jane Doe", "John Roe"]),
    ("Doe, Jane", ["Doe, Jane"]),
    ("jane@example.com (Jane Doe)", ["Jane Doe"]),
    ("Jane Doe <jane@example.com>", ["Jane Doe"]),
    ("jane@example.com", []),
    ("  Jane\n  Doe ", ["Jane Doe"]),
    ("Jane & John Roe", ["Jane", "John Roe"]),
    ("Mary Y. Smith", ["Mary Y. Smith"]),
    ("", []),
    ("By", []),
]


@pytest.mark.parametrize(("raw", "names"), AUTHORS)
def test_author_names(raw: str, names: list[str]) -> None:
    assert split_names(raw) == names


def test_authors_deduplicated_case_insensitively() -> None:
    assert normalize_authors(["Jane Doe", "JANE DOE", None, "John Roe"]) == ("Jane Doe", "John Roe")


TRACKING = [
    ("https://a.example/x?utm_source=rss&utm_medium=rss", "https://a.example/x"),
    ("https://a.example/x?id=3&fbclid=abc&gclid=d", "https://a.example/x?id=3"),
    ("https://a.example/x?mc_cid=1&mc_eid=2&igshid=3&ref_src=4&_hsenc=5&_hsmi=6", "https://a.example/x"),
    ("https://a.example/x?UTM_Campaign=y&page=2", "https://a.example/x?page=2"),
    ("https://a.example/x#xtor=RSS-1", "https://a.example/x"),
    ("https://a.example/x?q=a%20b&utm_source=z#sec", "https://a.example/x?q=a%20b#sec"),
    ("https://a.example/x?ref=home", "https://a.example/x?ref=home"),
]


@pytest.mark.parametrize(("url", "clean"), TRACKING)
def test_tracking_parameters_removed(url: str, clean: str) -> None:
    assert strip_tracking(url) == clean


def test_clean_url_resolves_and_refuses_unsafe_schemes() -> None:
    assert clean_url("../b?utm_source=x", "https://s.example/a/c") == "https://s.example/b"
    assert clean_url("javascript:alert(1)", "https://s.example/") is None
    assert clean_url("data:text/html,x") is None
    assert clean_url("") is None
    assert clean_url("http://[bad", None) in (None, "http://[bad")


def test_match_form_ignores_scheme_www_slash_and_tracking() -> None:
    assert match_form("http://www.A.example/x/?utm_source=1") == match_form("https://a.example/x")
    assert match_form("https://a.example/x?b=2&a=1") == match_form("https://a.example/x?a=1&b=2")
    assert match_form("https://a.example/x") != match_form("https://a.example/y")
    assert host_of("https://www.Example.org/a") == "example.org"


def test_text_helpers() -> None:
    assert clean_line("  x < y\n and AT&T\x00 ") == "x < y and AT&T"
    assert truncate("word " * 200, 50).endswith("…") and len(truncate("word " * 200, 50)) <= 50
    assert summarize("a  b\n c") == "a b c"
    assert len(summarize("x" * 5000)) <= 400
    assert first_words("one two three") == "one two three"
    assert first_words(" ".join(str(i) for i in range(30)), 5) == "0 1 2 3 4…"


def _fold_reference(text: str) -> str:
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", stripped.casefold()))


def test_fold_takes_a_shortcut_for_ascii_with_the_same_result() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from syndicate.normalize.text import fold

    accented = "Ångström Café — the CAFÉ’s 2nd İstanbul ﬁle"
    assert fold(accented) == _fold_reference(accented)
    assert fold("  Harbor   Times: Strike_Ends! ") == "harbor times strike_ends"

    @settings(max_examples=1000, deadline=None)
    @given(st.text(max_size=60) | st.text(alphabet=[chr(c) for c in range(128)], max_size=60))
    def same(text: str) -> None:
        assert fold(text) == _fold_reference(text)

    same()


def test_fold_drops_the_same_combining_marks_as_the_reference_across_the_whole_bmp() -> None:
    """Every Basic Multilingual Plane character, 400 at a time, with and without an astral one."""
    from syndicate.normalize.text import fold

    chars = [chr(c) for c in range(0x80, 0x10000) if not 0xD800 <= c < 0xE000]
    for i in range(0, len(chars), 400):
        chunk = "a" + "".join(chars[i : i + 400]) + " é"
        assert fold.__wrapped__(chunk) == _fold_reference(chunk)
        assert fold.__wrapped__(chunk + "\U0001d165") == _fold_reference(chunk + "\U0001d165")


def test_ascii_words_are_the_word_runs_of_the_text() -> None:
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from syndicate.normalize.text import _ascii_words

    every_ascii = "".join(chr(c) for c in range(128))
    assert _ascii_words(every_ascii) == " ".join(re.findall(r"\w+", every_ascii))

    @settings(max_examples=2000, deadline=None)
    @given(st.text(alphabet=[chr(c) for c in range(128)], max_size=80))
    def same(text: str) -> None:
        assert _ascii_words(text) == " ".join(re.findall(r"\w+", text))

    same()
