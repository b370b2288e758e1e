"""What the removed notices of a body say (``syndicate.attribution.notices``), fact by fact.

Written against the survivors of issue #21's mutation run over ``attribution/``. The paragraphs
are English phrasings the built-in table has rows for; the tests read facts and evidence
(what was found, where), not which row found them, so that the tables may be reworded.
"""

from __future__ import annotations

from syndicate.attribution.notices import (
    Block,
    Findings,
    Table,
    Verdict,
    clean_publisher,
    edge_cut,
    find_hits,
    findings,
    scan_block,
)
from syndicate.attribution.recognizers import rows_from_config
from syndicate.models import Notice

ARTICLE = "Dock workers rejected the latest offer on Thursday, the union said."


def _tail(text: str, links: tuple[tuple[str, str], ...] = ()) -> Block:
    return Block(text, links, index=5, tail=True)


def _found(*blocks: Block) -> Findings:
    return findings([(block, scan_block(block)) for block in blocks])


def _facts(found: Findings) -> list[tuple[str, str | None]]:
    return [(e.fact, e.value) for e in found.evidence]


def test_nothing_found_is_no_republication() -> None:
    """Kills ``republished = False`` made ``True`` at the start of findings."""
    found = _found(_tail("Copyright 2025 Harbor Times."))
    assert found.republished is False
    assert findings([]) == Findings()


def test_a_copyright_line_names_the_holder_and_a_wire_holder_is_the_publisher() -> None:
    """Kills the holder group read as "HOLDER" and the "copyright_holder" and "notice" facts misspelled."""
    found = _found(_tail("Copyright 2014 AP."))
    assert found.publishers == ("AP",)
    assert found.rights.holder == "AP" and found.rights.statement == "Copyright 2014 AP."
    assert found.rights.notices == (Notice("copyright", "Copyright 2014 AP."),)
    assert _facts(found) == [("original_publisher", "AP"), ("copyright_holder", "AP"), ("notice", "copyright")]
    assert {e.where for e in found.evidence} == {"tail"}


def test_all_rights_reserved_is_a_rights_statement() -> None:
    """Kills the kind "rights" misspelled where licences are collected."""
    rights = _found(_tail("© 2024 Example Corp. All rights reserved.")).rights
    assert (rights.license, rights.conditions, rights.holder) == (
        "all-rights-reserved", ("permission-required",), "Example Corp")


def test_an_original_author_line_with_a_link_gives_the_original_url() -> None:
    """An attribution row with no publisher still reads its link (anchor text within the notice).
    Kills the kind "attribution" misspelled there, and the original-author facts named "author"."""
    found = _found(_tail("Articles by: South Front", (("South Front", "https://southfront.example/a/1"),)))
    assert found.original_urls == ("https://southfront.example/a/1",)
    assert found.original_authors == ("South Front",) and found.authors == ()
    assert _facts(found) == [("original_url", "https://southfront.example/a/1"), ("original_author", "South Front")]


def test_a_byline_is_the_copy_s_author() -> None:
    found = _found(Block("By Jane Doe", (), index=0))
    assert found.authors == ("Jane Doe",) and found.original_authors == ()
    assert _facts(found) == [("author", "Jane Doe")]
    assert found.evidence[0].where == "lead"


def test_an_origin_notice_names_its_publisher() -> None:
    """Kills the publisher group read as None."""
    found = _found(_tail("This article was originally published on Example News."))
    assert found.publishers == ("Example News",) and found.republished is False
    assert ("original_publisher", "Example News") in _facts(found)


