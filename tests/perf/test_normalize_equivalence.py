"""normalize_entry and clean_body give exactly what they gave before they were made cheaper.

The golden file (tests/data/perf/normalize_golden.json) holds every entry of every feed
under tests/data and a bench-farm sample, normalized with a plain source and with one
carrying rules, rights, tags and a publisher, plus the attribution bodies cleaned on their own
(see tests/perf/normalize_golden.py).
"""

from __future__ import annotations

import json

from tests.perf.normalize_golden import GOLDEN, compute


def test_normalize_matches_the_golden_file() -> None:
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = compute()
    assert sorted(got) == sorted(want)
    different = [key for key in want if got[key] != want[key]]
    assert not different, f"{len(different)} results differ, first: {different[:5]}"


def test_cleaning_is_idempotent_on_the_golden_bodies() -> None:
    from syndicate.normalize.body import clean_body

    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    bodies = [v["html"] for k, v in want.items() if k.startswith("body:") and v["html"]]
    assert bodies
    for html in bodies:
        assert clean_body(html, "https://golden.example/a/b").html == html
