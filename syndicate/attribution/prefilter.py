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

import json
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

import ahocorasick_rs

try:  # Python ≥ 3.11
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]


Literals = frozenset[str] | None  # None: no constraint (always try the regex)
V = TypeVar("V")


class Source(NamedTuple):
    """A regex as written and its flags, read like a compiled one without compiling it."""

    pattern: str
    flags: int


Regex = re.Pattern[str] | Source


def fold(text: str) -> str:
    """The form both the paragraph and the literals are compared in."""
    # re.IGNORECASE lets U+0130 (İ) and U+0131 (ı) match "i"; casefold() gives "i" + U+0307 and "ı"
    folded = text.casefold()
    if folded.isascii():
        return folded
    return folded.replace("\u0131", "i").replace("\u0307", "")


def fold_aligned(text: str) -> tuple[str, bool]:
    """:func:`fold` of ``text``, and whether each character of ``text`` folded to exactly one character
    (then a literal found at an offset of the folded text starts at that offset of ``text``)."""
    folded = text.casefold()
    if folded.isascii():
        return folded, len(folded) == len(text)
    aligned = len(folded) == len(text) and "\u0307" not in folded  # each character gave at least one
    return folded.replace("\u0131", "i").replace("\u0307", ""), aligned


def required_literals(pattern: str | Regex, flags: int = 0) -> Literals:
    """Strings one of which every match of ``pattern`` contains (folded), or None when unknown."""
    found = requirements(pattern, flags)
    return found[0] if found else None


def requirements(pattern: str | Regex, flags: int = 0, *, raw: bool = False) -> list[frozenset[str]]:
    """Every set of strings, one of each of which every match of ``pattern`` contains, best first
    (see :func:`strength`): folded strings, or with ``raw`` strings as written from the pattern's
    case-sensitive parts (``(?-i:By )``), which the text must then contain as they are."""
    return list(_requirements(pattern, flags, raw))


# Reading a row's regex with the regex parser costs milliseconds, a second for the built-in table:
# each row is read once per process (however many places' tables it is in), and the built-in rows'
# readings ship in ANALYSIS_FILE, keyed by the pattern itself (so an entry is right for its pattern
# whatever changed since; a row not in it is read here). Regenerate it after changing rows:
# ``python -m syndicate.attribution.analysis`` (a test says when it is out of date).
ANALYSIS_FILE = Path(__file__).with_name("phrases") / "analysis.json"


