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
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.reliability.feed_strategies import check_pipeline, feed_documents  # noqa: E402

FORMATS = ("rss", "atom", "json")


def run_hypothesis(examples: int | None, minutes: float | None, seed: int | None) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    stop_at = time.monotonic() + minutes * 60 if minutes else None
    counts = {"documents": 0, "articles": 0}

    @settings(
        max_examples=examples or 10**9,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        print_blob=True,
    )
    @given(feed_documents())
    def fuzz(document: tuple[str, bytes]) -> None:
        if stop_at is not None and time.monotonic() > stop_at:
            raise _Done
        counts["articles"] += check_pipeline(*document)
        counts["documents"] += 1
        if counts["documents"] % 1000 == 0:
            print(f"{counts['documents']} documents, {counts['articles']} articles", flush=True)

    if seed is not None:
        fuzz = hypothesis_seed(seed)(fuzz)
    started = time.monotonic()
    try:
        fuzz()
    except _Done:
        pass
    except Exception as exc:  # the failure hypothesis shrank: print it and fail
        print(f"FAILED after {counts['documents']} documents: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"ok: {counts['documents']} documents, {counts['articles']} articles, {elapsed:.0f}s, no failure")
    return 0


class _Done(Exception):
    """Time is up (raised inside the test so hypothesis stops cleanly)."""


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
