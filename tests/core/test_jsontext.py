"""syndicate.jsontext: orjson where it gives the standard library's exact bytes, and JSON columns that read back."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicate import jsontext
from syndicate.models import Attribution, ParsedEntry, Rights
from syndicate.normalize.hashing import content_hash
from syndicate.parse.common import hash_entry, reference_hash_entry


@dataclass(frozen=True)
class _Inner:
    name: str
    when: datetime | None = None


@dataclass(frozen=True)
class _Outer:
    title: str
    inner: tuple[_Inner, ...] = ()
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


# every code point, lone surrogates and controls included
_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=30)
_offsets = st.integers(min_value=-(23 * 3600 + 59 * 60), max_value=23 * 3600 + 59 * 60).map(
    lambda s: timezone(timedelta(seconds=s))
)
_datetimes = st.one_of(
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=_offsets),
)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80), _text, _datetimes)
_inner = st.builds(_Inner, name=_text, when=st.one_of(st.none(), _datetimes))
_data = st.recursive(
    st.one_of(_scalars, _inner),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(_text, children, max_size=4),
        st.builds(_Outer, title=_text, inner=st.lists(_inner, max_size=3).map(tuple)),
    ),
    max_leaves=12,
)


@settings(max_examples=600, deadline=None)
@given(_data)
def test_canonical_is_the_standard_librarys_bytes(data: Any) -> None:
    assert jsontext.canonical(data) == jsontext.reference_canonical(data)


def test_canonical_spelling() -> None:
    when = datetime(2024, 5, 1, 12, 0, 0, 123, tzinfo=timezone(timedelta(hours=5, seconds=30)))
    data = {"b": ["é\u2028\x00", 2**70], "a": when, "c": _Inner("x"), "d": "\ud800"}
    expected = json.dumps(
        {"b": ["é\u2028\x00", 2**70], "a": when.isoformat(), "c": {"name": "x", "when": None}, "d": "\ud800"},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8", "surrogatepass")
    assert jsontext.canonical(data) == expected
    assert jsontext.canonical({"z": 1, "a": [True, None]}) == b'{"a":[true,null],"z":1}'


def test_not_json_data_is_refused_by_both_ways() -> None:
    for value in (object(), {1, 2}, b"bytes"):
        for encode in (jsontext.canonical, jsontext.reference_canonical):
            try:
                encode({"x": value})
            except (TypeError, ValueError):
                continue
            raise AssertionError(f"{encode.__name__} accepted {value!r}")


def _leaf_types(hint: Any, seen: set[Any]) -> set[Any]:
    """Every type a field of ``hint`` can hold, through dataclasses, tuples, unions and dicts."""
    if hint in seen:
        return set()
    seen.add(hint)
    if dataclasses.is_dataclass(hint):
        found: set[Any] = set()
        for field_hint in typing.get_type_hints(hint).values():
            found |= _leaf_types(field_hint, seen)
        return found
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (tuple, list, dict, typing.Union, types.UnionType) or args:
        found = set()
        for arg in args:
            if arg is not Ellipsis:
                found |= _leaf_types(arg, seen)
        return found
    return {hint}


def test_the_hashed_models_hold_no_floats() -> None:
    """canonical() is exact only without floats: what is hashed must have none."""
    for model in (ParsedEntry, Rights, Attribution):
        leaves = _leaf_types(model, set())
        assert float not in leaves, model
        assert leaves <= {str, int, bool, type(None), datetime, typing.Any} | {
            t for t in leaves if dataclasses.is_dataclass(t)
        }, (model, leaves)


def test_content_hash_is_unchanged() -> None:
    """The spelling every stored content hash was made with (an article hashed by an earlier version)."""
    rights, attribution = Rights(holder="Jane Doe ©"), Attribution(original_url="https://example.org/a")
    payload = {
        "title": "Café \u2014 news",
        "url": "https://example.org/a",
        "content_html": "<p>x</p>",
        "authors": ["Jane"],
        "rights": rights.to_json(),
        "attribution": attribution.to_json(),
    }
    reference = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    expected = "sha256:" + hashlib.sha256(reference).hexdigest()
    got = content_hash("Café \u2014 news", "https://example.org/a", "<p>x</p>", ["Jane"], rights, attribution)
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        ParsedEntry,
        guid=st.one_of(st.none(), _text),
        title=st.one_of(st.none(), _text),
        link=st.one_of(st.none(), _text),
        published=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
        summary_html=st.one_of(st.none(), _text),
        tags=st.lists(_text, max_size=3).map(tuple),
        raw_hash=_text,
    )
)
def test_hash_entry_is_the_reference(entry: ParsedEntry) -> None:
    assert hash_entry(entry) == reference_hash_entry(entry)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), _text),
        lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_text, children, max_size=4)),
        max_leaves=10,
    )
)
@example([-(2**63) - 1, 2**64])  # orjson alone reads these as floats
def test_json_columns_read_back_what_was_written(data: Any) -> None:
    assert jsontext.loads(jsontext.dumps(data)) == data
    assert jsontext.loads(json.dumps(data)) == data  # rows written by earlier versions


def test_json_columns_read_integers_beyond_64_bits_exactly() -> None:
    """orjson reads them as floats, losing digits (found by the hypothesis test above).

    Mutation killed: ``loads`` trying orjson first whatever the text holds.
    """
    huge = [-(2**63) - 1, 2**64, -(10**30), {"n": 10**25}, 2**63 - 1, "1234567890123456789012"]
    for text in (jsontext.dumps(huge), json.dumps(huge), json.dumps(huge).encode()):
        back = jsontext.loads(text)
        assert back == huge and all(type(a) is type(b) for a, b in zip(back, huge, strict=True))
    assert jsontext.loads('{"a": 1.5, "b": [1, 2]}') == {"a": 1.5, "b": [1, 2]}


def test_json_columns_hold_valid_json_only() -> None:
    """JSON has no spelling for infinities and NaN (PostgreSQL refuses the standard library's
    ``Infinity``): a column stores them as null. Lone surrogates are kept, escaped."""
    assert jsontext.dumps({"a": float("inf"), "b": float("nan")}) == '{"a":null,"b":null}'
    assert jsontext.loads(jsontext.dumps(["\ud800x"])) == ["\ud800x"]
    assert jsontext.dumps({"t": "é"}) == '{"t":"é"}'
