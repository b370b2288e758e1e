"""The per-module mutation table of docs/mutation-report.md, from ``mutants/`` after a run.

    .venv/bin/python tests/mutation/score_table.py [--rechecked FILE]... [--equivalent FILE] PREFIX...

``--rechecked``: the output of recheck_survivors.py (lines ``killed NAME``): survivors killed by the
new tests. ``--equivalent``: mutant names written down as equivalent, one a line (``#`` comments).
Score of the run: killed ÷ run; score now: (killed + killed by new tests) ÷ (run − equivalent), with
a 95 % Wilson interval (what a sampled run needs; for a full run it is the spread of a same-size
sample). Timeouts count as killed, "no tests" mutants as neither.

``--sample FILE``: mutant names drawn at random (seeded; tests/mutation/samples/) from the mutants
of a module not run yet. For a module run partly in full and partly by sample, the last column
estimates the whole module's score now: the mutants run in full count as they are, the rest of the
module (the pool the sample was drawn from: the sample and what is still not run) at the sample's
rate, with a 95 % interval from the sample alone.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

MUTANTS = Path(__file__).resolve().parents[2] / "mutants"
KILLED = {1, 3, 36, -24, 24, 152, 255}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def estimate(
    codes: dict[str, int | None], sampled: set[str], rechecked: set[str], equivalent: set[str]
) -> tuple[float, float, float] | None:
    """Whole-module score now: (score, 95 % half-width, mutants it counts), the mutants run in full
    as they are plus the pool (sample and not run) at the sample's rate; None when nothing ran."""
    def verdicts(names: list[str]) -> tuple[int, int]:  # (killed now, counted)
        counted = [n for n in names if codes[n] is not None and codes[n] != 33
                   and not (codes[n] == 0 and n in equivalent and n not in rechecked)]
        return sum(1 for n in counted if codes[n] in KILLED or n in rechecked), len(counted)

    sample = [n for n in codes if n in sampled and codes[n] is not None]
    full = [n for n in codes if n not in sampled and codes[n] is not None]
    k1, n1 = verdicts(full)
    k2, n2 = verdicts(sample)
    if n2 == 0:
        return (k1 / n1, 0.0, float(n1)) if n1 else None
    pool = len([n for n in codes if n in sampled or codes[n] is None])
    weight2 = pool * n2 / len(sample)  # the pool's mutants a test reaches, estimated
    p2 = k2 / n2
    p = (k1 + weight2 * p2) / (n1 + weight2)
    share = weight2 / (n1 + weight2)
    spread = math.sqrt(p2 * (1 - p2) / n2) if 0 < p2 < 1 else (1 - wilson(k2, n2)[0]) / 1.96
    return (p, 1.96 * share * spread, n1 + weight2)


def shown(value: tuple[float, float, float] | None) -> str:
    if value is None:
        return "—"
    p, half, _ = value
    return f"{100 * p:.1f} %" + (f" ± {100 * half:.1f}" if half else " (all run)")


def main(argv: list[str]) -> int:
    rechecked: set[str] = set()
    equivalent: set[str] = set()
    prefixes: list[str] = []
    sampled: set[str] = set()
    args = iter(argv)
    for arg in args:
        if arg == "--sample":
            sampled |= set(Path(next(args)).read_text(encoding="utf-8").split())
            continue
        if arg == "--rechecked":
            lines = Path(next(args)).read_text(encoding="utf-8").splitlines()
            rechecked |= {line.split()[1] for line in lines if line.startswith("killed ")}
        elif arg == "--equivalent":
            lines = Path(next(args)).read_text(encoding="utf-8").splitlines()
            equivalent |= {line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()}
        else:
            prefixes.append(arg)
    print("| module | mutants | run | killed | survived | score of the run | killed by new tests | equivalent"
          " | still surviving | score now (95 % interval) | no tests | not run | of them sampled | module estimate |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals: dict[str, dict[str, int | None]] = {p: {} for p in prefixes}
    parts: dict[str, list[tuple[float, float, float]]] = {p: [] for p in prefixes}
    for meta in sorted(MUTANTS.glob("syndicate/**/*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[: -len(".py.meta")].replace("/", ".")
        if not any(module.startswith(p) for p in prefixes):
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for prefix in prefixes:
            if module.startswith(prefix):
                totals[prefix].update(codes)
        value = row(module, codes, sampled, rechecked, equivalent)
        if value is not None:
            for prefix in prefixes:
                if module.startswith(prefix):
                    parts[prefix].append(value)
    for prefix, codes in totals.items():  # a package: its modules' estimates weighted by their size
        weight = sum(w for _, _, w in parts[prefix])
        value = None
        if weight:
            p = sum(p * w for p, _, w in parts[prefix]) / weight
            value = (p, math.sqrt(sum((h * w) ** 2 for _, h, w in parts[prefix])) / weight, weight)
        row(f"{prefix} (all)", codes, sampled, rechecked, equivalent, value)
    return 0


def row(
    module: str, codes: dict[str, int | None], sampled: set[str], rechecked: set[str], equivalent: set[str],
    value: tuple[float, float, float] | None = None,
) -> tuple[float, float, float] | None:
    """One line of the table; gives the module's estimate."""
    if not codes:
        return None
    run = [n for n, c in codes.items() if c is not None and c != 33]
    killed = [n for n in run if codes[n] in KILLED]
    survived = [n for n in run if codes[n] == 0]
    other = [n for n in run if codes[n] not in KILLED and codes[n] != 0]
    new = [n for n in survived if n in rechecked]
    equiv = [n for n in survived if n in equivalent and n not in rechecked]
    left = len(survived) - len(new) - len(equiv)
    base = len(run) - len(equiv)
    now = len(killed) + len(new)
    low, high = wilson(now, base)
    score_run = f"{100 * len(killed) / len(run):.1f} %" if run else "—"
    score_now = f"{100 * now / base:.1f} % ({100 * low:.0f}–{100 * high:.0f})" if base else "—"
    no_tests = sum(1 for c in codes.values() if c == 33)
    not_run = sum(1 for c in codes.values() if c is None)
    note = f" ({len(other)} other)" if other else ""
    in_sample = [n for n in run if n in sampled]
    print(f"| `{module}` | {len(codes)} | {len(run)} | {len(killed)}{note} | {len(survived)} | {score_run} |"
          f" {len(new)} | {len(equiv)} | {left} | {score_now} | {no_tests} | {not_run} | {len(in_sample)} |"
          f" {shown(value or estimate(codes, sampled, rechecked, equivalent))} |")
    return estimate(codes, sampled, rechecked, equivalent)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
