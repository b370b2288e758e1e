"""Our dataclasses to and from the plain JSON the database stores."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

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


def dt_to_json(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def dt_from_json(value: str | None) -> datetime | None:
    if not value:
        return None
    return aware(datetime.fromisoformat(value))


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they are UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# -- rights / attribution ------------------------------------------------------


def rights_from_json(data: Mapping[str, Any] | None) -> Rights:
    data = data or {}
    return Rights(
        holder=data.get("holder"),
        statement=data.get("statement"),
        license=data.get("license"),
        license_url=data.get("license_url"),
        conditions=tuple(data.get("conditions") or ()),
        notices=tuple(Notice(kind=n["kind"], text=n["text"]) for n in data.get("notices") or ()),
    )


def raw_rights_to_json(value: RawRights) -> dict[str, Any]:
    return {
        "statement": value.statement,
        "license_urls": list(value.license_urls),
        "publisher": value.publisher,
        "creators": list(value.creators),
        "media_copyright": value.media_copyright,
        "media_credits": list(value.media_credits),
        "dc_source": value.dc_source,
    }


def raw_rights_from_json(data: Mapping[str, Any] | None) -> RawRights:
    data = data or {}
    return RawRights(
        statement=data.get("statement"),
        license_urls=tuple(data.get("license_urls") or ()),
        publisher=data.get("publisher"),
        creators=tuple(data.get("creators") or ()),
        media_copyright=data.get("media_copyright"),
        media_credits=tuple(data.get("media_credits") or ()),
        dc_source=data.get("dc_source"),
    )


def feed_info_to_json(value: SourceFeedInfo | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "title": value.title,
        "id": value.id,
        "url": value.url,
        "link": value.link,
        "updated": dt_to_json(value.updated),
        "rights": raw_rights_to_json(value.rights),
        "authors": [{"name": p.name, "url": p.url, "email": p.email} for p in value.authors],
    }


def feed_info_from_json(data: Mapping[str, Any] | None) -> SourceFeedInfo | None:
    if not data:
        return None
    return SourceFeedInfo(
        title=data.get("title"),
        id=data.get("id"),
        url=data.get("url"),
        link=data.get("link"),
        updated=dt_from_json(data.get("updated")),
        rights=raw_rights_from_json(data.get("rights")),
        authors=tuple(
            Person(name=p["name"], url=p.get("url"), email=p.get("email")) for p in data.get("authors") or ()
        ),
    )


def attribution_from_json(
    data: Mapping[str, Any] | None, original_feed: Mapping[str, Any] | None = None
) -> Attribution:
    data = data or {}
    return Attribution(
        original_publisher=data.get("original_publisher"),
        original_author=data.get("original_author"),
        original_url=data.get("original_url"),
        republishers=tuple(Republisher(name=r["name"], url=r.get("url")) for r in data.get("republishers") or ()),
        original_feed=feed_info_from_json(original_feed),
        evidence=tuple(Evidence.from_json(dict(e)) for e in data.get("evidence") or () if isinstance(e, Mapping)),
    )


def attribution_to_json(value: Attribution) -> dict[str, Any]:
    """The attribution as stored: its JSON and the evidence behind it."""
    return {**value.to_json(), "evidence": [e.to_json() for e in value.evidence]}


# -- normalized entries (copies) -------------------------------------------------


def entry_to_json(entry: NormalizedEntry) -> dict[str, Any]:
    return {
        "source": entry.source,
        "guid": entry.guid,
        "copy_url": entry.copy_url,
        "url": entry.url,
        "title": entry.title,
        "published": dt_to_json(entry.published),
        "updated": dt_to_json(entry.updated),
        "authors": list(entry.authors),
        "summary": entry.summary,
        "content_html": entry.content_html,
        "tags": list(entry.tags),
        "language": entry.language,
        "attribution": attribution_to_json(entry.attribution),
        "original_feed": feed_info_to_json(entry.attribution.original_feed),
        "rights": entry.rights.to_json(),
        "raw_hash": entry.raw_hash,
        "content_hash": entry.content_hash,
        "is_original": entry.is_original,
        "rights_configured": entry.rights_configured,
    }


def entry_from_json(data: Mapping[str, Any]) -> NormalizedEntry:
    return NormalizedEntry(
        source=data["source"],
        guid=data.get("guid"),
        copy_url=data.get("copy_url"),
        url=data["url"],
        title=data["title"],
        published=dt_from_json(data.get("published")),
        updated=dt_from_json(data.get("updated")),
        authors=tuple(data.get("authors") or ()),
        summary=data.get("summary") or "",
        content_html=data.get("content_html") or "",
        tags=tuple(data.get("tags") or ()),
        language=data.get("language"),
        attribution=attribution_from_json(data.get("attribution"), data.get("original_feed")),
        rights=rights_from_json(data.get("rights")),
        raw_hash=data.get("raw_hash") or "",
        content_hash=data.get("content_hash") or "",
        is_original=bool(data.get("is_original")),
        rights_configured=bool(data.get("rights_configured")),
    )


# -- articles ----------------------------------------------------------------------


def article_to_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "published": article.published,
        "updated": article.updated,
        "authors": list(article.authors),
        "summary": article.summary,
        "content_html": article.content_html,
        "tags": list(article.tags),
        "language": article.language,
        "sources": sorted({c.source for c in article.copies}),
        "copies": [{"source": c.source, "url": c.url, "guid": c.guid} for c in article.copies],
        "attribution": attribution_to_json(article.attribution),
        "original_feed": feed_info_to_json(article.attribution.original_feed),
        "rights": article.rights.to_json(),
        "content_hash": article.content_hash,
        "deleted_at": article.deleted_at,
    }


def row_to_article(row: Mapping[str, Any] | Any) -> Article:
    """An ``articles`` table row (``row._mapping``) as an Article."""
    return Article(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        published=aware(row["published"]),
        updated=aware(row["updated"]),
        authors=tuple(row["authors"] or ()),
        summary=row["summary"] or "",
        content_html=row["content_html"] or "",
        tags=tuple(row["tags"] or ()),
        language=row["language"],
        copies=tuple(Copy(source=c["source"], url=c.get("url"), guid=c.get("guid")) for c in row["copies"] or ()),
        attribution=attribution_from_json(row["attribution"], row.get("original_feed")),
        rights=rights_from_json(row["rights"]),
        content_hash=row["content_hash"],
        first_seen=aware(row.get("first_seen")),
        deleted_at=aware(row.get("deleted_at")),
    )
