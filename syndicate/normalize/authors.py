"""Author names: no e-mail addresses, no "By " prefixes, several authors split.

``"By Jane Doe and John Roe"`` → ``("Jane Doe", "John Roe")``;
``"jane@example.com (Jane Doe)"`` → ``("Jane Doe",)``; ``"Doe, Jane"`` stays one name
(a comma splits only a list: three names, or two names of two words or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from syndicate.normalize.text import clean_line

# prefixes people put in front of a name (matched case-insensitively, at the start)
BYLINE_PREFIXES: tuple[str, ...] = (
    "articles by",
    "authored by",
    "by",
    "posted by",
    "reported by",
    "story by",
    "submitted by",
    "text by",
    "words by",
    "written by",
)
_PREFIX = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in sorted(BYLINE_PREFIXES, key=len, reverse=True)) + r")\s*:?\s+",
    re.I,
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_WITH_NAME = re.compile(r"^\s*<?([\w.+'-]+@[\w-]+(?:\.[\w-]+)+)>?\s*\((.+)\)\s*$")
_NAME_WITH_EMAIL = re.compile(r"^\s*(.+?)\s*[<(]\s*[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\s*[>)]\s*$")
_AND = re.compile(r"\s*(?:\band\b|&)\s*", re.I)
_SEMI = re.compile(r"\s*;\s*|\s*\|\s*|\s*/\s*")
_MAX_NAME = 120


def clean_name(raw: str | None) -> str | None:
    """One name, tidied; None when nothing usable remains (an e-mail address alone, say)."""
    text = clean_line(raw)
    if not text:
        return None
    match = _EMAIL_WITH_NAME.match(text)
    if match:
        text = match.group(2)
    else:
        match = _NAME_WITH_EMAIL.match(text)
        if match:
            text = match.group(1)
    text = _PREFIX.sub("", text).strip()
    text = _EMAIL.sub("", text).strip(" ,;:|-–—()<>\"'")
    if not text or not any(ch.isalpha() for ch in text) or len(text) > _MAX_NAME:
        return None
    if text.lower().rstrip(":") in BYLINE_PREFIXES:  # a bare "By"
        return None
    return text


def split_names(raw: str | None) -> list[str]:
    """Every author named in ``raw`` (``"A and B"``, ``"A, B & C"``, ``"A; B"``)."""
    text = clean_line(raw)
    if not text:
        return []
    match = _EMAIL_WITH_NAME.match(text)
    if match:
        text = match.group(2)
    text = _PREFIX.sub("", text)
    parts: list[str] = []
    for chunk in _SEMI.split(text):
        pieces = [p for p in _AND.split(chunk) if p.strip()]
        has_conjunction = len(pieces) > 1
        expanded: list[str] = []
        for piece in pieces:
            commas = [c for c in piece.split(",") if c.strip()]
            if len(commas) > 1 and (
                has_conjunction or len(commas) > 2 or all(len(c.split()) >= 2 for c in commas)
            ):
                expanded.extend(commas)
            else:
                expanded.append(piece)
        parts.extend(expanded)
    names = [clean_name(part) for part in parts]
    return unique(name for name in names if name)


def unique(names: Iterable[str]) -> list[str]:
    """``names`` without case-insensitive duplicates, first spelling and order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def normalize_authors(raw_names: Iterable[str | None]) -> tuple[str, ...]:
    names: list[str] = []
    for raw in raw_names:
        names.extend(split_names(raw))
    return tuple(unique(names))
