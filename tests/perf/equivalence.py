"""Comparing the fast parse path with the feedparser adapter, field by field.

Every field of ParsedFeed / ParsedEntry the pipeline uses is compared exactly, except
the two HTML fields and the hash derived from them, by documented decision:

* ``summary_html`` / ``content_html``: feedparser re-serializes HTML (attributes sorted,
  its own quoting and self-closing style, odd attribute names repaired); the fast path
  keeps the markup as written. The pipeline only ever uses these fields through
  :func:`syndicate.normalize.sanitize.sanitize`, so they are compared as what the
  pipeline sees: sanitized, then as canonical trees (lxml.html, attributes sorted,
  whitespace runs collapsed). Any difference in text, structure, kept attributes or
  resolved URLs still fails.
* ``raw_hash``: a hash of the parsed fields, so it follows the HTML bytes. A feed stays on
  one path from pass to pass; switching paths re-normalizes its entries once, harmlessly.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import lxml.html
from lxml import etree

from syndicate.models import ParsedEntry, ParsedFeed
from syndicate.normalize.sanitize import sanitize

HTML_FIELDS = ("summary_html", "content_html")
SKIPPED = ("raw_hash", "entries", "warnings")


def canonical_html(markup: str | None) -> Any:
    if markup is None:
        return None
    markup = sanitize(markup)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return ("unparsable", markup)
    return _canonical(root)


def _canonical(el: Any) -> Any:
    if not isinstance(el.tag, str):
        return None
    children = [c for c in (_canonical(child) for child in el) if c is not None]
    text = " ".join((el.text or "").split())
    tails = [" ".join((child.tail or "").split()) for child in el]
    return (el.tag, tuple(sorted(el.attrib.items())), text, tuple(children), tuple(tails))


def entry_differences(slow: ParsedEntry, fast: ParsedEntry) -> list[str]:
    out = []
    for f in dataclasses.fields(ParsedEntry):
        if f.name in SKIPPED:
            continue
        a, b = getattr(slow, f.name), getattr(fast, f.name)
        if f.name in HTML_FIELDS:
            if canonical_html(a) != canonical_html(b):
                out.append(f"{f.name}: {str(a)[:160]!r} != {str(b)[:160]!r}")
        elif a != b:
            out.append(f"{f.name}: {a!r} != {b!r}")
    return out


def feed_differences(slow: ParsedFeed, fast: ParsedFeed) -> list[str]:
    out = []
    for f in dataclasses.fields(ParsedFeed):
        if f.name in SKIPPED:
            continue
        a, b = getattr(slow, f.name), getattr(fast, f.name)
        if a != b:
            out.append(f"feed.{f.name}: {a!r} != {b!r}")
    if slow.warnings and not fast.warnings:
        out.append(f"feed.warnings: {slow.warnings!r} (fast path should have declined)")
    if len(slow.entries) != len(fast.entries):
        out.append(f"entries: {len(slow.entries)} != {len(fast.entries)}")
        return out
    for i, (a, b) in enumerate(zip(slow.entries, fast.entries, strict=True)):
        out.extend(f"entry[{i}].{d}" for d in entry_differences(a, b))
    return out
