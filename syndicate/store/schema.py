"""The database schema, as SQLAlchemy Core tables (SQLite and PostgreSQL alike).

The schema is created and changed only by the migrations in
``syndicate/store/migrations/versions``; this module is the code's view of it
and must match the newest migration (a test checks that).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

TZ = DateTime(timezone=True)

sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("config_url", Text, nullable=False),  # as configured
    Column("url", Text, nullable=False),  # what is fetched now (after permanent redirects)
    Column("moved_from", Text),  # set when a 301/308 changed `url`
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_status", String(20)),  # ok | not-modified | gone | error
    Column("http_status", Integer),
    Column("last_error", Text),
    Column("last_fetch_at", TZ),
    Column("last_success_at", TZ),
    Column("next_due_at", TZ),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("disabled_reason", Text),  # gone (410), suspended after N failures, or disabled by hand
    Column("feed_title", Text),
    Column("feed_link", Text),
    Column("hub_url", Text),
    Column("self_url", Text),
    Column("poll_hint", Float),  # seconds suggested by the feed/server (ttl, max-age, sy:*)
    Column("entries_seen", Integer, nullable=False, default=0),
    # RSS <skipHours>/<skipDays> as the feed last stated them (0003, ops helper): [0..23], ["monday", ...]
    Column("skip_hours", JSON),
    Column("skip_days", JSON),
    Index("ix_sources_due", "next_due_at"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("published", TZ),
    Column("updated", TZ),
    Column("sort_at", TZ, nullable=False),  # published, else first seen: the outputs' order
    Column("authors", JSON, nullable=False),
    Column("summary", Text, nullable=False),
    Column("content_html", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("language", String(35)),
    Column("sources", JSON, nullable=False),  # names of the sources with a copy (for output filters)
    Column("copies", JSON, nullable=False),
    Column("attribution", JSON, nullable=False),
    Column("original_feed", JSON),
    Column("rights", JSON, nullable=False),
    Column("content_hash", String(100), nullable=False),  # "sha256:<hex>" (0004)
    Column("first_seen", TZ, nullable=False),
    Column("changed_at", TZ, nullable=False),  # last time content_hash changed
    Column("deleted_at", TZ),
    Index("ix_articles_sort", "sort_at"),
    Index("ix_articles_changed", "changed_at"),
    Index("ix_articles_deleted", "deleted_at", "sort_at"),
)

# One row per (article, source): the copy as that source carries it, normalized.
copies = Table(
    "copies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(64), nullable=False),
    Column("source", String(200), nullable=False),
    Column("guid", Text),
    Column("url", Text),
    Column("raw_hash", String(64), nullable=False),
    Column("entry", JSON, nullable=False),  # the NormalizedEntry, as plain data
    Column("seen_at", TZ, nullable=False),
    # what ingesting it did: new | updated | unchanged (0006); a task redone after a lost worker
    # finds the copy it already wrote (seen_at after its fetch started) and counts the same
    Column("outcome", String(10)),
    UniqueConstraint("article_id", "source", name="uq_copies_article_source"),
    Index("ix_copies_source_guid", "source", "guid"),
)

# Keys that identify an article: exact ("u:", "g:") and fuzzy candidates ("t:").
article_keys = Table(
    "article_keys",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("article_id", String(64), primary_key=True),
    Index("ix_article_keys_article", "article_id"),
)

targets = Table(
    "targets",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("type", String(50), nullable=False),
    Column("added_at", TZ, nullable=False),  # articles first seen before this are not back-filled
    Column("watermark", TZ),  # newest articles.changed_at the planner has looked at (0002)
    Column("planned_at", TZ),  # last plan for this target (0002)
)

# The crosspost ledger: one row per (article, target).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(64), primary_key=True),  # stable delivery id (idempotency key)
    Column("article_id", String(64), nullable=False),
    Column("target", String(200), nullable=False),
    Column("state", String(20), nullable=False),  # pending|sending|delivered|failed|blocked|held|rejected
    Column("action", String(20), nullable=False, default="create"),  # create|update|delete: what is owed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", TZ),
    Column("last_error", Text),
    Column("reason", Text),  # why blocked/held
    Column("remote_id", Text),
    Column("remote_url", Text),
    Column("remote_meta", JSON),  # target-specific (e.g. Ghost updated_at, Discourse topic id)
    Column("delivered_hash", String(100)),  # content hash of what the target has (0004: wider)
    Column("sending_since", TZ),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("delivered_at", TZ),
    Column("released_at", TZ),  # released by hand from blocked/held/failed: terms are not re-checked (0002)
    Column("sending_hash", String(100)),  # content hash being sent while state = sending (0002, 0004)
    # the process sending it while state = sending, host:pid:start:token (0008, syndicate/ownership.py)
    Column("sending_owner", Text),
    Column("held_at", TZ),  # held by hand (0011): the planner leaves it held until a person releases it
    UniqueConstraint("article_id", "target", name="uq_deliveries_article_target"),
    Index("ix_deliveries_due", "state", "next_attempt_at"),
    Index("ix_deliveries_target", "target", "state"),
)

# Rendered outputs, so `serve` can run stateless from the database (scale-out).
documents = Table(
    "documents",
    metadata,
    Column("path", String(300), primary_key=True),  # e.g. "all.atom"
    Column("body", LargeBinary, nullable=False),
    Column("etag", String(80), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("inputs", String(64)),  # digest of what it was rendered from (0007): unchanged inputs, no render
)

# Leases: the daemon lock and the active scheduler (any host, any database).
leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", Text, nullable=False),  # host:pid:token
    Column("acquired_at", TZ, nullable=False),
    Column("expires_at", TZ, nullable=False),
)

# WebSub subscriptions to sources' hubs.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("hub", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("state", String(20), nullable=False),  # requested|active|unsubscribing|failed
    Column("lease_seconds", Integer),
    Column("expires_at", TZ),
    Column("updated_at", TZ, nullable=False),
    Column("last_error", Text),
)

# Counters for /metrics and `status` (survive restarts; summed across workers).
passes = Table(
    "passes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", TZ, nullable=False),
    Column("finished_at", TZ),
    Column("summary", JSON),
    Index("ix_passes_started", "started_at"),  # (0011)
)

# Every change made by a person (desk or CLI): who, when, what, why (0011).
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TZ, nullable=False),
    Column("actor", String(200), nullable=False),  # desk user name, or "cli:<login>"
    Column("action", String(50), nullable=False),  # release | reject | hold | attribution | source-enable | ...
    Column("subject", Text, nullable=False),  # delivery id, article id or source name
    Column("reason", Text),
    Column("detail", JSON),
    Index("ix_audit_at", "at"),
)

# An editor's correction of an article's attribution (0011), applied over every later merge.
attribution_overrides = Table(
    "attribution_overrides",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("fields", JSON, nullable=False),  # original_author, original_publisher, original_url, license, license_url
    Column("set_by", String(200), nullable=False),
    Column("set_at", TZ, nullable=False),
    Column("reason", Text),
)

__all__ = [
    "article_keys",
    "articles",
    "attribution_overrides",
    "audit",
    "copies",
    "deliveries",
    "documents",
    "leases",
    "metadata",
    "passes",
    "sources",
    "subscriptions",
    "targets",
]
