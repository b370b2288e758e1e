"""Which language an article is in: declared by its feed (``xml:lang``, ``<language>``,
``dc:language``, a source's ``language``), else guessed from its text.

The guess is a cheap script-and-stopword count (each phrases file lists its language's most
frequent words): Han characters make it Chinese; otherwise the language whose stopwords are most
of the first :data:`SAMPLE_WORDS` words, when clearly ahead. It is only asked for when a row of
another language than English could match in the middle of a body (see ``find_hits``): tables of
other languages read a body's lead and tail, where a notice in another language sits ("Dieser
Artikel erschien zuerst auf Deutsch…" atop an English post), and its middle only in its own.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from syndicate.attribution.recognizers import languages

SAMPLE_WORDS = 80
MIN_HITS = 4  # stopwords needed for a guess
_WORDS = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def primary(code: str | None) -> str | None:
    """``"es-ES"`` → ``"es"``; None or empty stays None."""
    if not code:
        return None
    return code.strip().lower().replace("_", "-").split("-")[0] or None


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    return {code: frozenset(w.casefold() for w in lang.stopwords) for code, lang in languages().items()}


def guess(text: str) -> str | None:
    """The language of ``text`` by its script and stopwords, or None when unclear."""
    sample = text[:600]
    if len(_HAN.findall(sample[:400])) >= 20:
        return "zh"
    words = [w.casefold() for w in _WORDS.findall(sample)[:SAMPLE_WORDS]]
    counts: Counter[str] = Counter()
    for code, stop in _stopwords().items():
        counts[code] = sum(1 for w in words if w in stop)
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < MIN_HITS or (len(ranked) > 1 and ranked[1][1] * 3 > ranked[0][1] * 2):
        return None
    return ranked[0][0]
