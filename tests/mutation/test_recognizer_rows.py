"""Recognizer rows read from a configuration's ``[[recognizer]]`` tables, in process.

The CLI tests (``tests/attribution/test_explain_and_config_rows.py``) check them through
``syndicate check`` in a subprocess, which mutmut never picks for a mutant; these are their
in-process twins, written against the survivors of issue #21's mutation run.
"""

from __future__ import annotations

import pytest

from syndicate.attribution.notices import find_hits, table_with
from syndicate.attribution.recognizers import Recognizer, RowError, load_table, row_from_mapping, rows_from_config

ROW = {
    "id": "wiremirror.dues",
    "kind": "appeal",
    "pattern": r"^Wire Mirror runs on reader dues\b",
    "example": "Wire Mirror runs on reader dues.",
}


def test_a_row_keeps_every_field_it_is_given() -> None:
    """Kills the scope and the conditions read from misspelled keys, and the row's language ignored."""
    (row,) = rows_from_config([{**ROW, "scope": "block", "where": "tail", "conditions": ["attribution"],
                                "lang": "fr", "notice": "permission", "license": "permission",
                                "republished": True, "grant_conditions": True, "needs_link": True,
                                "author_role": "original", "subject": "image"}])
    assert (row.name, row.lang, row.scope, row.where, row.conditions, row.notice, row.license) == (
        "fr.wiremirror.dues", "fr", "block", "tail", ("attribution",), "permission", "permission")
    assert (row.republished, row.grant_conditions, row.needs_link, row.author_role, row.subject) == (
        True, True, True, "original", "image")
    assert row.row_id == "wiremirror.dues"


def test_a_row_s_defaults() -> None:
    (row,) = rows_from_config([ROW])
    assert (row.name, row.lang, row.scope, row.where, row.conditions, row.notice, row.license) == (
        "en.wiremirror.dues", "en", "sentence", "any", (), None, None)
    assert (row.republished, row.grant_conditions, row.needs_link, row.author_role, row.subject) == (
        False, False, False, "byline", "article")


def test_a_row_s_pattern_ignores_case_and_reads_across_lines() -> None:
    """Kills ``re.I | re.S`` made ``re.I & re.S`` (no flag at all)."""
    row = Recognizer("en.x", "appeal", r"reader dues.support", "reader dues support")
    assert row.regex.search("READER DUES\nSUPPORT")
    (configured,) = rows_from_config([ROW])
    assert configured.regex.search("WIRE MIRROR RUNS ON READER DUES.")


def test_a_configured_row_is_read_by_the_table() -> None:
    table = table_with([ROW])
    hits = find_hits("Wire Mirror runs on reader dues. Please give.", lead=False, table=table)
    assert [h.recognizer.name for h in hits] == ["en.wiremirror.dues"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Wire Mirror"}, "id 'Wire Mirror': lower-case letters, digits"),
        ({"id": 7}, "id 7: lower-case letters"),
        ({"kind": "plea"}, "kind 'plea' is not one of"),
        ({"scope": "page"}, "scope 'page' is not one of"),
        ({"conditions": ["fame"]}, "unknown condition(s) fame"),
        ({"pattern": "(unclosed"}, "its pattern does not compile"),
        ({"pattern": "{NOPE}"}, "unknown placeholder {NOPE}"),
        ({"example": "Something else entirely."}, "its pattern does not match its example"),
        ({"colour": "red"}, "unknown field(s) colour"),
    ],
)
def test_a_bad_row_is_refused_with_its_number_and_what_is_wrong(change: dict, message: str) -> None:
    """Kills the id check inverted and the example check dropped."""
    with pytest.raises(RowError) as raised:
        rows_from_config([ROW, {**ROW, **change}])
    assert str(raised.value).startswith("[[recognizer]] #2 ")
    assert message in str(raised.value)


def test_the_built_in_rows_are_read_from_the_phrases_files(tmp_path) -> None:
    """Kills each file entry replaced by None in load_table."""
    path = tmp_path / "xx.toml"
    path.write_text('lang = "xx"\n[[row]]\nid = "b.row"\nkind = "appeal"\npattern = "^b"\nexample = "b"\n'
                    '[[row]]\nid = "a.row"\nkind = "notice"\npattern = "^a"\nexample = "a"\nscope = "block"\n',
                    encoding="utf-8")
    rows = load_table([path])
    assert [(r.name, r.kind, r.scope, r.lang) for r in rows] == [
        ("xx.a.row", "notice", "block", "xx"), ("xx.b.row", "appeal", "sentence", "xx")]
    assert row_from_mapping({**ROW, "lang": "de"}, "en").name == "de.wiremirror.dues"


def test_a_row_s_placeholders_are_its_language_s() -> None:
    """A French row joins names with "et". Kills the row's language dropped when its pattern is expanded."""
    (row,) = rows_from_config([{"id": "par", "kind": "attribution", "scope": "whole", "lang": "fr",
                                "pattern": "^Par {AUTHOR}$", "example": "Par Jean Dupont et Marie Curie"}])
    found = row.regex.search("Par Jean Dupont et Marie Curie")
    assert found is not None and found.group("author") == "Jean Dupont et Marie Curie"
    english = Recognizer("en.par", "attribution", "^Par {AUTHOR}$", "", lang="en")
    assert english.regex.search("Par Jean Dupont et Marie Curie") is None


def test_the_news_agency_rows_are_valid_and_read_their_examples_at_the_tail() -> None:
    """The wire-credit rows built from the agencies' list are rows like any other (fields known, each
    example recognised as a credit at the end of a body). Kills a field of them misspelled and the
    bracketed lead-ins lost."""
    from syndicate.attribution import agencies
    from syndicate.attribution.notices import Block, Table, scan_block

    rows = [row_from_mapping(entry, "en", check_example=True) for entry in agencies.rows()]
    assert {(row.scope, row.where, row.kind) for row in rows} == {("clause", "tail", "attribution")}
    table = Table.of(rows)
    for row in rows:
        verdict = scan_block(Block(row.example, (), index=5, tail=True), table)
        assert [h.recognizer.name for h in verdict.hits] == [row.name], row.example
        assert verdict.hits[0].group("publisher"), row.example


def test_where_a_row_applies() -> None:
    """Kills ``where == "tail" and tail`` made ``or`` (every row would apply at the tail)."""
    from syndicate.attribution.notices import applies

    def row(where: str) -> Recognizer:
        return Recognizer("en.x", "appeal", "x", "x", where=where)

    table = {where: [applies(row(where), lead=lead, tail=tail) for lead, tail in
                     ((False, False), (True, False), (False, True), (True, True))]
             for where in ("any", "lead", "tail", "edge")}
    assert table == {"any": [True, True, True, True], "lead": [False, True, False, True],
                     "tail": [False, False, True, True], "edge": [False, True, True, True]}
