"""``clean_text`` (a summary's text, with a shortcut for plain text) equals ``clean_body(...).text``."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicate.config import SourceRules
from syndicate.normalize.body import clean_body, clean_text

NOTICES = [
    "This article was originally published on Example News.",
    "Articles by: South Front",
    "Disclaimer: The contents of this article are of sole responsibility of the author(s).",
    "The original source of this article is Global Research",
    "Copyright © Prof. Michel Chossudovsky, Global Research, 2024",
    "Share this article",
    "Subscribe to our newsletter.",
    "Note to readers: please click the share button above.",
    "By Jane Doe",
    "All rights reserved.",
]
PIECES = [*NOTICES, "*", "—", "***", "* * *", "[email protected]", "Email protected", "\u00a0", "\x00", "\x0c",
          "\r\n", "\r", "\t", "\ud800", "\ufeff", "ü", "é", ">", "\"", "'", "  ", "\u2028", "x > y", "AT and T",
          "2 < 3", "&amp;", "&"]  # fmt: skip
words = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=15)), max_size=5).map(" ".join)
texts = st.one_of(
    words,
    st.tuples(st.sampled_from(["", " ", "\n", "<p>x</p>"]), words, st.sampled_from(["", "\n", "<br>", "<p>y</p>"])).map(
        lambda t: f"{t[0]}<p>{t[1]}</p>{t[2]}"
    ),
)


@settings(max_examples=1500, deadline=None)
@given(raw=texts)
@example(raw="Articles by: South Front \r\n Articles by: South Front")  # a notice over two lines (found by this test)
@example(raw="Articles by: South Front \r Articles by: South Front")
def test_plain_and_marked_up_text_read_the_same_both_ways(raw: str) -> None:
    assert clean_text(raw, "https://outlet.example/") == clean_body(raw, "https://outlet.example/").text


@pytest.mark.parametrize("raw", [*NOTICES, "Two plain sentences. Nothing else here.", "", "   ", "\u00a0", "— * —"])
def test_typical_summaries(raw: str) -> None:
    verdicts: dict = {}
    assert clean_text(raw, None, None, verdicts) == clean_body(raw).text


def test_a_notice_summary_reads_as_nothing_and_an_ordinary_one_as_itself() -> None:
    assert clean_text("Articles by: South Front") == ""
    assert clean_text("  Two plain\n sentences.  ") == "Two plain sentences."
    # a notice written over two lines is one notice block (read line by line), whatever the line break
    for newline in ("\n", "\r\n", "\r"):
        assert clean_text(f"Articles by: South Front{newline}Articles by: South Front") == ""
    assert clean_text("Articles by: South Front\nA plain sentence of the article.") != ""


@pytest.mark.parametrize(
    "rules",
    [SourceRules(drop_patterns=["^Read more"]), SourceRules(drop_selectors=["p.promo"])],
)
def test_a_source_s_own_rules_are_applied(rules: SourceRules) -> None:
    for raw in ["Read more at the outlet.", "An ordinary sentence."]:
        assert clean_text(raw, None, rules) == clean_body(raw, None, rules).text
    if rules.drop_patterns:
        assert clean_text("Read more at the outlet.", None, rules) == ""
