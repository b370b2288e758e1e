"""The extra real-notices set, scored the way a user would (``score-notices.py``: one ``syndicate sync``
of a republisher feed per case, then ``syndicate articles --json``), held at the level reached.

``tests/data/real-notices/extra-cases.json`` holds 87 notices collected verbatim from real pages
(the source URL is in each case's ``notes``), in the shared set's schema, with ids ``x01``… so
they never share a body with the shared set's ``n``/``m`` cases: Italian and Chinese notices,
more Spanish, French, German and Portuguese ones, wire bylines and datelines, Creative Commons
footers, appeals, image credits in captions and look-alikes that must stay. Cases x63–x82 were
collected after the first round of fixes and scored 6/20 before the rows written for them;
x83–x87 after the second round, 1/5 as found (two kinds were then added: labelled bylines and
book-excerpt notes; a re-run told in the author's voice and bare "Magazine date / Name" lines
stay unread).

Mutations that kill it: drop ``it.origin.testata-data`` from ``phrases/it.toml`` (six Italian
newspaper credits fail: 78/87), or ``en.origin.wire-dateline`` from ``phrases/en.toml`` (the Reuters
datelines), or the Chinese CC names (``_ZH_LONG``) from licenses.py (x17, x18).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("markdown")  # the scorer renders the Markdown cases with it (the test extra has it)

DATA = Path(__file__).resolve().parents[1] / "data" / "real-notices"
LEVEL = 84  # of 87 (x12, x83, x85 stay unread: see above); never lower it to make a change pass


def _score() -> tuple[int, int, str]:
    exe = Path(sys.executable).with_name("syndicate")
    result = subprocess.run(
        [sys.executable, str(DATA / "score-notices.py"), "--exe", str(exe), "--cases", str(DATA / "extra-cases.json")],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    match = re.search(r"real notices: (\d+)/(\d+) cases right", result.stdout)
    assert match, f"no score line: {result.stdout[-800:]} {result.stderr[-800:]}"
    return int(match.group(1)), int(match.group(2)), result.stdout


@pytest.mark.slow
def test_extra_real_notices_score_holds_and_no_look_alike_is_touched() -> None:
    right, total, report = _score()
    assert total == 87
    assert "look-alike" not in report, report  # a caption credit or an article about licences was mined or removed
    assert right >= LEVEL, report
