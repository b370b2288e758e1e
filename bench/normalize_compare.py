"""Normalization cost per entry of this tree against a git ref, interleaved on one machine in one run.

    .venv/bin/python bench/normalize_compare.py                # against adfbd5d (before issue #17), 8 pairs
    .venv/bin/python bench/normalize_compare.py --ref main --rounds 12

The ref is checked out with ``git worktree add --detach`` into a temporary directory (removed
at the end) and both trees' ``bench/normalize_bench.py`` are run with this Python, alternating
(ref, this tree, ref, this tree…) so that load from other jobs hits both alike. Each run is a
fresh process; the bench puts its own tree first on ``sys.path`` (checked: each run prints the
``syndicate`` package it imported). Prints each pair and the median of the ratios this/ref.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(tree: Path, extra: list[str]) -> float:
    """ms/entry of normalize for the bench of ``tree``, checking that ``tree``'s package ran."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['normalize_bench.py', *{extra!r}]\n"
        "runpy.run_path('bench/normalize_bench.py', run_name='__main__')\n"
        "import syndicate\n"
        "print('package', syndicate.__file__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True).stdout
    package = re.search(r"^package (.*)$", out, re.M)
    if package is None or not Path(package.group(1)).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the bench in {tree} imported {package.group(1) if package else '?'}")
    found = re.search(r"^normalize\s+([0-9.]+) ms/entry", out, re.M)
    if found is None:
        raise SystemExit(f"no normalize line in the output of {tree}:\n{out}")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="adfbd5d", help="the git ref to compare with (default: adfbd5d)")
    parser.add_argument("--rounds", type=int, default=8, help="pairs of runs (default: 8)")
    parser.add_argument("--bench-args", default="", help="arguments for normalize_bench.py, e.g. '--feeds 20'")
    args = parser.parse_args()
    extra = args.bench_args.split()
    with tempfile.TemporaryDirectory(prefix="normalize-compare-") as tmp:
        base = Path(tmp) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.ref], cwd=ROOT, check=True)
        try:
            ratios: list[float] = []
            for round_no in range(1, args.rounds + 1):
                ref_ms = run_bench(base, extra)
                this_ms = run_bench(ROOT, extra)
                ratios.append(this_ms / ref_ms)
                print(f"{round_no:2d}  {args.ref} {ref_ms:.3f}  this {this_ms:.3f}  ratio {ratios[-1]:.3f}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    print(f"median ratio this/{args.ref}: {statistics.median(ratios):.3f} "
          f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")


if __name__ == "__main__":
    main()
