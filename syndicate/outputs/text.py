"""Making stored text safe for XML and JSON outputs.

One stored entry with a stray control character or a lone surrogate (both
occur in real feeds) would make lxml, and so feedgen, refuse the whole
output. Every string passes through :func:`clean` before a renderer sees it.
"""

from __future__ import annotations

import re

# XML 1.0 allows #x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF.
# We also drop DEL and the C1 controls, which are legal XML but never text.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(value: str | None) -> str:
    """``value`` without characters XML cannot carry (control chars, lone surrogates); None → ""."""
    if not value:
        return ""
    return _BAD.sub("", value)


def clean_or_none(value: str | None) -> str | None:
    """Like :func:`clean`, but an empty result is None."""
    text = clean(value).strip()
    return text or None
