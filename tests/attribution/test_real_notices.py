"""The real-notices score, run the way a user would (``score-notices.py``: one ``syndicate sync``
of a republisher feed per case, then ``syndicate articles --json``), held at the level reached.

The cases (``tests/data/real-notices/cases.json``) and the scorer are copies of
``../shared/fixtures/real-notices/cases.json`` and ``../shared/tools/score-notices.py`` so this
runs from a fresh clone. Mutation that kills it: drop ``es.origin.publicado-originalmente`` from
``syndicate/attribution/phrases/es.toml`` (three Spanish cases fail, 36/39), or make
``edge_cut`` in notices.py return None (the glued credits stay: 33/39).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("markdown")  # the scorer renders the Markdown cases with it (the test extra has it)

DATA = Path(__file__).resolve().parents[1] / "data" / "real-notices"
LEVEL = 39  # of 39: the level reached with issue #17; never lower it to make a change pass


def _score() -> tuple[int, int, str]:
    exe = Path(sys.executable).with_name("syndicate")
    result = subprocess.run(
        [sys.executable, str(DATA / "score-notices.py"), "--exe", str(exe), "--cases", str(DATA / "cases.json")],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    match = re.search(r"real notices: (\d+)/(\d+) cases right", result.stdout)
    assert match, f"no score line: {result.stdout[-800:]} {result.stderr[-800:]}"
    return int(match.group(1)), int(match.group(2)), result.stdout


@pytest.mark.slow
def test_real_notices_score_holds_and_no_look_alike_is_touched() -> None:
    right, total, report = _score()
    assert total == 39
    assert "look-alike" not in report, report  # a trap (a post about a tip jar…) was mined or removed
    assert right >= LEVEL, report
