"""Person constructs from the free-text forms feeds use.

feedparser 6.0.14 finds e-mail addresses with a regex that only allows 2–4
letter top-level domains, so ``jane@orig.example (Jane)`` becomes the name
``ple (Jane`` and the address ``jane@orig.exam``. The raw value is parsed here
instead: ``email (Name)``, ``Name <email>``, ``Name (email)``, a bare address
or a bare name.
"""

from __future__ import annotations

import re

from syndicate.models import Person
from syndicate.parse.text import clean

_EMAIL = r"[^\s@()<>\"',;]+@[^\s@()<>\"',;]+"
_FORMS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # (pattern, group holding the e-mail, group holding the name)
    (re.compile(rf"^(?:mailto:)?(?P<email>{_EMAIL})\s*\((?P<name>[^()]*)\)$"), "email", "name"),
    (re.compile(rf"^(?P<name>[^<>]*?)\s*<(?:mailto:)?(?P<email>{_EMAIL})>$"), "email", "name"),
    (re.compile(rf"^(?P<name>[^()]*?)\s*\((?:mailto:)?(?P<email>{_EMAIL})\)$"), "email", "name"),
    (re.compile(rf"^(?:mailto:)?(?P<email>{_EMAIL})$"), "email", "name"),
)


def parse_person_text(raw: str | None) -> Person | None:
    """A Person from an RSS ``<author>``-style string; None for an empty one."""
    text = clean(raw)
    if text is None:
        return None
    text = " ".join(text.split())
    for pattern, email_group, name_group in _FORMS:
        match = pattern.match(text)
        if match:
            email = clean(match.group(email_group))
            name = clean(match.groupdict().get(name_group)) or email
            if name:
                return Person(name=name, email=email)
    return Person(name=text)


def make_person(name: object, url: object = None, email: object = None) -> Person | None:
    """A Person from separate parts; the e-mail or URL stands in for a missing name."""
    n, u, e = clean(name), clean(url), clean(email)
    label = n or e or u
    return Person(name=label, url=u, email=e) if label else None
