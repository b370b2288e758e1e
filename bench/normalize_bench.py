"""CPU per entry of the parse and normalize stages on the bench farm's documents (no network, no DB).

    .venv/bin/python bench/normalize_bench.py                 # 40 feeds x 50 entries
    .venv/bin/python bench/normalize_bench.py --feeds 100 --profile

Process CPU time (time.process_time) of a second run, after a warm-up run; with --profile,
cProfile's top lines of a third run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syndicate.config import SourceConfig  # noqa: E402
from syndicate.normalize import normalize_entry  # noqa: E402
from syndicate.parse import parse_feed  # noqa: E402
from tests.perf.farm_docs import farm_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    docs = farm_documents(feeds=args.feeds, entries=args.entries)
    source = SourceConfig(name="bench", url="http://127.0.0.1:1/feed.xml")
    headers = {"content-type": "application/xml"}

    def parse_all() -> list:
        return [parse_feed(body, headers, f"http://127.0.0.1:1/feeds/{i:04d}.xml") for i, _fmt, body in docs]

    def normalize_all(feeds: list) -> int:
        count = 0
        for feed in feeds:
            for entry in feed.entries:
                normalize_entry(entry, feed, source)
                count += 1
        return count

    feeds = parse_all()
    normalize_all(feeds)  # warm-up (regex caches, imports)
    started = time.process_time()
    feeds = parse_all()
    parsed = time.process_time()
    count = normalize_all(feeds)
    done = time.process_time()
    print(f"{count} entries from {len(docs)} feeds")
    print(f"parse      {(parsed - started) / count * 1000:.3f} ms/entry")
    print(f"normalize  {(done - parsed) / count * 1000:.3f} ms/entry")
    print(f"both       {(done - started) / count * 1000:.3f} ms/entry")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        normalize_all(parse_all())
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
