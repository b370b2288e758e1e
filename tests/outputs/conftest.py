"""Shared fixtures for the outputs tests: sample articles (tests/data/outputs), the
RFC 4287 RELAX NG schema, the JSON Feed 1.1 JSON Schema, and rendered documents."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
import rnc2rng
from lxml import etree

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article, Attribution, Copy, Notice, RawRights, Republisher, Rights, SourceFeedInfo
from syndicate.outputs import render_feed

DATA = Path(__file__).resolve().parents[1] / "data" / "outputs"
BASE_URL = "https://feeds.example.org/"
HUB = "https://hub.example.org/"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def article_from_json(data: dict[str, Any]) -> Article:
    """An Article from the article JSON of INTERFACE.md (plus ``attribution.original_feed``)."""
    attribution = data["attribution"]
    feed = attribution.get("original_feed")
    original_feed = None
    if feed:
        original_feed = SourceFeedInfo(
            title=feed["title"],
            id=feed["id"],
            url=feed["url"],
            link=feed["link"],
            updated=_date(feed["updated"]),
            rights=RawRights(statement=feed.get("rights_statement"), license_urls=tuple(feed.get("license_urls", ()))),
        )
    rights = data["rights"]
    return Article(
        id=data["id"],
        title=data["title"],
        url=data["url"],
        published=_date(data["published"]),
        updated=_date(data["updated"]),
        authors=tuple(data["authors"]),
        summary=data["summary"],
        content_html=data["content_html"],
        tags=tuple(data["tags"]),
        language=data["language"],
        copies=tuple(Copy(c["source"], c["url"], c["guid"]) for c in data["copies"]),
        attribution=Attribution(
            original_publisher=attribution["original_publisher"],
            original_author=attribution["original_author"],
            original_url=attribution["original_url"],
            republishers=tuple(Republisher(r["name"], r["url"]) for r in attribution["republishers"]),
            original_feed=original_feed,
        ),
        rights=Rights(
            holder=rights["holder"],
            statement=rights["statement"],
            license=rights["license"],
            license_url=rights["license_url"],
            conditions=tuple(rights["conditions"]),
            notices=tuple(Notice(n["kind"], n["text"]) for n in rights["notices"]),
        ),
        content_hash="sha256:" + data["id"],
        first_seen=_date(data.get("first_seen")),
    )


# The fixture article whose terms forbid republication (all rights reserved, permission required):
# with the default full_text = "allowed" every output carries its excerpt and a link, not its body.
# (summary, content_html): its one-sentence body cut in half, and a link to the original.
EXCERPTED: dict[str, tuple[str, str]] = {
    "ap-storm-0501": (
        "Roads…",
        '<p>Roads…</p>\n<p><a href="https://apnews.example/article/storm-coast-0501">'
        "Read the full article at The Associated Press</a></p>",
    ),
}


def expected_content(article: Article) -> str:
    """The content_html an output with the default full_text carries for a fixture article."""
    return EXCERPTED[article.id][1] if article.id in EXCERPTED else article.content_html


def expected_summary(article: Article) -> str:
    return EXCERPTED[article.id][0] if article.id in EXCERPTED else article.summary


def make_article(article_id: str, **changes: Any) -> Article:
    """A plain article; keyword arguments replace fields."""
    fields: dict[str, Any] = {
        "id": article_id,
        "title": f"Title {article_id}",
        "url": f"https://news.example/{article_id}",
        "published": datetime(2024, 1, 1, tzinfo=UTC),
        "updated": None,
        "authors": ("Author",),
        "summary": "Summary.",
        "content_html": "<p>Body</p>",
        "tags": (),
        "language": None,
        "copies": (),
        "attribution": Attribution(),
        "rights": Rights(),
        "content_hash": "h",
    }
    fields.update(changes)
    return Article(**fields)


@pytest.fixture(scope="session")
def articles() -> list[Article]:
    return [article_from_json(d) for d in json.loads((DATA / "articles.json").read_text(encoding="utf-8"))]


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tombstone() -> Article:
    return make_article("withdrawn-1", deleted_at=datetime(2024, 5, 3, tzinfo=UTC))


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(base_url=BASE_URL, hubs=[HUB])


@pytest.fixture(scope="session")
def output() -> OutputConfig:
    return OutputConfig(
        name="all",
        title="All syndicated articles",
        subtitle="Everything we carry",
        link="https://www.example.org/",
        icon="https://www.example.org/icon.png",
    )


@pytest.fixture(scope="session")
def documents(
    output: OutputConfig, articles: list[Article], settings: Settings, tombstone: Article
) -> dict[str, bytes]:
    formats: tuple[Literal["atom", "rss", "json"], ...] = ("atom", "rss", "json")
    return {fmt: render_feed(output, fmt, articles, settings=settings, tombstones=[tombstone]) for fmt in formats}


@pytest.fixture(scope="session")
def atom_schema() -> etree.RelaxNG:
    """RFC 4287 Appendix B, converted from RNC with rnc2rng and compiled by lxml."""
    with (DATA / "atom.rnc").open(encoding="utf-8") as handle:
        rng = rnc2rng.dumps(rnc2rng.load(handle))
    # rnc2rng declares the unused prefix of `namespace local = ""`, which XML 1.0 forbids
    rng = rng.replace(' xmlns:local=""', "").replace('\n         xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode("utf-8")))


@pytest.fixture(scope="session")
def jsonfeed_schema() -> dict[str, Any]:
    return json.loads((DATA / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))


ATOM = "{http://www.w3.org/2005/Atom}"


def atom_problems(data: bytes, schema: etree.RelaxNG) -> list[str]:
    """Everything wrong with an Atom document: RELAX NG errors plus RFC 4287's Schematron rules
    and feed-validator checks (RFC 3339 dates, unique ids)."""
    root = etree.fromstring(data)
    problems = [str(e) for e in schema.error_log] if not schema.validate(root) else []
    entries = root.findall(f"{ATOM}entry")
    if root.find(f"{ATOM}author") is None:
        problems += [
            f"entry {i} has no author and the feed has none"
            for i, e in enumerate(entries)
            if e.find(f"{ATOM}author") is None
        ]
    for i, entry in enumerate(entries):
        alternates = [ln for ln in entry.findall(f"{ATOM}link") if ln.get("rel", "alternate") == "alternate"]
        if entry.find(f"{ATOM}content") is None and not alternates:
            problems.append(f"entry {i} has neither content nor an alternate link")
        if len(alternates) > 1:
            problems.append(f"entry {i} has {len(alternates)} alternate links")
    for element in root.iter(f"{ATOM}updated", f"{ATOM}published"):
        if not RFC3339.match(element.text or ""):
            problems.append(f"not an RFC 3339 date: {element.text!r}")
    for element in root.iter("{http://purl.org/atompub/tombstones/1.0}deleted-entry"):
        if not RFC3339.match(element.get("when", "")):
            problems.append(f"not an RFC 3339 tombstone date: {element.get('when')!r}")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    if len(set(ids)) != len(ids):
        problems.append("duplicate entry ids")
    return problems


@pytest.fixture(scope="session")
def check_atom(atom_schema: etree.RelaxNG) -> Callable[[bytes], list[str]]:
    return lambda data: atom_problems(data, atom_schema)


@pytest.fixture(scope="session")
def new_article() -> Callable[..., Article]:
    return make_article
