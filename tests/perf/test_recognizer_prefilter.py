"""The recognizer pre-check (attribution/prefilter.py) skips only rows that could not match.

``reference_find_hits`` is find_hits as it was before the pre-check (every row tried on
every paragraph); the real one must give the same hits on every paragraph we can find:
the rows' own examples, every paragraph of the attribution test feeds, the farm's
bodies, and texts with the characters where case-insensitive matching and casefold()
disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.attribution import notices, prefilter
from syndicate.attribution.recognizers import MAX_BLOCK_CHARS, MAX_SENTENCE_CHARS, MAX_WHOLE_CHARS, RECOGNIZERS
from syndicate.normalize.text import WHITESPACE, collapse, sentence_spans
from tests.perf.farm_docs import farm_documents

REPO = Path(__file__).resolve().parents[2]
ATTRIBUTION_DATA = REPO / "tests" / "data" / "attribution"


def reference_find_hits(text: str, *, lead: bool, tail: bool = False) -> list[notices.Hit]:
    hits: list[notices.Hit] = []
    if len(text) > MAX_BLOCK_CHARS:
        return hits
    spans = sentence_spans(text)
    for rec in RECOGNIZERS:
        if not notices.applies(rec, lead=lead, tail=tail):
            continue
        if rec.scope == "whole" and len(text) > MAX_WHOLE_CHARS:
            continue
        if rec.scope == "rest":
            rest = notices._rest_hit(rec, text, spans)
            if rest is not None:
                hits.append(rest)
            continue
        if rec.scope in ("sentence", "clause"):
            for start, end in notices._clause_sentences(text, rec.where, spans) if rec.scope == "clause" else spans:
                if end - start > MAX_SENTENCE_CHARS:
                    continue
                match = rec.regex.search(text[start:end])
                if match and rec.scope == "clause":
                    hits.append(notices._hit(rec, match, start + match.start(), start + match.end(), text))
                elif match:
                    hits.append(notices._hit(rec, match, start, end, text))
            continue
        match = rec.regex.search(text)
        trivial = notices.TRIVIAL_REMAINDER
        whole = match is not None and notices._alnum(notices._outside(text, [match.span()])) <= trivial
        if rec.scope == "whole" and (lead or tail) and rec.where != "any" and not whole:
            for start, end in notices._whole_sentences(text, lead=lead, tail=tail):
                found = rec.regex.search(text[start:end])
                if found and notices._alnum(text[start:end]) - notices._alnum(found.group(0)) <= trivial:
                    hits.append(notices._hit(rec, found, start + found.start(), start + found.end(), text))
            continue
        if match is None:
            continue
        if rec.scope == "block":
            hits.append(notices._hit(rec, match, 0, len(text), text))
        elif whole:
            hits.append(notices._hit(rec, match, match.start(), match.end(), text))
    hits.sort(key=lambda h: (h.start, h.recognizer.name))
    return hits


def _same(text: str) -> None:
    for lead, tail in ((True, False), (False, False), (False, True), (True, True)):
        assert notices.find_hits(text, lead=lead, tail=tail) == reference_find_hits(text, lead=lead, tail=tail), text


def _paragraphs(markup: str) -> list[str]:
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except Exception:
        return []
    return [t for t in (collapse(el.text_content()) for el in root.iter() if isinstance(el.tag, str)) if t]


def test_every_row_has_literals_that_its_example_contains() -> None:
    for rec in RECOGNIZERS:
        literals = prefilter.required_literals(rec.regex)
        assert literals, f"{rec.name}: no literal found (the pre-check would never skip it)"
        example = getattr(rec, "example", None) or ""
        if example:
            assert prefilter.may_match(literals, prefilter.fold(example)), rec.name


def test_same_hits_on_the_examples_and_their_variants() -> None:
    for rec in RECOGNIZERS:
        example = getattr(rec, "example", "") or ""
        for text in (example, example.upper(), example.lower(), f"Intro sentence here. {example} More after."):
            _same(text)


def test_same_hits_on_every_paragraph_of_the_attribution_feeds() -> None:
    count = 0
    for path in sorted(ATTRIBUTION_DATA.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".rss", ".atom", ".json", ".html"):
            continue
        text = path.read_text("utf-8", errors="replace")
        for chunk in re.split(r"<!\[CDATA\[|\]\]>", text):
            for paragraph in _paragraphs(chunk.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")):
                _same(paragraph)
                count += 1
    assert count > 100


def test_same_hits_on_farm_bodies() -> None:
    for _index, _fmt, body in farm_documents(feeds=12, entries=6):
        for paragraph in _paragraphs(body.decode("utf-8"))[:400]:
            _same(paragraph)


def test_case_folding_corner_cases() -> None:
    # İ/ı match "i" under re.IGNORECASE; ſ matches "s"; K (Kelvin) matches "k"; ß does not match "ss"
    for text in (
        "All R\u0130ghts Reserved.",
        "All R\u0131ghts Reserved.",
        "All Rights Re\u017ferved.",
        "Clic\u212a to share",
        "ALL RIGHTS RESERVED",
        "Copyright \u00a9 2024 Stra\u00dfe Media. All rights reserved.",
        "Thi\u017f article was originally published on Example News.",
    ):
        _same(text)
        _same(f"First. {text}")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [r.example for r in RECOGNIZERS if getattr(r, "example", None)]
            + ["Plain words here.", "the", "by", "via", "Source:", "©", "(c)", "2024", "İ", "ı", "ſ", "\u212a", " "]
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_same_hits_on_mixed_texts(parts: list[str], upper: bool) -> None:
    text = " ".join(parts)
    _same(text.upper() if upper else text)


@pytest.mark.parametrize("pattern", [r"\bfoo(?:bar|baz)+x?", r"(?:a|b)c", r"x*", r"(?-i:Ab)cd", r"[ab]c"])
def test_required_literals_are_necessary(pattern: str) -> None:
    regex = re.compile(pattern, re.I)
    literals = prefilter.required_literals(regex)
    for text in ("foobarx", "FOOBAZ", "ac", "bc", "xx", "", "Abcd", "ABCD", "cc"):
        if regex.search(text):
            assert prefilter.may_match(literals, prefilter.fold(text)), (pattern, text)


def test_the_shipped_analysis_of_the_built_in_rows_is_up_to_date() -> None:
    """The pre-check's readings of the built-in rows ship in phrases/analysis.json (start-up: 2.0 → 1.0
    CPU-s for the first entry). An entry is keyed by its pattern, so a stale file is never wrong, only
    slow for the rows it lacks; this keeps it whole. Regenerate: ``python -m syndicate.attribution.analysis``."""
    import json

    from syndicate.attribution.analysis import built_in_analysis
    from syndicate.attribution.prefilter import ANALYSIS_FILE

    shipped = json.loads(ANALYSIS_FILE.read_text(encoding="utf-8"))
    assert shipped == built_in_analysis(), "run: python -m syndicate.attribution.analysis"


def test_checks_gated_by_the_walk_still_find_their_literals() -> None:
    """A row's check literal that contains a literal of the automaton ("PTI" folds to the walk's "pti")
    is looked for only when the walk met that literal; one containing none ("Zed") in every text.
    Either way the row passes exactly when its literals are there (a gate keyed on the wrong literal,
    or a check skipped when its gate is open, makes this fail)."""
    rows = [
        re.compile(r"encrypt\w*\s.*(?-i:Zed)", re.I),  # walk: "encrypt"; check "Zed" (no walk literal in it)
        re.compile(r"(?-i:PTI)\b", re.I),  # walk: "pti"; check "PTI" as written, gated by "pti"
        re.compile(r"\bpti\b.*(?-i:PTI)", re.I),  # the same check as the row above: one answer for both
    ]
    check = prefilter.AnchoredPrefilter(rows, [prefilter.ANYWHERE] * 3, lambda _text, _pos: True, WHITESPACE)

    def possible(text: str) -> list[int]:
        found = check.possible_rows(text)
        assert set(found) >= {row for row, regex in enumerate(rows) if regex.search(text)}  # exact
        return found

    assert possible("encryption of the zed") == []  # "pti" met (inside a word), "PTI" and "Zed" absent
    assert possible("encryption Zed") == [0]
    assert possible("encryption, by PTI") == [1, 2]
    assert possible("pti PTI Zed encryption x") == [0, 1, 2]


def test_a_lone_surrogate_is_read_like_any_other_character() -> None:
    """The walk needs UTF-8, which a lone surrogate has none of (a body decoded with ``surrogateescape``):
    it is read as one character that no literal holds, so offsets and hits stay those of the text."""
    for text in (
        "\ud800 This article was originally published on Example News.",
        "Copyright \udcff 2024 Example. All rights reserved.",
        "By JANE DOE\ud83d, Special to the Example Times",
    ):
        _same(text)
        _same(f"First. {text}")


