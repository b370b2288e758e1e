"""Cross-source matching measured on a labelled near-miss set: precision must be 1.0.

The set is every entry whose guid ``matching_truth`` (cases.json) labels with a story id,
plus the two shared copies of the Idlib article. Two entries are the same article exactly
when their story ids are equal. Pairs are judged by ``same_article`` and by the store's
grouping (``cluster``) in several arrival orders.
"""

from __future__ import annotations

import itertools
import json
import random

from syndicate.dedupe import cluster, same_article
from syndicate.models import NormalizedEntry
from tests.attribution.conftest import DATA, FEEDS, SHARED, normalize_file

TRUTH: dict[str, str] = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))["matching_truth"]
SHARED_TRUTH = {"https://www.globalresearch.ca/?p=5704213": "idlib", "https://southfront.org/?p=301101": "idlib"}


def labelled() -> list[tuple[NormalizedEntry, str]]:
    truth = {**TRUTH, **SHARED_TRUTH}
    out = []
    for folder in (FEEDS, SHARED):
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".rss", ".atom", ".rdf", ".json") or path.name == "expected.json":
                continue
            for entry in normalize_file(path):
                if entry.guid in truth:
                    out.append((entry, truth[entry.guid]))
    return out


def _score(pairs: list[tuple[bool, bool]]) -> tuple[float, float]:
    tp = sum(1 for predicted, actual in pairs if predicted and actual)
    fp = sum(1 for predicted, actual in pairs if predicted and not actual)
    fn = sum(1 for predicted, actual in pairs if not predicted and actual)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def test_same_article_precision_is_one() -> None:
    items = labelled()
    assert len(items) >= 15
    pairs = [(same_article(a, b), sa == sb) for (a, sa), (b, sb) in itertools.combinations(items, 2)]
    false_merges = [
        (a.source, a.title, b.source, b.title)
        for (a, sa), (b, sb) in itertools.combinations(items, 2)
        if sa != sb and same_article(a, b)
    ]
    precision, recall = _score(pairs)
    print(f"same_article on {len(items)} entries / {len(pairs)} pairs: precision {precision:.3f}, recall {recall:.3f}")
    assert false_merges == []
    assert precision == 1.0
    assert recall >= 0.6  # the matcher must still find copies (a matcher that never merges fails here)


def test_same_article_is_symmetric() -> None:
    items = [e for e, _ in labelled()]
    for a, b in itertools.combinations(items, 2):
        assert same_article(a, b) == same_article(b, a), (a.title, a.source, b.source)


def test_store_grouping_precision_in_any_arrival_order() -> None:
    items = labelled()
    rng = random.Random(20240506)
    for _ in range(20):
        rng.shuffle(items)
        groups = cluster([e for e, _ in items])
        story_of = {id(e): s for e, s in items}
        for group in groups:
            stories = {story_of[id(e)] for e in group}
            assert len(stories) == 1, f"merged different stories: {sorted(stories)}"
        found = {s for group in groups for s in {story_of[id(e)] for e in group} if len(group) > 1}
        assert {"coral", "aquifer-1", "idlib"} <= found
