"""Long fuzzing runs of the whole pipeline, for maintainers.

The same check CI runs a few hundred times (``tests/reliability/test_fuzz_pipeline.py``):
a random RSS/Atom/JSON Feed document goes through parse → normalize → merge →
render, and no exception may escape (a broken document may only raise
``ParseError``), normalizing twice must change nothing, no script URL, handler
or CSS expression may survive, and every output must be a valid document that
feedparser reads with the same number of entries.

    .venv/bin/python bench/fuzz.py --minutes 30            # hypothesis, random seed
    .venv/bin/python bench/fuzz.py --examples 100000 --seed 1
    .venv/bin/python bench/fuzz.py --atheris -- -max_total_time=3600   # coverage-guided (pip install atheris)

A failure prints the smallest document hypothesis found and exits 1; with
``--atheris`` the crashing input is written by libFuzzer (``crash-*``) and can be
replayed with ``bench/fuzz.py --replay FILE``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.reliability.feed_strategies import check_pipeline, feed_documents  # noqa: E402

FORMATS = ("rss", "atom", "json")


def run_hypothesis(examples: int | None, minutes: float | None, seed: int | None) -> int:
    """Rounds of ``_ROUND`` examples until ``examples`` are done or ``minutes`` are up.

    Time is checked between rounds, never inside the test: an exception raised there to stop
    would make hypothesis replay the example and report the replay as a flaky failure.
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    stop_at = time.monotonic() + minutes * 60 if minutes else None
    counts = {"documents": 0, "articles": 0}

    def check(document: tuple[str, bytes]) -> None:
        counts["articles"] += check_pipeline(*document)
        counts["documents"] += 1
        if counts["documents"] % 1000 == 0:
            print(f"{counts['documents']} documents, {counts['articles']} articles", flush=True)

    started = time.monotonic()
    asked = 0
    for round_number in itertools.count():
        size = _ROUND if examples is None else min(_ROUND, examples - asked)
        if size <= 0 or (stop_at is not None and time.monotonic() > stop_at):
            break
        fuzz = settings(
            max_examples=size, deadline=None, suppress_health_check=list(HealthCheck), database=None, print_blob=True
        )(given(feed_documents())(check))
        if seed is not None:  # each round its own seed, all of them fixed by --seed
            fuzz = hypothesis_seed(seed + round_number)(fuzz)
        try:
            fuzz()
        except Exception as exc:  # the failure hypothesis shrank: print it and fail
            print(f"FAILED after {counts['documents']} documents: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        asked += size
    elapsed = time.monotonic() - started
    print(f"ok: {counts['documents']} documents, {counts['articles']} articles, {elapsed:.0f}s, no failure")
    return 0


_ROUND = 500  # examples per hypothesis run


def run_atheris(argv: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: pip install atheris (optional)", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=["syndicate"]):  # coverage feedback from our own code
        import syndicate.dedupe
        import syndicate.normalize
        import syndicate.outputs
        import syndicate.parse  # noqa: F401

    def one_input(data: bytes) -> None:
        if not data:
            return
        check_pipeline(FORMATS[data[0] % 3], data[1:])

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()
    return 0


def replay(path: Path) -> int:
    data = path.read_bytes()
    fmt = FORMATS[data[0] % 3] if data else "rss"
    print(f"{check_pipeline(fmt, data[1:])} articles; no failure")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=None, help="stop after this many documents")
    parser.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (reproducible runs)")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided fuzzing with atheris/libFuzzer")
    parser.add_argument("--replay", type=Path, default=None, help="run one saved atheris input")
    parser.add_argument("rest", nargs="*", help="arguments for libFuzzer (after --)")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay)
    if args.atheris:
        return run_atheris(args.rest)
    if args.examples is None and args.minutes is None:
        args.minutes = 10.0
    return run_hypothesis(args.examples, args.minutes, args.seed)


if __name__ == "__main__":
    sys.exit(main())