@cache
def _shipped() -> dict[str, Any]:
    try:
        found = json.loads(ANALYSIS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def analysis_key(pattern: Regex) -> str:
    return f"{pattern.flags}:{pattern.pattern}"


def _shipped_entry(pattern: str | Regex, flags: int) -> dict[str, Any] | None:
    if not isinstance(pattern, (re.Pattern, Source)) or flags:
        return None
    entry = _shipped().get(analysis_key(pattern))
    return entry if isinstance(entry, dict) else None


def analyse(pattern: Regex) -> dict[str, Any]:
    """The readings :data:`ANALYSIS_FILE` keeps for a row's regex (computed, never from the file)."""
    anchored = _anchored_prefixes(pattern, 0)
    return {
        "req": [sorted(s) for s in _compute_requirements(pattern, 0, False)],
        "raw": [sorted(s) for s in _compute_requirements(pattern, 0, True)],
        "anchored": sorted(anchored) if anchored is not None else None,
    }


@lru_cache(maxsize=8192)
def _requirements(pattern: str | Regex, flags: int, raw: bool) -> tuple[frozenset[str], ...]:
    entry = _shipped_entry(pattern, flags)
    if entry is not None:
        return tuple(frozenset(s) for s in entry["raw" if raw else "req"])
    return _compute_requirements(pattern, flags, raw)


def _compute_requirements(pattern: str | Regex, flags: int, raw: bool) -> tuple[frozenset[str], ...]:
    tree = _parse(pattern, flags)
    if tree is None:
        return ()
    items, flags = tree
    found = _Reader(raw)._requirements(items, bool(flags & re.IGNORECASE))
    # ties broken by the strings themselves: the same order in every process (hash seeds differ)
    return tuple(sorted({f for f in found if f and "" not in f}, key=lambda f: (_key(f), sorted(f)), reverse=True))


@lru_cache(maxsize=8192)
def anchored_prefixes(pattern: str | Regex, flags: int = 0) -> Literals:
    """For a pattern anchored at the start of the searched text (``^`` or ``\\A`` first, no MULTILINE):
    strings one of which (folded) every match starts with, so the folded text must start with one.
    None when the pattern is not so anchored or its start is not known."""
    entry = _shipped_entry(pattern, flags)
    if entry is not None:
        return frozenset(entry["anchored"]) if entry["anchored"] is not None else None
    return _anchored_prefixes(pattern, flags)


def _anchored_prefixes(pattern: str | Regex, flags: int) -> Literals:
    tree = _parse(pattern, flags)
    if tree is None:
        return None
    items, flags = tree
    if flags & re.MULTILINE or not items or items[0] not in _ANCHORS:
        return None
    found = _starts_seq(items[1:])
    if found is None or found[1] or not found[0] or "" in found[0]:  # a match may be empty: no constraint
        return None
    return _minimal(found[0], prefixes=True)


@lru_cache(maxsize=8192)
def _parse(pattern: str | Regex, flags: int) -> tuple[list[tuple[Any, Any]], int] | None:
    if isinstance(pattern, (re.Pattern, Source)):
        flags, pattern = pattern.flags, pattern.pattern
    try:
        tree = _sre_parser.parse(pattern, flags)
        return list(tree), tree.state.flags
    except Exception:  # an internal parser change: never skip a row because of it
        return None


_C = _sre_constants
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT))
_ANCHORS = ((_C.AT, _C.AT_BEGINNING), (_C.AT, _C.AT_BEGINNING_STRING))
_ZERO_WIDTH = (_C.AT, _C.ASSERT, _C.ASSERT_NOT)
_EMPTY: frozenset[str] = frozenset({""})
MAX_SET = 64  # most strings an exact set (or a product of sets) is followed as
MAX_CLASS = 8  # a character class of at most this many characters is read as those characters
MAX_PREFIX = 24  # prefixes are cut to this length (a prefix of a prefix is one)
MAX_WALK_LITERAL = 8  # the walk looks for a literal's first characters only: a small automaton, about as selective
MAX_CHECKS = 2  # other requirements a row that passes the walk is checked for
MIN_CHECK_RARITY = 2  # ... when every string of them is at least this rare (see rarity): not a lone letter


def strength(literal: str) -> int:
    """How rarely a literal is expected in text, roughly: a letter, digit or space counts 1, an upper-case
    letter (in a raw literal) or ASCII punctuation 2, other characters ("—", "©", "«") 3."""
    score = 0
    for ch in literal:
        if ch.isupper() or (ch.isascii() and not ch.isalnum() and ch != " "):
            score += 2
        elif ch.isalnum() or ch.isspace():
            score += 1
        else:
            score += 3
    return score


@cache  # literals recur over the rows and the places: read each once
def rarity(literal: str) -> int:
    """:func:`strength`, but a letter of a script written without spaces (Chinese, Japanese, Korean) counts
    3: such a letter is rare in text of other scripts, and two of them are a word (来源, 转载)."""
    return strength(literal) + 2 * sum(1 for ch in literal if ch >= "\u2e80" and ch.isalpha())


def _walk_key(literals: frozenset[str]) -> tuple[int, int]:
    """How selective a literal set is for the pre-check per place: its rarest weakest literal, then fewest."""
    return (min(map(rarity, literals)), -len(literals))


def _key(literals: frozenset[str]) -> tuple[int, int]:
    return (min(map(strength, literals)), -len(literals))


def _minimal(strings: Iterable[str], *, prefixes: bool = False) -> frozenset[str]:
    """``strings`` without those that contain (start with, for ``prefixes``) a shorter one: the same constraint."""
    kept: list[str] = []
    for text in sorted(set(strings), key=len):
        if not any((text.startswith(k) if prefixes else k in text) for k in kept):
            kept.append(text)
    return frozenset(kept)


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > MAX_SET:
        return None
    return frozenset(a + b for a in left for b in right)


