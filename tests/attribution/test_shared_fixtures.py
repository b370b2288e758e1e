"""Every case of the shared fixtures (tests/data/attribution/shared/expected.json) passes,
whatever the order the feeds arrive in."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.attribution.conftest import SHARED, check, ingest, load_cases

CASES = load_cases(SHARED / "expected.json")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shared_case(case: dict[str, Any]) -> None:
    for order in itertools.permutations(case["feeds"]):
        articles = ingest(SHARED, order)
        assert len(articles) == case["articles"], f"{order}: {[a.title for a in articles]}"
        problems = check(articles[0], case["expect"])
        assert not problems, f"{order}: {problems}"


def test_merged_article_is_the_same_in_any_order() -> None:
    feeds = ["global-research.rss", "south-front.rss"]
    first = ingest(SHARED, feeds)[0]
    second = ingest(SHARED, feeds[::-1])[0]
    assert first == second
