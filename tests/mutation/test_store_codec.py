"""Our dataclasses to and from the JSON the database stores (``syndicate/store/codec.py``): every
field of an entry and of an article, each with a value of its own, through a real SQLite file and
back; empty and missing values read as the defaults (docs/mutation-report.md, issue #21)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine, insert, select

from syndicate import jsontext
from syndicate.models import (
    Article,
    Attribution,
    Copy,
    Evidence,
    NormalizedEntry,
    Notice,
    Person,
    RawRights,
    Republisher,
    Rights,
    SourceFeedInfo,
)
from syndicate.store import codec
from syndicate.store.schema import articles

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RIGHTS = Rights(holder="Holder Inc", statement="© 2026 Holder", license="CC-BY-SA-4.0",
                license_url="https://creativecommons.org/licenses/by-sa/4.0/",
                conditions=("attribution", "share-alike"),
                notices=(Notice(kind="origin", text="First published by Holder"), Notice(kind="credit", text="Photo")))
FEED = SourceFeedInfo(
    title="Original feed", id="urn:feed:1", url="https://orig.example/feed.xml", link="https://orig.example/",
    updated=datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
    rights=RawRights(statement="feed rights", license_urls=("https://l.example/1", "https://l.example/2"),
                     publisher="Orig Publisher", creators=("Cree", "Ator"), media_copyright="media ©",
                     media_credits=("credit one", "credit two"), dc_source="https://dc.example/"),
    authors=(Person(name="Ann", url="https://ann.example/", email="ann@example.org"), Person(name="Bob")),
)
ATTRIBUTION = Attribution(
    original_publisher="Orig Publisher", original_author="Ann", original_url="https://orig.example/story",
    republishers=(Republisher("Wire", "https://wire.example/"), Republisher("Paper")),
    original_feed=FEED,
    evidence=(Evidence("original_publisher", "Orig Publisher", "en.origin.first", "en", "First published by", "tail"),
              Evidence("notice", None, "feed.rights", "", "", "feed")),
)
ENTRY = NormalizedEntry(
    source="wire", guid="guid-1", copy_url="https://wire.example/c/1", url="https://orig.example/story",
    title="The title", published=T0, updated=T0 + timedelta(hours=2), authors=("Ann", "Bob"),
    summary="The summary.", content_html="<p>Body</p>", tags=("Science", "Sea"), language="en-GB",
    attribution=ATTRIBUTION, rights=RIGHTS, raw_hash="raw-1", content_hash="sha256:c1",
    is_original=True, rights_configured=True,
)


def test_an_entry_survives_the_json_column_field_by_field() -> None:
    data = jsontext.loads(jsontext.dumps(codec.entry_to_json(ENTRY)))
    assert data["published"] == "2026-11-24T12:00:00+00:00" and data["rights_configured"] is True
    assert data["original_feed"]["rights"]["license_urls"] == ["https://l.example/1", "https://l.example/2"]
    assert data["attribution"]["evidence"][0] == {
        "fact": "original_publisher", "value": "Orig Publisher", "recognizer": "en.origin.first", "lang": "en",
        "text": "First published by", "where": "tail"}
    assert codec.entry_from_json(data) == ENTRY


def test_a_bare_entry_reads_as_the_defaults() -> None:
    bare = {"source": "s", "url": "https://u.example/", "title": "T", "summary": None, "content_html": None,
            "authors": None, "tags": None, "raw_hash": None, "content_hash": None, "attribution": None,
            "rights": None, "published": "", "original_feed": {}}
    assert codec.entry_from_json(bare) == NormalizedEntry(
        source="s", guid=None, copy_url=None, url="https://u.example/", title="T", published=None, updated=None,
        authors=(), summary="", content_html="", tags=(), language=None, attribution=Attribution(),
        rights=Rights(), raw_hash="", content_hash="", is_original=False, rights_configured=False)
    assert codec.rights_from_json(None) == Rights() and codec.raw_rights_from_json(None) == RawRights()
    assert codec.feed_info_to_json(None) is None and codec.feed_info_from_json(None) is None
    assert codec.attribution_from_json({"evidence": ["not a mapping", {"fact": "f"}]}).evidence == (
        Evidence("f", None, "", "", "", ""),)
    minimal = codec.feed_info_from_json({"authors": [{"name": "Solo"}]})
    assert minimal == SourceFeedInfo(authors=(Person(name="Solo"),))


def test_an_article_survives_its_row_in_a_real_database(engine: Engine) -> None:
    article = Article(
        id="a1", title="The title", url="https://orig.example/story", published=T0, updated=T0 + timedelta(hours=1),
        authors=("Ann", "Bob"), summary="Sum.", content_html="<p>B</p>", tags=("Sea", "Science"), language="en",
        copies=(Copy("wire", "https://wire.example/c/1", "g1"), Copy("agg", None, None),
                Copy("wire", "https://wire.example/c/2", "g2")),
        attribution=ATTRIBUTION, rights=RIGHTS, content_hash="sha256:c1",
        deleted_at=T0 + timedelta(days=1),
    )
    row = codec.article_to_row(article)
    assert row["sources"] == ["agg", "wire"]  # each source once, sorted
    assert row["copies"][1] == {"source": "agg", "url": None, "guid": None}
    with engine.begin() as conn:
        conn.execute(insert(articles).values(**row, sort_at=T0, first_seen=T0 - timedelta(hours=3), changed_at=T0))
    with engine.connect() as conn:
        stored = conn.execute(select(articles)).one()._mapping
    back = codec.row_to_article(stored)
    assert back.published is not None and back.published.tzinfo is not None  # SQLite's naive UTC made aware
    assert back == dataclasses.replace(article, first_seen=T0 - timedelta(hours=3))


def test_a_row_with_empty_columns_reads_as_the_defaults() -> None:
    row = {"id": "a", "title": "T", "url": "u", "published": None, "updated": None, "authors": None,
           "summary": None, "content_html": None, "tags": None, "language": None, "copies": None,
           "attribution": None, "rights": None, "content_hash": "h"}
    assert codec.row_to_article(row) == Article(
        id="a", title="T", url="u", published=None, updated=None, authors=(), summary="", content_html="",
        tags=(), language=None, copies=(), attribution=Attribution(), rights=Rights(), content_hash="h")


def test_datetimes_are_utc_whatever_they_came_as() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert codec.aware(datetime(2026, 1, 1, 14, 0, tzinfo=plus_two)) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert codec.aware(datetime(2026, 1, 1, 14, 0, tzinfo=plus_two)).tzinfo is UTC  # type: ignore[union-attr]
    assert codec.aware(datetime(2026, 1, 1, 14, 0)) == datetime(2026, 1, 1, 14, 0, tzinfo=UTC)
    assert codec.aware(None) is None
    assert codec.dt_from_json("2026-01-01T14:00:00+02:00") == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert codec.dt_from_json(None) is None and codec.dt_to_json(None) is None
    assert codec.dt_to_json(datetime(2026, 1, 1, 14, 0, tzinfo=plus_two)) == "2026-01-01T14:00:00+02:00"
