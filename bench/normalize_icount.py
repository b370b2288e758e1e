"""Normalization cost per entry in CPU instructions (load-independent), for this tree or another.

Builds the bench farm's documents (``farm_documents(feeds=4, entries=50)``: 200 entries), parses
them once and normalizes every entry ``N`` times, as bench/normalize_bench.py does. Run it under
cachegrind with N=1 and N=3: the difference is two normalizations of the 200 entries, without the
imports, the start-up and the first-entry cost (regex compilation, caches):

    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python bench/normalize_icount.py 1 [TREE]
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python bench/normalize_icount.py 3 [TREE]
    # instructions per entry = (I refs of N=3 - I refs of N=1) / 400
    # (PYTHONHASHSEED=0 in the environment makes the count repeat to the instruction; without it,
    # runs differ by ~0.1 %)

``TREE`` (default: this tree) is the project tree whose ``syndicate`` package is imported, e.g. a
``git worktree add --detach ../base adfbd5d`` of the commit to compare with; it is put first on
``sys.path`` and the package imported is printed (check it). The farm's documents are always this
tree's (tests/perf/farm_docs.py), so both trees normalize the same entries.

Without valgrind it prints the CPU time of the N passes (time.process_time), a rough check only.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    tree = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else ROOT
    sys.path.insert(0, str(ROOT))
    from tests.perf.farm_docs import farm_documents  # this tree's: the same documents for every tree

    docs = farm_documents(feeds=4, entries=50)
    sys.path.remove(str(ROOT))
    sys.path.insert(0, str(tree))
    for name in [m for m in sys.modules if m == "syndicate" or m.startswith("syndicate.")]:
        del sys.modules[name]  # farm_docs may have imported this tree's package
    import syndicate
    from syndicate.config import SourceConfig
    from syndicate.normalize import normalize_entry
    from syndicate.parse import parse_feed

    source = SourceConfig(name="bench", url="http://127.0.0.1:1/feed.xml")
    headers = {"content-type": "application/xml"}
    feeds = [parse_feed(body, headers, f"http://127.0.0.1:1/feeds/{i:04d}.xml") for i, _fmt, body in docs]
    started = time.process_time()
    count = 0
    for _ in range(passes):
        for feed in feeds:
            for entry in feed.entries:
                normalize_entry(entry, feed, source)
                count += 1
    done = time.process_time()
    print(f"package {syndicate.__file__}")
    print(f"{count} normalizations ({passes} x {count // max(passes, 1)} entries), {done - started:.3f} CPU-s")


if __name__ == "__main__":
    main()
