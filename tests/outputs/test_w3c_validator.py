"""Every feed format syndicate writes passes the W3C Feed Validation Service's own checker with no
error and no warning: Atom and RSS as files and served by a real ``syndicate serve`` (by URL, as a
subscriber reads them), JSON Feed against its JSON Schema. The documents come from a real
``syndicate sync`` of the bundled samples, whose entries carry ``atom:source``, rights, licences,
``via`` links and an all-rights-reserved excerpt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.helpers.served import sample_config, serving
from tests.helpers.validator import FILE_ONLY, problems, validator

# per_source adds NAME-SOURCE outputs, a `hubs` list WebSub links, archive RFC 5005 pages (archived-archive-N)
EXTRA = """
[[output]]
name = "by-source"
title = "Per source"
sources = ["harbor-gazette", "open-science"]
per_source = true
hubs = ["https://hub.example.org/"]

[[output]]
name = "archived"
limit = 2
archive = true
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    validator()  # skip (or fail under CI) before doing any work
    root = tmp_path_factory.mktemp("w3c")
    config = sample_config(root, "http://127.0.0.1:8080/", extra=EXTRA)
    with serving(config) as url:  # synced with base_url set to the served address
        yield root / "feeds", url


def _documents(feeds: Path, *suffixes: str) -> list[Path]:
    found = sorted(p for p in feeds.iterdir() if p.suffix in suffixes)
    assert len(found) >= 8, found  # all, harbor, by-source and its two per-source outputs, archived and its pages
    assert any("-archive-" in p.name for p in found)
    return found


def test_atom_and_rss_files_have_no_problem_but_the_file_self_link(site: tuple[Path, str]) -> None:
    """Mutation killed: dropping the ``updated`` (or ``id``) that facts.source_facts supplies for an
    ``atom:source`` without its own ("Missing source element: updated")."""
    feeds, _url = site
    files = [str(p) for p in _documents(feeds, ".atom", ".rss")]
    assert [p for p in problems(*files) if FILE_ONLY not in p] == []


def test_served_atom_and_rss_are_valid_by_url(site: tuple[Path, str]) -> None:
    """What a subscriber sees: each feed fetched from ``syndicate serve`` at its self URL, no warning at all."""
    feeds, url = site
    urls = [url + p.name for p in _documents(feeds, ".atom", ".rss")]
    assert problems(*urls) == []


def test_json_feeds_match_the_json_feed_schema(site: tuple[Path, str], jsonfeed_schema: dict[str, Any]) -> None:
    feeds, _url = site
    for path in _documents(feeds, ".json"):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), jsonfeed_schema)


def test_the_validator_does_report_a_broken_feed(tmp_path: Path) -> None:
    """The check can fail: a feed whose source lacks id and updated is reported."""
    broken = tmp_path / "broken.atom"
    broken.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66</id>"
        "<updated>2024-01-01T00:00:00Z</updated><author><name>a</name></author>"
        "<entry><title>e</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>"
        "<updated>2024-01-01T00:00:00Z</updated><link href='https://example.org/e'/>"
        "<source><title>s</title></source><summary>x</summary></entry></feed>",
        encoding="utf-8",
    )
    found = problems(str(broken))
    assert any("Missing source element: id" in p for p in found), found
    assert any("Missing source element: updated" in p for p in found), found


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_validator_fails_under_ci_and_skips_elsewhere(
    ci: str, outcome: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mutation killed: a missing validator skipping under CI=true (CI would stay green unchecked)."""
    import tests.helpers.validator as where

    monkeypatch.setattr(where, "VALIDATOR", tmp_path / "absent" / "validate-feed")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="validate-feed is absent"):
        validator()
