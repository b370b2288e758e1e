"""CPU per farm entry of the calls into C and Rust that a sync must make (a lower bound for it).

    .venv/bin/python bench/library_costs.py              # 100 feeds x 50 entries
    .venv/bin/python bench/library_costs.py --feeds 40

Each line times one library call over every entry (``time.process_time`` of a second run,
after a warm-up): the XML parse fastfeedparser does, the two nh3 passes and the lxml parse
and serialization of the cleaning pass, and the recognizer table over every paragraph. What
the pipeline does besides these is Python; the sum is what no Python change can remove.
bench/README.md counts the bare floor's whole pass (fetch, this XML parse, a bulk insert;
measured by bench/run.py) in place of the first line.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import fastfeedparser  # noqa: E402
import lxml.html  # noqa: E402

from syndicate.attribution.notices import find_hits  # noqa: E402
from syndicate.normalize.body import clean_body  # noqa: E402
from syndicate.normalize.sanitize import resanitize, sanitize  # noqa: E402
from syndicate.normalize.text import html_to_text  # noqa: E402
from syndicate.parse import parse_feed  # noqa: E402
from tests.perf.farm_docs import farm_documents  # noqa: E402

_PARAGRAPH_END = re.compile(r"</p>|</li>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    args = parser.parse_args()
    docs = farm_documents(feeds=args.feeds, entries=args.entries)
    headers = {"content-type": "application/xml"}
    feeds = [parse_feed(body, headers, f"http://127.0.0.1:1/{i}.xml") for i, _, body in docs]
    bodies = [e.content_html or e.summary_html or "" for feed in feeds for e in feed.entries]
    count = len(bodies)
    base = "http://127.0.0.1:1/"
    cleaned = [clean_body(body, base).html for body in bodies]  # what the cleaning pass parses and re-sanitizes
    paragraphs = [p for body in cleaned for p in map(html_to_text, _PARAGRAPH_END.split(body)) if p]

    def per_entry(work: Callable[[], object]) -> float:
        work()  # warm-up
        started = time.process_time()
        work()
        return (time.process_time() - started) / count * 1e6

    rows = [
        ("XML parse (fastfeedparser)", per_entry(lambda: [fastfeedparser.parse(body) for _, _, body in docs])),
        ("nh3 sanitize", per_entry(lambda: [sanitize(body, base) for body in bodies])),
        ("nh3 after the cleaning pass", per_entry(lambda: [resanitize(body) for body in cleaned])),
        (
            "lxml parse + serialize",
            per_entry(lambda: [lxml.html.tostring(lxml.html.document_fromstring(b)) for b in cleaned if b]),
        ),
        ("recognizer table, every paragraph", per_entry(lambda: [find_hits(p, lead=False) for p in paragraphs])),
    ]
    print(f"{count} entries, {len(paragraphs) / count:.1f} paragraphs each")
    for name, micros in rows:
        print(f"{name:36s} {micros:7.1f} us/entry")
    print(f"{'sum of these lines':36s} {sum(m for _, m in rows):7.1f} us/entry")


if __name__ == "__main__":
    main()
