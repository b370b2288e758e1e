"""RFC 8288 ``Link:`` response headers (WebSub discovery: rel="hub", rel="self")."""

from __future__ import annotations

import re

from syndicate.parse.text import join_url

_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r"""\s*;\s*([A-Za-z*-]+)\s*=\s*(?:"([^"]*)"|([^\s;,]+))""")


def parse_link_header(value: str, base: str) -> list[tuple[str, str]]:
    """(rel, absolute href) pairs, one per relation type, in header order."""
    out: list[tuple[str, str]] = []
    for match in _LINK_VALUE.finditer(value or ""):
        href = match.group(1).strip()
        for param in _PARAM.finditer(match.group(2)):
            if param.group(1).lower() != "rel":
                continue
            rels = (param.group(2) if param.group(2) is not None else param.group(3)) or ""
            for rel in rels.split():
                out.append((rel.lower(), join_url(base, href)))
    return out