class _Reader:
    """Reads a parsed pattern for the text its matches contain: folded (``raw=False``), or as written
    where the pattern is case-sensitive (``raw=True``; a case-insensitive character is then unknown)."""

    def __init__(self, raw: bool) -> None:
        self.raw = raw

    def char(self, ch: str, ci: bool) -> frozenset[str] | None:
        if not self.raw:
            return frozenset({fold(ch)})
        return None if ci and ch.lower() != ch.upper() else frozenset({ch})

    def exact(self, node: tuple[Any, Any], ci: bool) -> frozenset[str] | None:
        """Every string the node can match, when they are few (zero-width nodes match ""); else None."""
        op, arg = node
        if op is _C.LITERAL:
            return self.char(chr(arg), ci)
        if op is _C.IN:
            return self.char_class(arg, ci)
        if op in _ZERO_WIDTH:
            return _EMPTY
        if op is _C.SUBPATTERN:
            return self.exact_seq(arg[-1], _scoped(arg, ci))
        if op is _C.ATOMIC_GROUP:
            return self.exact_seq(arg, ci)
        if op is _C.BRANCH:
            union: set[str] = set()
            for branch in arg[1]:
                found = self.exact_seq(branch, ci)
                if found is None:
                    return None
                union |= found
            return frozenset(union) if len(union) <= MAX_SET else None
        if op in _REPEATS:
            low, high, body = arg
            if high > 4:  # MAXREPEAT included
                return None
            once = self.exact_seq(body, ci)
            if once is None:
                return None
            out: set[str] = set()
            power: frozenset[str] | None = _EMPTY
            for count in range(high + 1):
                if power is None:
                    return None
                if count >= low:
                    out |= power
                power = _product(power, once) if count < high else power
            return frozenset(out) if len(out) <= MAX_SET else None
        return None

    def exact_seq(self, items: Iterable[tuple[Any, Any]], ci: bool) -> frozenset[str] | None:
        found: frozenset[str] | None = _EMPTY
        for node in items:
            one = self.exact(node, ci)
            if one is None:
                return None
            found = _product(found, one)  # type: ignore[arg-type]
            if found is None:
                return None
        return found

    def char_class(self, items: Iterable[tuple[Any, Any]], ci: bool) -> frozenset[str] | None:
        """The characters of a small class ``[’']``, None for a large, negated or category class."""
        chars: set[str] = set()
        for op, arg in items:
            if op is _C.LITERAL:
                chars.add(chr(arg))
            elif op is _C.RANGE and arg[1] - arg[0] < MAX_CLASS:
                chars.update(chr(code) for code in range(arg[0], arg[1] + 1))
            else:  # NEGATE, CATEGORY, a wide range
                return None
            if len(chars) > MAX_CLASS:
                return None
        out: set[str] = set()
        for ch in chars:
            one = self.char(ch, ci)
            if one is None:
                return None
            out |= one
        return frozenset(out)

    def best(self, items: Sequence[tuple[Any, Any]], ci: bool) -> Literals:
        found = [f for f in self._requirements(items, ci) if f and "" not in f]
        return max(found, key=_key) if found else None

    def _requirements(self, items: Sequence[tuple[Any, Any]], ci: bool) -> list[frozenset[str]]:
        """What a sequence of nodes requires, every part of it: its runs of exact nodes joined (their
        products: "l[’']articolo" gives "l'articolo" and "l’articolo"), and its other nodes' needs."""
        found: list[frozenset[str]] = []
        run: frozenset[str] = _EMPTY

        def flush() -> None:
            nonlocal run
            if "" not in run:
                found.append(_minimal(run))
            run = _EMPTY

        for node in items:
            op, arg = node
            one = self.exact(node, ci)
            if one is not None:
                if op is _C.ASSERT:  # a look-around's text is in the searched text too (zero-width here)
                    found.extend(self._requirements(list(arg[1]), ci))
                joined = _product(run, one)
                if joined is None:
                    flush()
                    run = one
                else:
                    run = joined
                continue
            flush()
            if op is _C.SUBPATTERN:
                found.extend(self._requirements(list(arg[-1]), _scoped(arg, ci)))
            elif op is _C.BRANCH:
                union: set[str] = set()
                for branch in arg[1]:
                    best = self.best(list(branch), ci)
                    if best is None:
                        break
                    union |= best
                else:
                    found.append(_minimal(union))
            elif op in _REPEATS:
                low, _high, body = arg
                if low >= 1:
                    found.extend(self._requirements(list(body), ci))
            elif op is _C.ATOMIC_GROUP:
                found.extend(self._requirements(list(arg), ci))
            # anything else (wide classes, negative look-arounds, back-references) requires no literal
        flush()
        return found


