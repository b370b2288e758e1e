"""JSON text, fast: canonical bytes for hashes, and the database's JSON columns.

Both use orjson (about five times faster than the standard library here) and fall back to
the standard library for what orjson refuses or misreads (lone surrogates, integers beyond 64 bits):

* :func:`canonical` gives exactly the bytes of ``json.dumps(data, sort_keys=True,
  ensure_ascii=False, separators=(",", ":"))`` encoded as UTF-8 (``surrogatepass``),
  datetimes written with ``isoformat()``, so hashes stored by earlier versions stay valid.
  It is for data without floats (the two libraries spell some floats differently: ``1e-05``
  against ``0.00001``); the parse models and the hashed payloads have none, which
  ``tests/core/test_jsontext.py`` checks on their field types.
* :func:`dumps` / :func:`loads` are the engine's ``json_serializer`` / ``json_deserializer``:
  any valid JSON that reads back the same will do there. Infinities and NaN, which JSON
  cannot spell, are written as null.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from typing import Any

import orjson

_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_FIELDS: dict[type, tuple[str, ...]] = {}
# an integer orjson cannot read exactly (below -2**63 or above 2**64 - 1) has at least 19 digits
_LONG_DIGITS = re.compile(r"[0-9]{19}")
_LONG_DIGITS_BYTES = re.compile(rb"[0-9]{19}")


def fields_of(value: Any) -> dict[str, Any]:
    """A dataclass instance's fields as a dict, one level deep (``dataclasses.asdict`` without recursing)."""
    names = _FIELDS.get(type(value))
    if names is None:
        names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return {name: getattr(value, name) for name in names}


def _default(value: Any) -> Any:
    """Datetimes as ``isoformat()``, dataclass instances as their fields; nothing else."""
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_of(value)
    raise TypeError(f"not JSON data: {type(value).__name__}")


def reference_canonical(data: Any) -> bytes:
    """:func:`canonical` with the standard library only (the definition; tests compare the two)."""
    text = json.dumps(data, sort_keys=True, default=_default, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


def canonical(data: Any) -> bytes:
    """``data`` as canonical JSON bytes: keys sorted, no spaces, UTF-8.

    ``data`` is made of dicts, lists, tuples, strings, ints, bools, None, datetimes and
    dataclass instances (written as the dict of their fields, as ``dataclasses.asdict``
    would give), and no floats.
    """
    try:
        return orjson.dumps(data, default=_default, option=_CANONICAL)
    except orjson.JSONEncodeError:  # a lone surrogate, a huge int: the standard library's way
        return reference_canonical(data)


def dumps(data: Any) -> str:
    """JSON text for a JSON column."""
    try:
        return orjson.dumps(data).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(data)


def loads(text: str | bytes) -> Any:
    """A JSON column's value (text written by :func:`dumps` or by the standard library).

    orjson reads an integer beyond 64 bits as a float (silently losing digits): text with a run of
    19 digits or more, which such an integer needs, is read by the standard library instead.
    """
    long_digits = _LONG_DIGITS_BYTES.search(text) if isinstance(text, bytes) else _LONG_DIGITS.search(text)
    if long_digits:
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # escaped lone surrogates, NaN: only the standard library reads them
        return json.loads(text)
