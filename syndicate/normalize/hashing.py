"""A stable hash of the fields of an article (or a copy) that matter downstream."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from syndicate.jsontext import canonical
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
    return "sha256:" + hashlib.sha256(canonical(payload)).hexdigest()
