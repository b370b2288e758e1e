"""The recognizer table: well-formed, every row recognises its example, near-misses stay."""

from __future__ import annotations

import pytest

from syndicate.attribution.notices import Block, Table, edge_cut, scan_block
from syndicate.attribution.recognizers import CONDITION_PHRASES, LEAD_BLOCKS, RECOGNIZERS, Recognizer, conditions_in
from syndicate.models import CONDITIONS


def test_table_is_sorted_with_unique_names() -> None:
    names = [r.name for r in RECOGNIZERS]
    assert names == sorted(names)
    assert len(set(names)) == len(names)


def test_rows_state_known_conditions_and_notice_kinds() -> None:
    for row in RECOGNIZERS:
        assert set(row.conditions) <= set(CONDITIONS), row.name
        assert row.notice in (None, "disclaimer", "fair-use", "permission", "copyright"), row.name
    assert {c for c, _ in CONDITION_PHRASES} <= set(CONDITIONS)


@pytest.mark.parametrize("row", RECOGNIZERS, ids=[r.name for r in RECOGNIZERS])
def test_every_row_recognises_its_example_as_a_removable_paragraph(row: Recognizer) -> None:
    """Each row's example, placed where the row applies, is removed whole, or (a credit glued to
    the article's last or first sentence) its notice part is cut from the paragraph's edge."""
    links = (("X", "https://x.example/2024/story"),) if row.needs_link else ()
    tail = row.where in ("tail", "edge")
    block = Block(row.example, links, index=LEAD_BLOCKS if row.where == "tail" else 0, tail=tail)
    alone = scan_block(block, Table.of([row]))  # in the full table a twin row may read the same facts first
    assert row.name in {h.recognizer.name for h in alone.hits}
    verdict = scan_block(block)
    if not verdict.remove:
        assert row.scope == "clause", row.example
        assert edge_cut(block, verdict, "tail" if row.where == "tail" else "lead"), row.example


@pytest.mark.parametrize("text", [
    "THIS ARTICLE WAS ORIGINALLY PUBLISHED ON EXAMPLE NEWS.",
    "this story first appeared in the Guardian.",
    "This piece was originally posted at example.org.",
    "Originally published by ProPublica.",
    "Reproduced with the kind permission of Harbor Times.",
    "The post <title> appeared first on Example Blog.",
    "(c) 2019 Jane Doe",
    "© Example Corp",
    "Copyright © 2015–2024 Example Corp. All Rights Reserved.",
    "Disclaimer : contents are the author's.",
    "NOTE TO READERS: please share.",
    "Please consider supporting independent media.",
    "Donate now to keep us going.",
    "Sign up for our free weekly newsletter!",
    "Get more stories like this delivered straight to your inbox.",
    "Click to share on Twitter (Opens in new window) Click to share on Facebook (Opens in new window)",
    "Share on Facebook | Tweet | Email",
    "Read the original article.",
    "By JANE DOE",
    "By Jane Doe for The Guardian",
    "Written by Li Wei via Caixin,",
    "Stories by: Ana Lima and Tom Reyes",
])
def test_phrasing_variants_are_notices(text: str) -> None:
    assert scan_block(Block(text, (), index=0)).remove, text


@pytest.mark.parametrize("text", ["Source: Reuters", "H/T: Naked Capitalism", "Via: Harbor Times"])
def test_source_lines_count_only_with_a_link_to_an_article(text: str) -> None:
    assert scan_block(Block(text, (("x", "https://reuters.example/world/story-1"),), index=3)).remove
    assert not scan_block(Block(text, (), index=3)).remove
    assert not scan_block(Block(text, (("x", "https://reuters.example/"),), index=3)).remove


NEAR_MISSES = [
    "Under US copyright law, fair use allows limited quotation, the court said.",
    "The newsletter industry grew by 30 percent last year.",
    "She signed up for a pottery class and a newsletter about birds last spring, she said.",
    "By the end of the year, the channel will be 15 metres deep.",
    "By Monday.",
    "Residents were urged to donate blood at the community center.",
    "PayPal reported higher earnings on Tuesday.",
    "The report, which was originally published in 2019, found that teenagers need more sleep.",
    "Activists say all rights reserved for citizens under the old charter were eroded by the decree, and "
    "that courts have ignored petitions for a decade while the government expanded its powers further.",
    "Support for the measure fell to 40 percent in the latest poll.",
    "The source said talks would resume.",
    "The views expressed by voters at the meeting were mixed.",
    "He shared the story with permission from his family, and then spoke for an hour about his "
    "brother's long illness and the doctors who had cared for him in the last months.",
    "Share prices fell sharply on Monday.",
    "Copyright holders welcomed the ruling.",
    "The museum said the photographs are now in the public domain and free to reuse.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_kept(text: str) -> None:
    for index in (0, 5):
        assert not scan_block(Block(text, (), index=index)).remove, text


def test_byline_applies_only_to_the_lead() -> None:
    assert scan_block(Block("By Jane Doe", (), index=0)).remove
    assert not scan_block(Block("By Jane Doe", (), index=7)).remove


def test_grant_conditions_are_read_from_the_wording() -> None:
    gr = (
        "grants permission to cross-post Global Research articles on community internet sites as long the source "
        "and copyright are acknowledged together with a hyperlink to the original Global Research article. For "
        "publication of Global Research articles in print or other forms including commercial internet sites, "
        "contact"
    )
    assert conditions_in(gr) == ("attribution", "link-to-original", "noncommercial")
    assert conditions_in("Feel free to repost.") == ()
    assert conditions_in("must be republished in their entirety") == ("no-derivatives",)


def _corpus() -> list[str]:
    import json
    import re
    from pathlib import Path

    texts = [r.example for r in RECOGNIZERS] + list(NEAR_MISSES)
    data = Path(__file__).resolve().parents[1] / "data" / "attribution"
    for path in sorted((data / "feeds").iterdir()) + sorted((data / "shared").iterdir()):
        raw = path.read_text(encoding="utf-8")
        texts.extend(re.sub(r"<[^>]+>", " ", t) for t in re.split(r"</p>|&lt;/p&gt;|\\n", raw))
    texts.extend(json.loads((data / "cases.json").read_text(encoding="utf-8"))["about"].split(". "))
    return [t for t in texts if t.strip()]


def test_prefilter_never_skips_a_row_that_matches() -> None:
    from syndicate.attribution import notices

    prefilter = notices.TABLE.prefilter
    for text in _corpus():
        for variant in (text, text.upper(), text.lower()):
            possible = set(prefilter.possible_rows(variant))
            for index, row in enumerate(RECOGNIZERS):
                if row.regex.search(variant):
                    assert index in possible, (row.name, variant[:80])
