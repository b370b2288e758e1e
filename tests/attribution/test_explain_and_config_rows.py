"""``syndicate explain``, the ``evidence`` field of ``articles --json`` and ``[[recognizer]]`` rows,
run as a user runs them: the real command on a real SQLite file, a feed read from a local file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import articles_json, run_cli, write_config

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire Mirror</title>
<link>https://wiremirror.example/</link><description>d</description>
<item><title>Ferry fares rise</title><link>https://wiremirror.example/2025/ferry</link><guid>wm-1</guid>
<dc:creator>Tyler Durden</dc:creator>
<content:encoded><![CDATA[<p>Authored by Lawrence Wilson via The Epoch Times,</p>
<p>Ferry fares will rise by 8 percent in June, the operator said.</p>
<p>Commuters criticised the increase at a meeting on Tuesday.</p>
<p>Wire Mirror runs on reader dues: join the dues club today.</p>]]></content:encoded>
</item></channel></rss>"""

ROW = """
[[recognizer]]
id = "wiremirror.dues"
kind = "appeal"
pattern = '^wire mirror runs on reader dues\\b'
example = "Wire Mirror runs on reader dues: join the dues club today."
"""


def _setup(tmp_path: Path, rows: str = ROW) -> Path:
    (tmp_path / "feed.xml").write_text(FEED, encoding="utf-8")
    return write_config(tmp_path, f'\n[[source]]\nname = "mirror"\nurl = "feed.xml"\n{rows}')


def test_evidence_names_the_row_and_text_of_every_fact_and_config_rows_apply(tmp_path: Path) -> None:
    """Kills: Article.to_json without "evidence", the codec not storing it, or config rows not reaching clean_body."""
    config = _setup(tmp_path)
    assert run_cli("sync", "--all", config=config).returncode == 0
    (article,) = articles_json(config)
    assert article["authors"] == ["Lawrence Wilson"]
    assert article["attribution"]["original_publisher"] == "The Epoch Times"
    assert "reader dues" not in article["content_html"]
    shapes = {tuple(sorted(e)) for e in article["evidence"]}
    assert shapes == {("fact", "lang", "recognizer", "text", "value", "where")}
    facts = {(e["fact"], e["value"], e["recognizer"], e["lang"], e["where"]) for e in article["evidence"]}
    assert ("original_author", "Lawrence Wilson", "en.authored-by-via", "en", "lead") in facts
    assert ("original_publisher", "The Epoch Times", "en.authored-by-via", "en", "lead") in facts
    assert ("appeal", None, "en.wiremirror.dues", "en", "tail") in facts


def test_explain_marks_the_notices_and_their_facts(tmp_path: Path) -> None:
    """Kills: explain printing the body without the notices, or a prefix not being resolved."""
    config = _setup(tmp_path)
    assert run_cli("sync", "--all", config=config).returncode == 0
    (article,) = articles_json(config)
    shown = run_cli("explain", article["id"][:6], config=config)
    assert shown.returncode == 0, shown.stderr
    assert "[lead notice] »Authored by Lawrence Wilson via The Epoch Times,«" in shown.stdout
    assert "-> original_author = Lawrence Wilson  (en.authored-by-via, en)" in shown.stdout
    assert "Ferry fares will rise by 8 percent" in shown.stdout
    as_json = json.loads(run_cli("explain", article["id"], "--json", config=config).stdout)
    assert [n["where"] for n in as_json["notices"]] == ["lead", "tail"]
    missing = run_cli("explain", "zzzz", config=config)
    assert missing.returncode == 1 and "no article has an id starting with 'zzzz'" in missing.stderr


def test_check_reports_a_row_whose_example_does_not_match(tmp_path: Path) -> None:
    """Kills: rows_from_config not testing each row against its example."""
    config = _setup(tmp_path, ROW.replace('example = "Wire Mirror runs', 'example = "Wire Mirror is run'))
    result = run_cli("check", config=config)
    assert result.returncode == 1
    assert "[[recognizer]] #1 en.wiremirror.dues: its pattern does not match its example" in result.stderr
    bad_kind = run_cli("check", config=_setup(tmp_path, ROW.replace('kind = "appeal"', 'kind = "plea"')))
    assert bad_kind.returncode == 1 and "kind 'plea' is not one of" in bad_kind.stderr
