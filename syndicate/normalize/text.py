"""Plain-text helpers: control characters out, whitespace collapsed, HTML to text, summaries.

All functions are pure and total: any ``str`` in, a ``str`` out.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# C0 controls except tab/newline/CR, DEL, C1 controls, lone surrogates, BOM, non-characters
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_BREAK = re.compile(r"(?i)<\s*(?:br|hr|/?p|/?div|/?li|/?h[1-6]|/?tr|/?blockquote|/?figcaption|/?pre)\b[^>]*>")
# a sentence ends at . ! ? … (maybe followed by closing quotes/brackets) before a space and a capital, digit or quote,
# or at 。！？ (CJK full stops need no space)
_OPENS = r"[\"“‘'(\[]?[A-Z0-9À-Þ]"  # what starts a sentence after a stop and a space
_SENTENCE_END = re.compile(rf"(?<=[.!?…])[\"”’')\]]*\s+(?={_OPENS})")
_CJK_SENTENCE_END = re.compile(_SENTENCE_END.pattern + r"|(?<=[。！？])[”」』）]*\s*(?=\S)")
_CJK_STOPS = ("。", "！", "？")

SUMMARY_MAX = 400  # characters of plain text
TITLE_FALLBACK_WORDS = 12


def strip_controls(text: str) -> str:
    """``text`` without control characters, lone surrogates, BOMs and non-characters."""
    return _CONTROL.sub("", text)


def collapse(text: str) -> str:
    """Whitespace (including non-breaking spaces) collapsed to single spaces, ends stripped."""
    return " ".join(text.split())  # str.split() splits on exactly what \s matches (U+00A0 included)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment on one line (tags dropped, entities decoded)."""
    text = _BLOCK_BREAK.sub(" ", markup)
    text = _TAG.sub("", text)
    return collapse(strip_controls(html.unescape(text)))


def clean_line(value: str | None) -> str:
    """A one-line plain-text field (title, name, tag): control characters out, whitespace collapsed.

    The parse stage already gives these as plain text, so ``<`` and ``&`` are kept as
    written ("x < y", "AT&T").
    """
    if not value:
        return ""
    return collapse(strip_controls(value))


def truncate(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def summarize(text: str, limit: int = SUMMARY_MAX) -> str:
    return truncate(collapse(text), limit)


def first_words(text: str, count: int = TITLE_FALLBACK_WORDS) -> str:
    """The first ``count`` words of ``text`` (a title when a feed gives none)."""
    words = collapse(text).split(" ")
    if len(words) <= count:
        return " ".join(words)
    return truncate(" ".join(words[:count]), 120).rstrip("…").rstrip(" ,;:-–—") + "…"


# a period after these does not end a sentence ("Prof. Michel Chossudovsky", "U.S. officials")
ABBREVIATIONS: frozenset[str] = frozenset(
    {"capt", "col", "dr", "e.g", "etc", "gen", "gov", "hon", "i.e", "inc", "jr", "ltd", "mr", "mrs", "ms", "mt",
     "no", "prof", "rep", "rev", "sen", "sr", "st", "u.k", "u.n", "u.s", "vs"}
)  # fmt: skip
_LAST_WORD = re.compile(r"([\w.]+)\.$")


def _ends_sentence(before: str) -> bool:
    match = _LAST_WORD.search(before)
    if not match:
        return True
    word = match.group(1).lower()
    return not (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence of ``text`` (a good-enough splitter for notices)."""
    spans: list[tuple[int, int]] = []
    start = 0
    ends = _CJK_SENTENCE_END if any(stop in text for stop in _CJK_STOPS) else _SENTENCE_END
    for match in ends.finditer(text):
        # the word before the stop decides ("Dr." does not end a sentence): its last characters suffice
        if not _ends_sentence(text[max(start, match.start() - 40) : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def edge_sentence(text: str, side: str, reach: int = 200) -> tuple[int, int] | None:
    """The first (``side="lead"``) or last (``"tail"``) sentence of ``text`` (all of it when it is one
    sentence), found without splitting the rest; None when that sentence is longer than ``reach``."""
    ends = _CJK_SENTENCE_END if any(stop in text for stop in _CJK_STOPS) else _SENTENCE_END
    if side == "lead":
        for match in ends.finditer(text, 0, min(len(text), reach + 10)):
            if _ends_sentence(text[max(0, match.start() - 40) : match.start()]):
                return (0, match.start())
        return (0, len(text)) if len(text) <= reach else None
    offset = max(0, len(text) - reach - 10)
    start = 0
    for match in ends.finditer(text, offset):
        if match.start() > 0 and _ends_sentence(text[max(0, match.start() - 40) : match.start()]):
            start = match.end()
    return (start, len(text)) if len(text) - start <= reach else None


_OPENS_SENTENCE = re.compile(_OPENS)
_CJK_OPENERS_AFTER = "。！？”」』）"  # what _CJK_SENTENCE_END's other branch may end after


# every character str.isspace() holds for (tests/normalize checks the list against all of Unicode)
WHITESPACE = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                       "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# what a last sentence may start right after (see may_start_tail_sentence): a necessary condition, in one set
MAY_PRECEDE_TAIL_SENTENCE = WHITESPACE | frozenset(_CJK_OPENERS_AFTER)


def may_start_tail_sentence(text: str, pos: int, reach: int = 200) -> bool:
    """False when ``edge_sentence(text, "tail", reach)`` cannot start at ``pos`` (0 < pos < len(text)):
    a cheap necessary condition, read off the sentence-end patterns (the sentence starts after
    a space, at a capital, a digit or a quote; in Chinese text also right after 。！？ or a closing
    quote), so that a pre-check need not find the sentence."""
    if len(text) - pos > reach:
        return False
    before = text[pos - 1]
    if before.isspace():
        return _OPENS_SENTENCE.match(text, pos) is not None or any(stop in text for stop in _CJK_STOPS)
    return before in _CJK_OPENERS_AFTER and any(stop in text for stop in _CJK_STOPS)


def sentences(text: str) -> list[str]:
    """``text`` split into sentences."""
    return [text[a:b].strip() for a, b in sentence_spans(text)]


@lru_cache(maxsize=4096)  # pure; names of outlets and authors recur across a pass
def fold(text: str) -> str:
    """Lower-case, accents removed, only letters and digits separated by single spaces (for comparing)."""
    if text.isascii():  # nothing to decompose, no accents; casefold() is lower() here
        return _ascii_words(text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    if _ASTRAL.search(decomposed):
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    else:  # the same characters dropped, by one regex instead of a Python test per character
        stripped = _combining_marks().sub("", decomposed)
    folded = stripped.casefold()
    if folded.isascii():  # "café", "straße": ASCII once folded
        return _ascii_words(folded)
    return " ".join(_WORD.findall(folded))


# every ASCII character that is neither a word character (``\w``) nor whitespace, as a space
_ASCII_NON_WORD = str.maketrans(
    {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_" or chr(c).isspace())}
)


def _ascii_words(text: str) -> str:
    r"""``" ".join(re.findall(r"\w+", text))`` for ASCII ``text``, in C: punctuation to spaces, split, join."""
    return " ".join(text.translate(_ASCII_NON_WORD).split())


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """A character class of the Basic Multilingual Plane's combining characters (``unicodedata.combining``
    non-zero), read from this Python's Unicode tables on first use (~10 ms)."""
    ranges: list[str] = []
    start = None
    for code in range(0x10001):
        marked = code < 0x10000 and unicodedata.combining(chr(code)) != 0
        if marked and start is None:
            start = code
        elif not marked and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")
