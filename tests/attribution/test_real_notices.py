"""The real-notices score, run the way a user would (``score-notices.py``: one ``syndicate sync``
of a republisher feed per case, then ``syndicate articles --json``), held at the level reached.

The cases (``tests/data/real-notices/cases.json``) and the scorer are copies of
``../shared/fixtures/real-notices/cases.json`` and ``../shared/tools/score-notices.py`` so this
runs from a fresh clone. Mutation that kills it: drop ``es.origin.publicado-originalmente`` from
``syndicate/attribution/phrases/es.toml`` (three Spanish cases fail, 36/39), or make
``edge_cut`` in notices.py return None (the glued credits stay: 33/39).

``tests/data/real-notices/extra-cases.json`` holds 87 more notices collected verbatim from real
pages (the source URL is in each case's ``notes``), in the shared set's schema, with ids ``x01``…
so they never share a body with the shared set's ``n``/``m`` cases: Italian and Chinese notices,
more Spanish, French, German and Portuguese ones, wire bylines and datelines, Creative Commons
footers, appeals, image credits in captions and look-alikes that must stay. Cases x63–x82 were
collected after the first round of rows and scored 6/20 before the rows written for them; x83–x87
after the second round, 1/5 as found (a re-run told in the author's voice and bare "Magazine date /
Name" lines stay unread). Mutations that kill it: drop ``it.origin.testata-data`` from
``phrases/it.toml`` (six Italian newspaper credits fail: 78/87), or ``en.origin.wire-dateline``
from ``phrases/en.toml`` (the Reuters datelines), or the Chinese names from ``LOCAL_ELEMENT_NAMES``
in licenses.py (x17, x18).

``tests/data/real-notices/fresh-cases.json`` holds 165 more (ids ``f01``…), collected for issue #17's
generalization work from other sites and site sources, each marked with its ``half``: ``dev`` (looked
at while the rows were written), ``test`` (scored only before and after: 20/52, then 40/52),
``test2`` (a later batch: 12/32 on main and after the first round; read for the second, 20/32),
``dev2``, and ``test3`` (after the second round: 15/27 on main and on the branch; 16/27 once a
regression it showed was fixed). A case may name its own ``marker`` (a credit glued to the
article's sentence). Mutations that kill it: drop the ``origin.feed-footer`` rows (the WordPress
footers in seven languages: 121/165), or make ``from_name`` in licenses.py ignore ``_LOCAL`` (the
licences named in other languages: 119/165). ``test4`` and ``test5`` were each collected and scored
before the round that followed them (20/39 and 25/61 on arrival); ``test5`` was not read to write rows.
Mutation that kills the fifth round's level: make the ``{PLACE}`` placeholder in recognizers.py plain
``{PUB}`` (``Language._place`` returning ``pub``): the places written with a place word or only
described are lost (212/265). The sixth round read ``test5`` to write rows by kind (32/61 → 55/61).

``test6`` (62 cases, ids ``t6-01``…) is a held-out batch collected after the fifth round from sites in
none of the other sets, scored on arrival (22/62) and never read to write rows; after the sixth round
(written from test5 alone) it scores 23/62. It is counted apart (``HELD_OUT``), so the level of the 265
other cases is checked as before: its own level is its score now, and of its look-alikes only the one
still broken may stay broken (fixing it is fine, breaking another is not).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("markdown")  # the scorer renders the Markdown cases with it (the test extra has it)

DATA = Path(__file__).resolve().parents[1] / "data" / "real-notices"
# cases file → (cases, the level reached with issue #17), held-out halves left out; never lower a level
# to make a change pass
LEVELS = {
    "cases.json": (39, 39),
    "extra-cases.json": (87, 84),  # x12, x83, x85 stay unread
    # dev 47/47, test 49/52, test2 26/32, dev2 7/7, test3 26/27, test4 37/39 (38 in its own half: f202 and f180
    # share a body's words, so the full run stores one), test5 55/61 (25 on arrival, 32 after the fifth round, 55
    # after the sixth, which read it as a development half; docs/attribution-real-text.md)
    "fresh-cases.json": (265, 247),
}
# cases file → {held-out half: (cases, right on arrival, look-alikes broken on arrival)}
HELD_OUT = {
    # 22 on arrival (e6980e4, t6-41 and t6-44 broken); 23 after the sixth round, which never read it (t6-41 fixed)
    "fresh-cases.json": {"test6": (62, 23, {"t6-44"})},
}


def _score(cases: str) -> tuple[int, int, dict[str, str], str]:
    """Right, total, and each case's verdict ('ok' or what was wrong) from one run of the scorer."""
    exe = Path(sys.executable).with_name("syndicate")
    result = subprocess.run(
        [sys.executable, str(DATA / "score-notices.py"), "-v", "--exe", str(exe), "--cases", str(DATA / cases)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    match = re.search(r"real notices: (\d+)/(\d+) cases right", result.stdout)
    assert match, f"no score line: {result.stdout[-800:]} {result.stderr[-800:]}"
    lines = {ln.split(" ", 3)[2]: ln for ln in result.stdout.splitlines() if ln.startswith("  ")}
    verdicts = {}
    for case in json.loads((DATA / cases).read_text()):
        prefix = f"  {case['id']} [{case['lang']}, {case['kind']}]: "
        line = lines.get(case["id"], "")
        assert line.startswith(prefix), f"no verdict for {case['id']}: {result.stdout[-800:]}"
        verdicts[case["id"]] = line[len(prefix) :]
    return int(match.group(1)), int(match.group(2)), verdicts, result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("cases", sorted(LEVELS))
def test_real_notices_score_holds_and_no_look_alike_is_touched(cases: str) -> None:
    right, total, verdicts, report = _score(cases)
    assert total == len(verdicts)
    assert right == sum(verdict == "ok" for verdict in verdicts.values())
    halves = {case["id"]: case.get("half", "") for case in json.loads((DATA / cases).read_text())}
    held = HELD_OUT.get(cases, {})
    rest = [cid for cid in verdicts if halves[cid] not in held]
    assert len(rest) == LEVELS[cases][0]
    # a trap (a post about a tip jar, a caption credit…) was touched
    assert not [cid for cid in rest if "look-alike" in verdicts[cid]], report
    assert sum(verdicts[cid] == "ok" for cid in rest) >= LEVELS[cases][1], report
    for half, (count, level, broken_on_arrival) in held.items():
        ids = [cid for cid in verdicts if halves[cid] == half]
        assert len(ids) == count
        touched = {cid for cid in ids if "look-alike" in verdicts[cid]}
        assert touched <= broken_on_arrival, report  # a look-alike of the held-out half newly touched
        assert sum(verdicts[cid] == "ok" for cid in ids) >= level, report
