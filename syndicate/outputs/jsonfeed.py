"""JSON Feed 1.1 documents (https://www.jsonfeed.org/version/1.1/), serialized with :mod:`json`.

Each item's ``url`` is the article's canonical URL (the original's);
``external_url`` is the republisher's copy the article came through, when it
came through one. Attribution, rights and copies travel in an ``_syndicate``
extension object using the article JSON shapes of INTERFACE.md. Withdrawn
articles are listed at feed level in ``_syndicate.deleted``.
"""

from __future__ import annotations

import json
from typing import Any

from syndicate.models import rfc3339
from syndicate.outputs.facts import GENERATOR, EntryFacts, FeedFacts
from syndicate.outputs.text import clean

VERSION = "https://jsonfeed.org/version/1.1"


def render_json(facts: FeedFacts) -> bytes:
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": facts.title,
        "home_page_url": facts.site_url,
        "feed_url": facts.self_url,
    }
    if facts.subtitle:
        feed["description"] = facts.subtitle
    if facts.icon:
        feed["icon"] = facts.icon
    if facts.archive is not None and facts.archive.prev_archive:
        feed["next_url"] = facts.archive.prev_archive  # older items
    if facts.needs_author:
        feed["authors"] = [{"name": facts.curator}]
    if facts.language:
        feed["language"] = facts.language
    if facts.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in facts.hubs]
    extension: dict[str, Any] = {"generator": GENERATOR, "updated": rfc3339(facts.updated)}
    if facts.archive is not None:
        extension["archive"] = {
            "is_archive": facts.archive.is_archive,
            "current": facts.archive.current,
            "prev_archive": facts.archive.prev_archive,
            "next_archive": facts.archive.next_archive,
        }
    if facts.tombstones:
        extension["deleted"] = [
            {"id": t.ref, "when": rfc3339(t.when), "comment": t.comment} for t in facts.tombstones
        ]
    feed["_syndicate"] = extension
    feed["items"] = [_item(entry) for entry in facts.entries]
    text = json.dumps(feed, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def _item(entry: EntryFacts) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id}
    if entry.url:
        item["url"] = entry.url
    if entry.via_url:
        item["external_url"] = entry.via_url
    item["title"] = entry.title
    item["content_html"] = entry.content_html
    if entry.summary:
        item["summary"] = entry.summary
    if entry.published:
        item["date_published"] = rfc3339(entry.published)
    item["date_modified"] = rfc3339(entry.updated)
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.language:
        item["language"] = entry.language
    article = entry.article
    item["_syndicate"] = _clean_json(
        {
            "attribution": article.attribution.to_json(),
            "rights": article.rights.to_json(),
            "rights_line": entry.rights_line,
            "copies": [{"source": c.source, "url": c.url, "guid": c.guid} for c in article.copies],
        }
    )
    if not entry.full_text:
        item["_syndicate"]["full_text"] = False  # an excerpt: the terms forbid republishing it whole
    return item


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    return value
