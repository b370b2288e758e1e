"""Per-target filters: which of the articles from a target's sources it gets (pure).

``include`` keeps only the articles that match at least one of its criteria; ``exclude`` then
drops the articles that match any of its criteria. The criteria, all case-insensitive: a tag
(RSS/Atom categories are stored as tags, so ``categories`` is the same test), an author, a
word in the title (whole words: "war" does not match "warning").
"""

from __future__ import annotations

import re

from syndicate.config import ArticleFilter
from syndicate.models import Article

_WORD = re.compile(r"\w+", re.UNICODE)


def _folded(values: tuple[str, ...] | list[str]) -> set[str]:
    return {" ".join(v.split()).casefold() for v in values}


def matches(article: Article, criteria: ArticleFilter) -> bool:
    """Whether ``article`` meets at least one of ``criteria``."""
    wanted_tags = _folded([*criteria.tags, *criteria.categories])
    if wanted_tags & _folded(article.tags):
        return True
    if _folded(criteria.authors) & _folded(article.authors):
        return True
    if criteria.title_words:
        words = {w.casefold() for w in _WORD.findall(article.title)}
        phrases = " ".join(w.casefold() for w in _WORD.findall(article.title))
        for wanted in criteria.title_words:
            parts = [w.casefold() for w in _WORD.findall(wanted)]
            if len(parts) == 1 and parts[0] in words:
                return True
            if len(parts) > 1 and re.search(rf"(^| ){re.escape(' '.join(parts))}( |$)", phrases):
                return True
    return False


def passes(article: Article, include: ArticleFilter | None, exclude: ArticleFilter | None) -> bool:
    """Whether a target with these filters gets ``article`` (its sources already match)."""
    if include is not None and not matches(article, include):
        return False
    return exclude is None or not matches(article, exclude)
