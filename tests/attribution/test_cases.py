"""The cases of tests/data/attribution/cases.json: phrasings, near-misses, per-source rules
and cross-source matching, each in every feed order."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.attribution.conftest import DATA, FEEDS, check, ingest, load_cases

CASES = load_cases(DATA / "cases.json")


def _orders(feeds: list[str]) -> list[tuple[str, ...]]:
    return list(itertools.permutations(feeds)) if len(feeds) <= 3 else [tuple(feeds), tuple(reversed(feeds))]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    results = []
    for order in _orders(case["feeds"]):
        articles = ingest(FEEDS, order, case.get("sources"))
        assert len(articles) == case["articles"], f"{order}: {[(a.title, len(a.copies)) for a in articles]}"
        if "expect" in case:
            problems = check(articles[0], case["expect"])
            assert not problems, f"{order}: {problems}"
        for title, expect in case.get("expect_by_title", {}).items():
            matching = [a for a in articles if a.title == title]
            assert len(matching) == 1, f"{order}: no single article titled {title!r}"
            problems = check(matching[0], expect)
            assert not problems, f"{order}: {title}: {problems}"
        results.append(sorted(articles, key=lambda a: (a.url, a.title)))
    first = [a.to_json() | {"id": None} for a in results[0]]
    for other in results[1:]:
        assert [a.to_json() | {"id": None} for a in other] == first, "merge depends on feed order"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
