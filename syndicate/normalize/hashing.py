"""A stable hash of the fields of an article (or a copy) that matter downstream."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from syndicate.models import Attribution, Rights


def content_hash(
    title: str, url: str, content_html: str, authors: Sequence[str], rights: Rights, attribution: Attribution
) -> str:
    """``sha256:<hex>`` of (title, url, content_html, authors, rights, attribution) as canonical JSON."""
    payload = {
        "title": title,
        "url": url,
        "content_html": content_html,
        "authors": list(authors),
        "rights": rights.to_json(),
        "attribution": attribution.to_json(),
    }
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()
