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


def test_global_research_notices_are_split_by_kind_without_placeholders() -> None:
    article = ingest(SHARED, ["global-research.rss"])[0]
    kinds = [n.kind for n in article.rights.notices]
    assert sorted(kinds) == ["disclaimer", "fair-use", "permission"]
    by_kind = {n.kind: n.text for n in article.rights.notices}
    assert by_kind["disclaimer"].startswith("Disclaimer:") and "grants permission" not in by_kind["disclaimer"]
    assert by_kind["permission"].startswith("The Centre of Research on Globalization grants permission")
    assert "email" not in by_kind["permission"]
    assert article.rights.license == "permission"
    assert article.attribution.republishers[0].name == "Global Research"
    assert article.attribution.original_author == "South Front"
