"""JSON Feed 1.1 output: checked against a JSON Schema written from the spec, and its contents."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article
from syndicate.outputs import ArchiveLinks, render_feed
from tests.outputs.conftest import expected_content


def test_valid_against_jsonfeed_schema(documents: dict[str, bytes], jsonfeed_schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(jsonfeed_schema)
    jsonschema.validate(
        json.loads(documents["json"]), jsonfeed_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_schema_refuses_a_broken_feed(documents: dict[str, bytes], jsonfeed_schema: dict[str, Any]) -> None:
    feed = json.loads(documents["json"])
    del feed["items"][0]["id"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(feed, jsonfeed_schema)


def test_feed_fields(documents: dict[str, bytes]) -> None:
    feed = json.loads(documents["json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "All syndicated articles"
    assert feed["home_page_url"] == "https://www.example.org/"
    assert feed["feed_url"] == "https://feeds.example.org/all.json"
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]
    assert feed["authors"] == [{"name": "All syndicated articles"}]  # one article names nobody
    assert feed["_syndicate"]["deleted"] == [
        {
            "id": "urn:syndicate:article:withdrawn-1",
            "when": "2024-05-03T00:00:00Z",
            "comment": "Withdrawn at the source.",
        }
    ]


def test_items_match_expectations(
    documents: dict[str, bytes], expected: dict[str, Any], articles: list[Article]
) -> None:
    items = json.loads(documents["json"])["items"]
    assert len(items) == len(expected["entries"])
    for item, want, article in zip(items, expected["entries"], articles, strict=True):
        assert item["id"] == want["id"]
        assert item["title"] == want["title"]
        assert item["url"] == want["link"]
        assert item.get("external_url") == want["via"]  # the republisher's copy it came through
        assert [a["name"] for a in item.get("authors", [])] == want["authors"]
        assert item.get("tags", []) == want["tags"]
        assert item.get("date_published") == want["published"]
        assert item["date_modified"] == want["updated"]
        assert item["content_html"] == expected_content(article)
        extension = item["_syndicate"]
        assert extension["attribution"] == article.attribution.to_json()
        assert extension["rights"] == article.rights.to_json()
        assert extension["rights_line"] == want["rights"]
        assert extension["copies"] == article.to_json()["copies"]


def test_deterministic_and_archive_next_url(
    output: OutputConfig, articles: list[Article], settings: Settings, documents: dict[str, bytes], tombstone: Article
) -> None:
    assert render_feed(output, "json", articles, settings=settings, tombstones=[tombstone]) == documents["json"]
    feed = json.loads(
        render_feed(
            output,
            "json",
            articles,
            settings=settings,
            archive=ArchiveLinks(prev_archive="https://feeds.example.org/all-archive-1.json"),
        )
    )
    assert feed["next_url"] == "https://feeds.example.org/all-archive-1.json"
    assert feed["_syndicate"]["archive"]["is_archive"] is False
