"""A cheap, exact pre-check for the recognizer table: which rows cannot match a paragraph.

Every recognizer's regular expression is read once (with the standard library's own
regex parser) for the literal text any match must contain: ``r"\\ball rights
reserved\\W*$"`` needs ``"all rights reserved"``; an alternation needs one literal of
each branch (``{"paypal", "patreon.com", ...}``); a part that can match nothing (``x?``,
``\\w*``, a character class) needs nothing. A row whose literals are all absent from
the case-folded paragraph is skipped: it could not have matched the paragraph, nor any
sentence of it (a sentence is a substring). A row without literals is always tried.

The check is a necessary condition, never a sufficient one: the regex still decides.
Case-insensitive matching is covered by comparing case-folded text (with the two
characters where Python's ``re.IGNORECASE`` and ``str.casefold`` disagree, dotted and
dotless i, mapped first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

try:  # Python ≥ 3.11
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]


Literals = frozenset[str] | None  # None: no constraint (always try the regex)


def fold(text: str) -> str:
    """The form both the paragraph and the literals are compared in."""
    # re.IGNORECASE lets U+0130 (İ) and U+0131 (ı) match "i"; casefold() gives "i" + U+0307 and "ı"
    folded = text.casefold()
    if folded.isascii():
        return folded
    return folded.replace("\u0131", "i").replace("\u0307", "")


def required_literals(pattern: str | re.Pattern[str], flags: int = 0) -> Literals:
    """Strings one of which every match of ``pattern`` contains (folded), or None when unknown."""
    if isinstance(pattern, re.Pattern):
        flags, pattern = pattern.flags, pattern.pattern
    try:
        tree = _sre_parser.parse(pattern, flags)
    except Exception:  # an internal parser change: never skip a row because of it
        return None
    found = _sequence(list(tree))
    if not found or any(not lit for lit in found):
        return None
    return frozenset(found)


def _better(a: Literals, b: Literals) -> Literals:
    """The more selective of two constraints (longest shortest literal, then fewest alternatives)."""
    if a is None:
        return b
    if b is None:
        return a
    key_a = (min(len(x) for x in a), -len(a))
    key_b = (min(len(x) for x in b), -len(b))
    return a if key_a >= key_b else b


def _sequence(items: Sequence[tuple[Any, Any]]) -> Literals:
    best: Literals = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best, run
        if run:
            best = _better(best, frozenset({fold("".join(run))}))
        run = []

    for op, arg in items:
        if op is _sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        flush()
        if op is _sre_constants.SUBPATTERN:
            best = _better(best, _sequence(list(arg[-1])))
        elif op is _sre_constants.BRANCH:
            best = _better(best, _branches(arg[1]))
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT, _sre_constants.POSSESSIVE_REPEAT):
            low, _high, body = arg
            if low >= 1:
                best = _better(best, _sequence(list(body)))
        elif op is _sre_constants.ATOMIC_GROUP:
            best = _better(best, _sequence(list(arg)))
        # anything else (classes, anchors, look-arounds, back-references) requires no literal
    flush()
    return best


def _branches(branches: Iterable[Any]) -> Literals:
    union: set[str] = set()
    for branch in branches:
        found = _sequence(list(branch))
        if found is None:
            return None
        union |= found
    return frozenset(union)


def may_match(literals: Literals, folded: str) -> bool:
    """False only when no match is possible in a text whose :func:`fold` is ``folded``."""
    return literals is None or any(lit in folded for lit in literals)


class TablePrefilter:
    """The pre-check for a whole table of regexes at once: each distinct literal is looked for once."""

    def __init__(self, regexes: Iterable[re.Pattern[str]]) -> None:
        self.literals: tuple[Literals, ...] = tuple(required_literals(r) for r in regexes)
        # rows tried whatever the text (no literal is required for them to match)
        self._always_rows: tuple[int, ...] = tuple(row for row, lits in enumerate(self.literals) if lits is None)
        rows: dict[str, list[int]] = {}
        for row, lits in enumerate(self.literals):
            for lit in lits or ():
                rows.setdefault(lit, []).append(row)
        self._rows_of: dict[str, tuple[int, ...]] = {lit: tuple(found) for lit, found in rows.items()}
        # every literal at once, overlapping ones included: one walk over the text (Aho-Corasick)
        self._automaton = ahocorasick.Automaton()
        for lit, found_rows in self._rows_of.items():
            self._automaton.add_word(lit, found_rows)
        if self._rows_of:
            self._automaton.make_automaton()

    def possible_rows(self, text: str) -> list[int]:
        """The rows, in table order, that may match ``text``: every other row cannot (nor any substring of it)."""
        rows = set(self._always_rows)
        if self._rows_of:
            for _end, found_rows in self._automaton.iter(fold(text)):
                rows.update(found_rows)
        return sorted(rows)