def test_which_link_is_the_original() -> None:
    """A link whose anchor says "original" beats one whose anchor is the publisher's name, which beats one
    whose anchor is elsewhere in the notice; home pages and sharing sites never count."""
    text = "This article was originally published on Example News."
    links = (
        ("published", "https://examplenews.example/a/in-text"),
        ("Example News", "https://examplenews.example/a/by-name"),
        ("the original", "https://examplenews.example/a/original"),
        ("original", "https://twitter.com/examplenews/status/1"),
        ("original", "https://examplenews.example/"),
    )
    assert _found(_tail(text, links)).original_urls == ("https://examplenews.example/a/original",)
    assert _found(_tail(text, links[:2])).original_urls == ("https://examplenews.example/a/by-name",)
    assert _found(_tail(text, links[:1])).original_urls == ("https://examplenews.example/a/in-text",)
    assert _found(_tail(text, (("elsewhere", "https://examplenews.example/a/x"),))).original_urls == ()


def test_two_rows_reading_one_credit_give_one_set_of_facts() -> None:
    """Kills unique_hits forgetting what it has seen."""
    block = _tail("Source: Example News", (("Example News", "https://examplenews.example/a/1"),))
    verdict = scan_block(block)
    assert verdict.remove and len(verdict.hits) == 1
    found = findings([(block, verdict)])
    assert [f for f, _ in _facts(found)].count("original_publisher") == 1


def test_a_grant_and_a_disclaimer_in_one_paragraph_are_two_notices() -> None:
    """A grant that covers the rest of its paragraph stops where a notice of another kind starts.
    Kills the "rest" scope misspelled in _notice_text."""
    grant = "You may republish this article for free, provided you credit the author and link to the original."
    disclaimer = "The views expressed in this article are solely those of the author."
    found = _found(_tail(f"{grant} {disclaimer}"))
    assert found.rights.notices == (Notice("permission", grant), Notice("disclaimer", disclaimer))
    assert found.rights.license == "permission"


def test_a_grant_just_after_an_image_credit_is_the_image_s() -> None:
    """Kills ``hit.start - g.end`` made ``hit.start + g.end`` (the reach counted from the paragraph's start)."""
    credit = "Photo: Jane Doe of the Harbor Times picture desk in Portland / Reuters."
    found = _found(_tail(f"{credit} Republished with permission."))
    assert found.rights.license is None
    assert [f for f, _ in _facts(found)] == ["image_credit", "notice", "image_license"]
    far = _tail(f"Photo: Jane Doe / Reuters. {ARTICLE} The harbor was quiet. Republished with permission.")
    far_found = findings([(far, Verdict(True, scan_block(far).hits))])
    assert far_found.rights.license == "permission"


def test_a_whole_paragraph_row_reads_the_first_sentence_of_a_lead_and_the_last_of_a_tail() -> None:
    """Kills _whole_sentences keeping only the sentence that is the whole paragraph, and the tail side dropped."""
    lead = Block(f"By Jane Doe and John Roe. {ARTICLE}", (), index=0)
    verdict = scan_block(lead)
    assert not verdict.remove and [(h.start, h.end) for h in verdict.hits] == [(0, 25)]
    assert edge_cut(lead, verdict, "lead") == (0, 26)
    tail = _tail(f"{ARTICLE} Source: Example News")
    verdict = scan_block(tail)
    assert [(h.start, h.end, h.group("publisher")) for h in verdict.hits] == [(68, 88, "Example News")]
    assert edge_cut(tail, verdict, "tail") == (68, 88)
    assert find_hits(tail.text, lead=True, tail=False) == []  # its last sentence is read only at the tail


def test_a_tail_only_row_needs_the_paragraph_s_tail_flag() -> None:
    """Kills scan_block passing ``tail=None``."""
    text = "Dock workers rejected the offer. — AFP"
    assert scan_block(_tail(text)).hits
    assert not scan_block(Block(text, (), index=5, tail=False)).hits


def test_clean_publisher() -> None:
    """Kills the lower-case "the " replaced by "XXXX" instead of removed."""
    assert clean_publisher("the guardian") == "guardian"
    assert clean_publisher("The Guardian") == "The Guardian"
    assert clean_publisher(" “Example News”. ") == "Example News"
    assert clean_publisher("") is None and clean_publisher(" - ") is None


