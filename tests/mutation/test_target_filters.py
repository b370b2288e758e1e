"""A target's ``include`` / ``exclude`` filters (``crosspost/filters.py``), in process.

tests/ops/test_plan_and_filters.py proves them through the CLI, which mutmut cannot attribute; this
is the in-process twin (docs/mutation-report.md)."""

from __future__ import annotations

import dataclasses

import pytest

from syndicate.config import ArticleFilter
from syndicate.crosspost.filters import matches, passes
from syndicate.models import Article, Attribution, Rights

ARTICLE = Article(id="a", title="Warning: the War of the Worlds, re-told", url="https://x.example/a",
                  published=None, updated=None, authors=("Jane  Writer", "Bob"), summary="", content_html="",
                  tags=("Science  Fiction", "Radio"), language="en", copies=(), attribution=Attribution(),
                  rights=Rights(), content_hash="h")


def of(**keys: list[str]) -> ArticleFilter:
    return ArticleFilter(**keys)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (of(tags=["radio"]), True),
        (of(tags=["science fiction"]), True),  # spaces folded, any case
        (of(tags=["SCIENCE   fiction"]), True),
        (of(categories=["Radio"]), True),  # categories are tags
        (of(tags=["sport"], categories=["radio"]), True),
        (of(tags=["science"]), False),  # a whole tag, not a part of one
        (of(authors=["jane writer"]), True),
        (of(authors=["BOB"]), True),
        (of(authors=["jane"]), False),
        (of(title_words=["war"]), True),  # a whole word
        (of(title_words=["WORLDS"]), True),
        (of(title_words=["warn"]), False),  # "warning" is not "warn"
        (of(title_words=["world"]), False),
        (of(title_words=["of the worlds"]), True),  # a phrase: consecutive whole words
        (of(title_words=["war of"]), True),  # at the start of the phrase words
        (of(title_words=["re told"]), True),  # punctuation is not a word; at the end
        (of(title_words=["worlds re"]), True),
        (of(title_words=["the war"]), True),
        (of(title_words=["war the"]), False),  # not in this order
        (of(title_words=["orlds re"]), False),  # whole words only, even in a phrase
        (of(title_words=["re tol"]), False),
        (of(title_words=["sport", "radio"]), False),  # title words look at the title only
        (of(title_words=["sport", "worlds"]), True),  # any one of them
        (of(title_words=["sport", "the worlds"]), True),
        (of(tags=["sport"], authors=["nobody"], title_words=["peace"]), False),
        (of(tags=["sport"], authors=["bob"]), True),
        (of(tags=["sport"], title_words=["war"]), True),
    ],
)
def test_matches_any_one_criterion(criteria: ArticleFilter, expected: bool) -> None:
    assert matches(ARTICLE, criteria) is expected


def test_a_phrase_that_spans_the_whole_title() -> None:
    article = dataclasses.replace(ARTICLE, title="Peace talks")
    assert matches(article, of(title_words=["peace talks"])) is True
    assert matches(article, of(title_words=["peace talk"])) is False
    assert matches(article, of(title_words=["eace talks"])) is False


def test_include_then_exclude() -> None:
    radio, sport = of(tags=["radio"]), of(tags=["sport"])
    assert passes(ARTICLE, None, None) is True
    assert passes(ARTICLE, radio, None) is True
    assert passes(ARTICLE, sport, None) is False
    assert passes(ARTICLE, None, radio) is False
    assert passes(ARTICLE, None, sport) is True
    assert passes(ARTICLE, radio, radio) is False  # exclude wins
    assert passes(ARTICLE, radio, sport) is True
    assert passes(ARTICLE, sport, sport) is False
