"""String hygiene at the parse boundary.

Every string that leaves the parse stage goes through :func:`clean`: it drops
characters XML cannot carry (C0 controls other than tab, newline and carriage
return; lone surrogates; U+FFFE/U+FFFF), so that feedgen and lxml never see
them downstream, and caps the length. The other helpers turn feed text
constructs into the two shapes the models use: plain text and HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin

# characters that are not allowed in XML 1.0 documents
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\b[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

DEFAULT_CAP = 65_536  # characters, for short fields (titles, names, URLs)


def clean(value: Any, cap: int = DEFAULT_CAP) -> str | None:
    """``value`` as a valid, capped, stripped string; None for missing or blank values.

    Non-string values (numbers in JSON Feed ids, say) are converted with ``str``.
    """
    if value is None or isinstance(value, (dict, list, tuple, bool)):
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text) > cap:
        text = text[:cap]
    text = _INVALID_CHARS.sub("", text).strip()
    return text or None


def is_truncated(value: Any, cap: int) -> bool:
    return isinstance(value, str) and len(value) > cap


def html_to_text(markup: str) -> str:
    """Plain text of a small HTML fragment (a title, a rights line): tags dropped, entities decoded."""
    text = _BLOCK_TAG.sub("\n", markup)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def text_to_html(text: str) -> str:
    """Plain text as HTML: paragraphs on blank lines, ``<br>`` on single newlines, all escaped."""
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs)


def join_url(base: str, href: str) -> str:
    """``href`` resolved against ``base``; a URL that cannot be parsed is returned unchanged."""
    try:
        return urljoin(base, href)
    except ValueError:  # e.g. a malformed IPv6 host
        return href
