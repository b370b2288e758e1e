"""Regression guard: a small run of bench/run.py, judged by ratios only (never absolute times).

60 feeds x 20 entries, syndicate and reader side by side on the same farm in one run. It
fails only when a ratio is off its target by a wide margin (the targets, measured on
the full farm, are in bench/README.md):

* a first sync costing more than 3x reader's CPU (target: 8x faster on the full farm);
* an everything-304 pass costing more than 4x reader's CPU;
* a pass where 10% of the feeds changed costing more than 60% of a cold sync (target 15%).

CPU seconds (the process tree's), not wall time: CI runs other tests beside this one, and
waiting for a core is not the pipeline's cost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("reader", reason="the bench compares against lemon24's reader")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_bench_ratios(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--feeds", "60", "--entries", "20",
         "--systems", "syndicate,reader", "--json-out", str(out)],
        capture_output=True, text=True, timeout=280, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    data = json.loads(out.read_text())
    cpu = {(m["system"], m["phase"]): m["cpu"] for m in data["results"]}
    assert cpu[("syndicate", "cold")] <= 3 * cpu[("reader", "cold")], run.stdout
    assert cpu[("syndicate", "304")] <= 4 * cpu[("reader", "304")], run.stdout
    assert cpu[("syndicate", "changed")] <= 0.6 * cpu[("syndicate", "cold")], run.stdout