def _scoped(arg: Any, ci: bool) -> bool:
    """Whether a group's inside is case-insensitive (``(?-i:…)`` turns it off, ``(?i:…)`` on)."""
    _group, add_flags, del_flags, _items = arg
    if del_flags & re.IGNORECASE:
        return False
    return ci or bool(add_flags & re.IGNORECASE)


_FOLDED = _Reader(raw=False)


Starts = tuple[frozenset[str], bool]  # (non-empty prefixes of every non-empty match, may match "")


def _starts_node(node: tuple[Any, Any]) -> Starts | None:
    op, arg = node
    if op is _C.LITERAL:
        return frozenset({fold(chr(arg))}), False
    if op is _C.IN:
        chars = _FOLDED.char_class(arg, True)
        return (chars, False) if chars is not None else None
    if op in _ZERO_WIDTH:
        return frozenset(), True
    if op is _C.SUBPATTERN:
        return _starts_seq(list(arg[-1]))
    if op is _C.ATOMIC_GROUP:
        return _starts_seq(list(arg))
    if op is _C.BRANCH:
        union: set[str] = set()
        empty = False
        for branch in arg[1]:
            found = _starts_seq(list(branch))
            if found is None:
                return None
            union |= found[0]
            empty = empty or found[1]
        return frozenset(union), empty
    if op in _REPEATS:
        low, _high, body = arg
        found = _starts_seq(list(body))
        if found is None:
            return None
        return found[0], found[1] or low == 0
    return None


def _starts_seq(items: Sequence[tuple[Any, Any]]) -> Starts | None:
    """What every non-empty match of a sequence starts with (exact leading nodes joined: "do "/"da ")."""
    if not items:
        return frozenset(), True
    first, rest = items[0], items[1:]
    exact = _FOLDED.exact(first, True)
    if exact is not None and exact != _EMPTY:
        after = _starts_seq(rest)
        heads = frozenset(e for e in exact if e)
        if after is None:
            return (heads, False) if "" not in exact else None
        tails, empty = after
        joined: set[str] = {e + t for e in exact for t in tails} if len(exact) * len(tails) <= MAX_SET else set()
        if not joined and tails:  # too many: the leading strings alone, and what follows an empty one
            joined = set(heads) | (set(tails) if "" in exact else set())
        if empty:
            joined |= heads
        return frozenset(s[:MAX_PREFIX] for s in joined if s), "" in exact and empty
    found = _starts_node(first)
    if found is None:
        return None
    if not found[1]:
        return found
    after = _starts_seq(rest)
    if after is None:
        return None
    return found[0] | after[0], after[1]


_SURROGATE = re.compile("[\ud800-\udfff]")


