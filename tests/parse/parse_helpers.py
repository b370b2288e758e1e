"""Shared helpers for the parse-stage tests: test data, the shared corpus, and structural comparison."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.models import ParsedFeed, as_plain

DATA = Path(__file__).resolve().parents[1] / "data" / "parse"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus"
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def plain(value: Any) -> Any:
    """A parsed result as JSON-like data, datetimes as ISO strings."""
    if hasattr(value, "__dataclass_fields__"):
        value = as_plain(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def assert_subset(actual: Any, expected: Any, path: str = "$") -> None:
    """Every key in ``expected`` has the same value in ``actual``; lists compare item by item, full length."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_subset(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, expected {len(expected)}: {actual!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_subset(a, e, f"{path}[{i}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def all_strings(value: Any) -> list[str]:
    """Every string anywhere in a parsed result."""
    out: list[str] = []
    stack = [plain(value)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def assert_valid_strings(feed: ParsedFeed) -> None:
    """Every output string is valid Unicode that XML (and so feedgen) accepts."""
    for text in all_strings(feed):
        text.encode("utf-8")  # raises on lone surrogates
        assert not INVALID_XML_CHARS.search(text), repr(text)


def total_chars(feed: ParsedFeed) -> int:
    return sum(len(s) for s in all_strings(feed))
