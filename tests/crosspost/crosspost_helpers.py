"""Helpers shared by the crosspost and target tests: articles in a real SQLite ledger, configurations."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from syndicate.config import Config, config_from_dict
from syndicate.crosspost import ledger
from syndicate.models import Article, Attribution, Copy, Republisher, Rights
from syndicate.store.codec import article_to_row
from syndicate.store.db import open_engine
from syndicate.store.schema import articles, deliveries

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CC_BY = Rights(
    holder="Original Outlet",
    statement="Copyright © 2026 Jane Writer, Original Outlet",
    license="CC-BY-4.0",
    license_url="https://creativecommons.org/licenses/by/4.0/",
    conditions=("attribution",),
)


def new_engine(tmp_path: Path) -> Engine:
    return open_engine(f"sqlite:///{tmp_path / 'ledger.db'}")


def content_hash(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def make_article(
    article_id: str | None = None,
    *,
    title: str | None = None,
    source: str = "outlet",
    rights: Rights = CC_BY,
    content_html: str = "<p>First paragraph of the article.</p><p>Second <em>paragraph</em>.</p>",
    tags: tuple[str, ...] = ("Science",),
    published: datetime | None = T0,
    summary: str = "A short summary of the article.",
) -> Article:
    article_id = article_id or uuid.uuid4().hex[:16]
    title = title or f"Test article {uuid.uuid4().hex[:10]} about syndication"
    url = f"https://original.example/{article_id}"
    return Article(
        id=article_id,
        title=title,
        url=url,
        published=published,
        updated=None,
        authors=("Jane Writer",),
        summary=summary,
        content_html=content_html,
        tags=tags,
        language="en",
        copies=(Copy(source=source, url=f"https://republisher.example/{article_id}", guid=article_id),),
        attribution=Attribution(
            original_publisher="Original Outlet",
            original_author="Jane Writer",
            original_url=url,
            republishers=(Republisher("Republisher", f"https://republisher.example/{article_id}"),),
        ),
        rights=rights,
        content_hash=content_hash(title, content_html),
    )


def store_article(
    engine: Engine, article: Article, *, first_seen: datetime, changed_at: datetime | None = None
) -> Article:
    row = article_to_row(article)
    row["sort_at"] = article.published or first_seen
    with engine.begin() as conn:
        conn.execute(insert(articles).values(**row, first_seen=first_seen, changed_at=changed_at or first_seen))
    return replace(article, first_seen=first_seen)


def edit_article(engine: Engine, article: Article, *, content_html: str, at: datetime) -> Article:
    edited = replace(article, content_html=content_html, content_hash=content_hash(article.title, content_html))
    with engine.begin() as conn:
        conn.execute(
            update(articles)
            .where(articles.c.id == article.id)
            .values(content_html=content_html, content_hash=edited.content_hash, changed_at=at)
        )
    return edited


def withdraw_article(engine: Engine, article: Article, *, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(articles).where(articles.c.id == article.id).values(deleted_at=at, changed_at=at))


def make_config(
    tmp_path: Path,
    targets: list[dict[str, Any]],
    sources: list[dict[str, Any]] | None = None,
    **settings: Any,
) -> Config:
    raw: dict[str, Any] = {
        "syndicate": {"database": f"sqlite:///{tmp_path / 'ledger.db'}", **settings},
        "source": sources if sources is not None else [{"name": "outlet", "url": "https://outlet.example/feed"}],
        "target": targets,
    }
    return config_from_dict(raw, tmp_path / "syndicate.toml")


def row_for(engine: Engine, article_id: str, target: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.id == ledger.delivery_id(article_id, target))).first()
    assert row is not None, f"no ledger row for {article_id} on {target}"
    return dict(row._mapping)


def set_row(engine: Engine, article_id: str, target: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(deliveries).where(deliveries.c.id == ledger.delivery_id(article_id, target)).values(**values)
        )


def all_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(deliveries).order_by(deliveries.c.id))]


def later(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)
