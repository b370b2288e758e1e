"""The everything-304 pass, syndicate against the floor, alternated N times on one farm.

    .venv/bin/python bench/repeat_304.py            # 10 rounds on 1,000 feeds x 50 entries
    .venv/bin/python bench/repeat_304.py --rounds 20

A 304 pass lasts about a second, so one measurement of it on a shared VM moves by ±10 %;
``bench/run.py`` measures it once per system. This script makes both systems' databases
once (a cold pass each), then runs their 304 passes in turn (floor, syndicate, floor, …) and
prints the medians and the median of the paired ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the farm, the systems, the measuring

SYSTEMS = ("floor", "syndicate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    args = parser.parse_args()
    options = argparse.Namespace(reader_workers=8)
    run.precompile_project()
    farm = run.FarmProcess(args.feeds, args.entries)
    try:
        with tempfile.TemporaryDirectory(prefix="syndicate-304-") as tmp:
            urls = [farm.url(i) for i in range(args.feeds)]
            for system in SYSTEMS:
                workdir = Path(tmp) / system
                workdir.mkdir()
                (workdir / "urls.json").write_text(json.dumps(urls))
                if system == "syndicate":
                    run.write_syndicate_config(workdir, urls)
                cold = run.measure(system, "cold", run.system_argv(system, workdir, "cold", options))
                print(f"{system}: cold pass {cold.wall:.2f} s", file=sys.stderr, flush=True)
                if not cold.ok:
                    print(f"{system}: the cold pass failed: {cold.note}", file=sys.stderr)
                    return 1
            walls: dict[str, list[float]] = {system: [] for system in SYSTEMS}
            for _ in range(args.rounds):
                for system in SYSTEMS:
                    argv = run.system_argv(system, Path(tmp) / system, "304", options)
                    run.settle()
                    walls[system].append(run.measure(system, "304", argv).wall)
    finally:
        farm.close()
    for system, values in walls.items():
        listed = ", ".join(f"{v:.2f}" for v in values)
        print(f"{system:9} 304 median {statistics.median(values):.3f} s  min {min(values):.3f} s  ({listed})")
    paired = [s / f for s, f in zip(walls["syndicate"], walls["floor"], strict=True)]
    print(f"syndicate / floor: median of paired ratios {statistics.median(paired):.3f} (target <= 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