def test_a_table_of_clause_rows_only_reads_each_sentence() -> None:
    """Clause rows that may sit anywhere read the paragraph's sentences even when no sentence row is
    a candidate. Kills the "clause" scope misspelled where find_hits decides to split sentences."""
    table = Table.of(rows_from_config([{"id": "wiremirror.credit", "kind": "attribution", "scope": "clause",
                                        "pattern": r"— Wire Mirror$", "example": "Ships left. — Wire Mirror"}]))
    hits = find_hits("Dock workers rejected the offer. — Wire Mirror", lead=False, table=table)
    assert [(h.start, h.end, h.text) for h in hits] == [(33, 46, "— Wire Mirror")]
    edge = Table.of(rows_from_config([{"id": "wiremirror.credit", "kind": "attribution", "scope": "clause",
                                       "where": "edge", "pattern": r"— Wire Mirror$",
                                       "example": "Ships left. — Wire Mirror"}]))
    assert len(find_hits("Dock workers rejected the offer. — Wire Mirror", lead=False, tail=True, table=edge)) == 1


def test_a_clause_glued_to_a_hyphen_is_not_cut() -> None:
    """A credit right after a word's hyphen ("offer- — AFP") is no clause of its own; after a full stop
    it is. Kills the hyphen misspelled in edge_cut's test."""
    glued = _tail("Dock workers rejected the offer- — AFP")
    assert edge_cut(glued, scan_block(glued), "tail") is None
    stopped = _tail("Dock workers rejected the offer. — AFP")
    assert edge_cut(stopped, scan_block(stopped), "tail") == (33, 38)


def test_a_row_anchored_at_the_start_is_skipped_when_the_paragraph_does_not_start_so() -> None:
    """The pre-check of a place reads a row anchored with ``^`` (tried from the paragraph's start) by the
    text it must start with, not only by text it must contain. Kills the anchored prefixes read from None."""
    (row,) = rows_from_config([{"id": "wiremirror.by", "kind": "attribution", "scope": "whole", "where": "lead",
                                "pattern": r"^By Wire Mirror\b", "example": "By Wire Mirror"}])
    table = Table.of([row])
    assert table.candidates("By Wire Mirror", lead=True, tail=False) == [row]
    assert table.candidates("Stand by Wire Mirror", lead=True, tail=False) == []


def test_a_notice_split_over_the_last_paragraphs_is_read_as_a_tail_paragraph() -> None:
    """The joined paragraphs are the body's tail: a tail-only row reads them.
    Kills the joined block built with ``tail=False``."""
    from syndicate.attribution.lines import tail_run

    (row,) = rows_from_config([{"id": "wiremirror.dues", "kind": "appeal", "where": "tail",
                                "pattern": r"^Wire Mirror runs on reader dues\b",
                                "example": "Wire Mirror runs on reader dues."}])
    table = Table.of([row])

    def scan(block: Block) -> Verdict:
        return scan_block(block, table)

    blocks = [Block(ARTICLE, (), 0), Block("Wire Mirror runs", (), 1, tail=True),
              Block("on reader dues.", (), 2, tail=True)]
    joined = tail_run([(b, scan(b), True) for b in blocks], scan)
    assert joined is not None
    count, block, verdict = joined
    assert (count, block.text, block.tail, verdict.remove) == (2, "Wire Mirror runs on reader dues.", True, True)


def test_a_hit_over_a_markdown_reference_link_keeps_the_text_as_written() -> None:
    """Kills the hit rebuilt without its start (``[text][ref]`` is read as its text, the hit shown as written)."""
    text = "This article was originally published on [Example News][1]."
    (hit,) = find_hits(text, lead=False, tail=True)
    assert (hit.start, hit.end, hit.text, hit.group("publisher")) == (0, 59, text, "Example News")
