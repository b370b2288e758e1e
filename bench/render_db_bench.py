"""Benchmark: regenerating outputs from a large database, through the pipeline's own render stage.

    .venv/bin/python bench/render_db_bench.py [--articles 100000] [--outputs 20] [--limit 50]

Fills a fresh SQLite database with ARTICLES stored articles from 500 sources (the bulk
filler of bench/memory.py), configures OUTPUTS outputs of LIMIT entries (half over all
sources, half over a glob of sources), and times ``render_outputs`` — selection by the
``sort_at`` index, rendering in three formats, writing only what changed — twice: the
first pass writes every file, the second finds them all unchanged. Repeats at a tenth of
the size to show the cost does not grow with the database.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import bulk_fill

from syndicate.config import config_from_dict
from syndicate.pipeline.context import Context
from syndicate.pipeline.render import render_outputs
from syndicate.store import open_engine


def measure(articles: int, outputs: int, limit: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = folder / "bench.db"
        open_engine(f"sqlite:///{database}").dispose()
        fill = bulk_fill(database, articles)
        raw = {
            "syndicate": {"feeds_dir": "feeds", "database": f"sqlite:///{database}"},
            "source": [{"name": f"bulk-{i:03d}", "url": f"https://bulk{i}.example/feed"} for i in range(500)],
            "output": [
                {"name": f"out{i}", "limit": limit, "sources": ["*"] if i % 2 == 0 else [f"bulk-{i % 10}*"]}
                for i in range(outputs)
            ],
        }
        config = config_from_dict(raw, folder / "syndicate.toml", environ={})
        ctx = Context.open(config=config)
        started = time.perf_counter()
        first = render_outputs(ctx)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        second = render_outputs(ctx)
        warm = time.perf_counter() - started
        assert first.written == outputs * 3 and second.written == 0, (first, second)
        ctx.close()
        return fill, cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--outputs", type=int, default=20)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    print(f"{args.outputs} outputs x {args.limit} entries, Atom + RSS + JSON Feed each")
    print("| stored articles | fill s | render (writes all) s | render again (unchanged) s |")
    print("|---:|---:|---:|---:|")
    for size in (args.articles // 10, args.articles):
        fill, cold, warm = measure(size, args.outputs, args.limit)
        print(f"| {size:,} | {fill:.1f} | {cold:.2f} | {warm:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
