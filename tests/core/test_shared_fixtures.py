"""The shared republished-article fixtures through the real pipeline: served over HTTP,
synced by the real command, checked with ``syndicate articles --json``.

Expectations are data (``expected.json``): a key names a field path; ``[]`` maps over a list;
the suffixes ``_include(s)`` mean "contains these", ``content_includes/excludes`` are
case-insensitive substrings of ``content_html``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import articles_json, run_cli, write_config
from tests.helpers.feedserver import FeedServer

DATA = Path(__file__).resolve().parents[1] / "data" / "attribution" / "shared"
CASES = json.loads((DATA / "expected.json").read_text())["cases"]
CONTENT_TYPES = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".json": "application/feed+json"}


def resolve(article: dict[str, Any], path: str) -> Any:
    value: Any = article
    for part in path.split("."):
        if part.endswith("[]"):
            value = [item for item in value[part[:-2]]]
        elif isinstance(value, list):
            value = [item[part] for item in value]
        else:
            value = value[part]
    return value


def check(article: dict[str, Any], key: str, expected: Any) -> None:
    content = article["content_html"].lower()
    if key == "content_includes":
        for text in expected:
            assert text.lower() in content, f"content lacks {text!r}"
    elif key == "content_excludes":
        for text in expected:
            assert text.lower() not in content, f"content still has {text!r}"
    elif key == "copies":
        assert len(article["copies"]) == expected
    elif key == "rights.conditions_include":
        assert set(expected) <= set(article["rights"]["conditions"]), article["rights"]
    elif key == "rights.notice_kinds_include":
        assert set(expected) <= {n["kind"] for n in article["rights"]["notices"]}, article["rights"]
    elif key == "rights.statement_includes":
        assert expected in (article["rights"]["statement"] or ""), article["rights"]
    else:
        assert resolve(article, key) == expected, f"{key}: {resolve(article, key)!r} != {expected!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shared_fixture_case(case: dict[str, Any], tmp_path: Path, feed_server: FeedServer) -> None:
    body = ""
    for feed in case["feeds"]:
        path = DATA / feed
        url = feed_server.serve(f"/{feed}", path.read_bytes(), content_type=CONTENT_TYPES[path.suffix])
        body += f'[[source]]\nname = "{path.stem}"\nurl = "{url}"\n'
    config = write_config(tmp_path, body + '[[output]]\nname = "all"\n')
    result = run_cli("sync", config=config)
    assert result.returncode == 0, result.stderr
    found = articles_json(config)
    assert len(found) == case["articles"], [a["title"] for a in found]
    for key, expected in case["expect"].items():
        check(found[0], key, expected)