class Matcher(Generic[V]):
    """Every occurrence of a fixed set of literals in a text, overlapping ones included, in one walk
    (Aho-Corasick: ``ahocorasick_rs``, a DFA compiled in Rust; in a warm loop about twice the speed of
    ``pyahocorasick``'s trie on these tables, in the pipeline, where caches are cold, about the same).
    ``literals[i]`` and ``values[i]`` are the literal and the value of the occurrences :meth:`find` numbers i."""

    __slots__ = ("_search", "literals", "values")

    def __init__(self, words: Mapping[str, V]) -> None:
        self.literals: tuple[str, ...] = tuple(sorted(words))  # the same automaton in every process
        self.values: tuple[V, ...] = tuple(words[literal] for literal in self.literals)
        self._search: Callable[..., list[tuple[int, int, int]]] | None = None
        if self.literals:
            automaton = ahocorasick_rs.AhoCorasick(
                list(self.literals), implementation=ahocorasick_rs.Implementation.DFA
            )
            self._search = automaton.find_matches_as_indexes

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(index in :attr:`literals`, start, end) of every occurrence in ``text``, in order of their end."""
        if self._search is None:
            return []
        try:
            return self._search(text, overlapping=True)
        except UnicodeEncodeError:  # a lone surrogate (no UTF-8 for it): one character for one, no literal's
            return self._search(_SURROGATE.sub("\ufffd", text), overlapping=True)


def may_match(literals: Literals, folded: str) -> bool:
    """False only when no match is possible in a text whose :func:`fold` is ``folded``."""
    return literals is None or any(lit in folded for lit in literals)


class TablePrefilter:
    """The pre-check for a whole table of regexes at once: each distinct literal is looked for once."""

    def __init__(self, regexes: Iterable[Regex]) -> None:
        self.literals: tuple[Literals, ...] = tuple(required_literals(r) for r in regexes)
        # rows tried whatever the text (no literal is required for them to match)
        self._always_rows: tuple[int, ...] = tuple(row for row, lits in enumerate(self.literals) if lits is None)
        rows: dict[str, list[int]] = {}
        for row, lits in enumerate(self.literals):
            for lit in lits or ():
                rows.setdefault(lit, []).append(row)
        self._rows_of: dict[str, tuple[int, ...]] = {lit: tuple(found) for lit, found in rows.items()}
        # every literal at once, overlapping ones included: one walk over the text (Aho-Corasick)
        self._matcher = Matcher(self._rows_of)

    def possible_rows(self, text: str) -> list[int]:
        """The rows, in table order, that may match ``text``: every other row cannot (nor any substring of it)."""
        rows = set(self._always_rows)
        values = self._matcher.values
        for index, _start, _end in self._matcher.find(fold(text)):
            rows.update(values[index])
        return sorted(rows)


# where a row's regex is tried in a paragraph (see AnchoredPrefilter)
ANYWHERE = "anywhere"  # on the text or on any part of it (its sentences)
START = "start"  # on the text only, from its start: ``^`` is the text's start
START_OR_LAST = "start-or-last"  # on the text from its start and on its last sentence


class AnchoredPrefilter:
    """The pre-check for rows tried at known places of a paragraph: a row anchored with ``^`` and tried
    only on the text from its start (:data:`START`) needs the folded text to start with one of its
    :func:`anchored_prefixes` ("by ", "da ", "do "); one tried there and on the last sentence
    (:data:`START_OR_LAST`) needs one of them where that sentence may start (``may_start_last``, a
    necessary condition for an offset, asked only for an offset inside ``text`` whose character before is
    in ``may_follow``, which spares it the call inside a word); every other row needs
    one of its :func:`required_literals` anywhere. So a short anchored literal costs nothing where the
    text does not start with it, however often the text contains it. A row that passes must also hold
    one string of each of its other strong requirements (:data:`MAX_CHECKS` at most, found with ``in``,
    as written where the pattern is case-sensitive: "By " for ``(?-i:\\bBy )``).

    Exact in the same sense as :class:`TablePrefilter`: rows left out cannot match where they are tried.
    """

    def __init__(
        self,
        regexes: Sequence[Regex],
        tried: Sequence[str],
        may_start_last: Callable[[str, int], bool],
        may_follow: Container[str],
    ) -> None:
        self._may_start_last = may_start_last
        self._may_follow = may_follow
        plan = _Plan(regexes, tried)
        self._always = tuple(plan.always)
        # by first character: every prefix of that character (one test for most texts), then each row's
        self._starts = {
            char: (tuple(p for found in rows.values() for p in found), tuple((r, tuple(p)) for r, p in rows.items()))
            for char, rows in plan.starts.items()
        }
        # each literal's rows tried anywhere and on the last sentence; the checks read which literals the walk met
        self._matcher = Matcher({
            lit: (tuple(plan.anywhere.get(lit, ())), tuple(plan.last.get(lit, ())))
            for lit in plan.anywhere.keys() | plan.last.keys()
        })
        checks = plan.checks
        shared: dict[tuple[tuple[str, ...], bool], _Check] = {}  # rows with the same check share it
        self._checks: dict[int, tuple[_Check, ...]] = {
            row: tuple(shared.get(c) or shared.setdefault(c, self._check(*c)) for c in found)
            for row, found in checks.items()
        }

    def _check(self, literals: tuple[str, ...], raw: bool) -> _Check:
        """A check of ``literals`` gated by the walk: a literal that contains (folded) a literal of the
        automaton can be in the text only if the walk found that one, so it is looked for only then."""
        always: list[str] = []
        gated: dict[str, list[str]] = {}
        for literal in literals:
            key = fold(literal) if raw else literal
            inside = [self._matcher.literals[index] for index, _start, _end in self._matcher.find(key)]
            if inside:  # the longest: the least often found
                gated.setdefault(max(inside, key=lambda lit: (len(lit), lit)), []).append(literal)
            else:
                always.append(literal)
        return _Check(tuple(always), {lit: tuple(found) for lit, found in gated.items()}, raw)

    def possible_rows(self, text: str) -> list[int]:
        """The rows, in table order, that may match ``text`` where they are tried: every other row cannot."""
        folded, aligned = fold_aligned(text)
        matches = self._matcher.find(folded)
        head = self._starts.get(folded[:1])
        if not matches and head is None and not self._always:  # most paragraphs: no row to try
            return []
        rows = set(self._always)
        seen: set[str] = set()  # the automaton's literals in the text
        literals, values = self._matcher.literals, self._matcher.values
        may_start_last, may_follow = self._may_start_last, self._may_follow
        for index, start, _end in matches:
            anywhere, last = values[index]
            seen.add(literals[index])
            if anywhere:
                rows.update(anywhere)
            if last and (start == 0 or not aligned or (
                    text[start - 1] in may_follow and may_start_last(text, start))):
                rows.update(last)
        if head is not None and folded.startswith(head[0]):
            for row, prefixes in head[1]:
                if folded.startswith(prefixes):
                    rows.add(row)
        checks = self._checks
        held: dict[_Check, bool] = {}
        found = []
        for row in sorted(rows):
            for check in checks.get(row, ()):
                ok = held.get(check)
                if ok is None:
                    ok = held[check] = check.holds(text, folded, seen)
                if not ok:
                    break
            else:
                found.append(row)
        return found


class _Plan:
    """What :class:`AnchoredPrefilter` looks for, row by row: the rows always tried, the rows by the
    literal the walk must find anywhere (``anywhere``) or where the last sentence may start (``last``),
    by the prefix the text must start with (``starts``), and each row's other checks."""

    def __init__(self, regexes: Sequence[Regex], tried: Sequence[str]) -> None:
        self.always: list[int] = []
        self.anywhere: dict[str, list[int]] = {}
        self.last: dict[str, list[int]] = {}
        self.starts: dict[str, dict[int, list[str]]] = {}
        self.checks: dict[int, tuple[tuple[tuple[str, ...], bool], ...]] = {}
        for row, (regex, how) in enumerate(zip(regexes, tried, strict=True)):
            needs = requirements(regex)
            prefixes = anchored_prefixes(regex) if how != ANYWHERE else None
            if prefixes and how in (START, START_OR_LAST):
                primary: Literals = prefixes
                for prefix in prefixes:
                    if how == START:
                        self.starts.setdefault(prefix[0], {}).setdefault(row, []).append(prefix)
                    else:
                        self.last.setdefault(prefix[:MAX_WALK_LITERAL], []).append(row)
            else:  # the most selective requirement ("来源" rather than ":"; ties: the first, by strength)
                primary = max(needs, key=_walk_key) if needs else None
                if primary is None:
                    self.always.append(row)
                for lit in primary or ():
                    self.anywhere.setdefault(lit[:MAX_WALK_LITERAL], []).append(row)
            extra = [(tuple(sorted(s)), False) for s in needs if s != primary]
            extra += [(tuple(sorted(s)), True) for s in requirements(regex, raw=True)]
            extra = [e for e in extra if min(map(rarity, e[0])) >= MIN_CHECK_RARITY]
            extra.sort(key=lambda e: _walk_key(frozenset(e[0])), reverse=True)
            if extra:
                self.checks[row] = tuple(extra[:MAX_CHECKS])


@dataclass(frozen=True, slots=True, eq=False)
class _Check:
    """One of a row's other requirements: one of its literals must be in the text (as written when ``raw``,
    else folded). ``gated`` holds the literals that contain a literal of the walk's automaton, by that
    literal: they are looked for only when the walk found it. ``always`` are looked for in every text."""

    always: tuple[str, ...]
    gated: dict[str, tuple[str, ...]]
    raw: bool

    def holds(self, text: str, folded: str, seen: set[str]) -> bool:
        where = text if self.raw else folded
        for literal in self.always:
            if literal in where:
                return True
        gated = self.gated
        for found in seen:
            for literal in gated.get(found, ()):
                if literal in where:
                    return True
        return False
