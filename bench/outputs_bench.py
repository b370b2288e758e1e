"""Benchmark: regenerating outputs and serving them.

    .venv/bin/python bench/outputs_bench.py [--outputs 20] [--entries 50] [--requests 6000] [--clients 8]

1. Rendering: OUTPUTS outputs × ENTRIES synthetic articles, each in Atom, RSS
   and JSON Feed, then written with write_if_changed (a first pass that writes,
   a second that finds every file unchanged).
2. Serving: the waitress app in its own process on 127.0.0.1, CLIENTS client
   threads (http.client, keep-alive) sending a 304-heavy mix (80% If-None-Match
   hits, 20% full gzip GETs) across every document. waitress closes the
   connection after each 304 (it sends no Content-Length there), so those
   requests include a new TCP connection.

Prints a small table. The 100,000-article database part is wired by the pipeline.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import multiprocessing
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Literal

from syndicate.config import OutputConfig, Settings
from syndicate.models import Article, Attribution, Copy, Republisher, Rights, SourceFeedInfo
from syndicate.outputs import render_feed, write_if_changed
from syndicate.serve import make_app, start_in_thread

FORMATS: tuple[Literal["atom", "rss", "json"], ...] = ("atom", "rss", "json")
PARAGRAPH = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8 + "</p>"


def synthetic_articles(count: int, seed: int) -> list[Article]:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles = []
    for n in range(count):
        when = start + timedelta(minutes=17 * n + rng.randint(0, 10))
        publisher = f"Publisher {n % 7}"
        articles.append(
            Article(
                id=f"{seed}-{n}",
                title=f"Article {n} from {publisher}",
                url=f"https://pub{n % 7}.example/articles/{n}",
                published=when,
                updated=when + timedelta(hours=1),
                authors=(f"Author {n % 13}",),
                summary="A short summary of the article. " * 3,
                content_html=PARAGRAPH * rng.randint(3, 12),
                tags=("world", f"topic-{n % 5}"),
                language="en",
                copies=(Copy("aggregator", f"https://agg.example/{n}", f"agg-{n}"),),
                attribution=Attribution(
                    original_publisher=publisher,
                    original_author=f"Author {n % 13}",
                    original_url=f"https://pub{n % 7}.example/articles/{n}",
                    republishers=(Republisher("Aggregator", f"https://agg.example/{n}"),),
                    original_feed=SourceFeedInfo(title=publisher, url=f"https://pub{n % 7}.example/feed"),
                ),
                rights=Rights(holder=publisher, license="CC-BY-4.0",
                              license_url="https://creativecommons.org/licenses/by/4.0/"),
                content_hash=f"h{n}",
            )
        )
    articles.reverse()  # newest first
    return articles


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def bench_render(feeds: Path, outputs: int, entries: int) -> list[tuple[str, str, str, str]]:
    settings = Settings(base_url="http://127.0.0.1/", hubs=["https://hub.example/"])
    configs = [OutputConfig(name=f"out{i}", title=f"Output {i}") for i in range(outputs)]
    data = {c.name: synthetic_articles(entries, seed=i) for i, c in enumerate(configs)}
    documents: dict[tuple[str, str], bytes] = {}
    per_format: dict[str, float] = dict.fromkeys(FORMATS, 0.0)

    for config in configs:
        for fmt in FORMATS:
            start = time.perf_counter()
            documents[(config.name, fmt)] = render_feed(config, fmt, data[config.name], settings=settings)
            per_format[fmt] += time.perf_counter() - start

    def write_all() -> int:
        return sum(write_if_changed(feeds / f"{name}.{fmt}", body) for (name, fmt), body in documents.items())

    first = time.perf_counter()
    written = write_all()
    first_write = time.perf_counter() - first
    second = time.perf_counter()
    rewritten = write_all()
    second_write = time.perf_counter() - second
    render_total = sum(per_format.values())
    size = sum(len(b) for b in documents.values())
    rows = [
        (f"render {fmt}", f"{outputs} docs", f"{per_format[fmt]:.3f}", f"{per_format[fmt] / outputs * 1000:.1f} ms/doc")
        for fmt in FORMATS
    ]
    rows.append(("render all", f"{len(documents)} docs", f"{render_total:.3f}", f"{size / 1e6:.1f} MB total"))
    rows.append(("write (changed)", f"{written} files", f"{first_write:.3f}", "tmp+fsync+rename"))
    rows.append(("write (unchanged)", f"{rewritten} files", f"{second_write:.3f}", "compare only"))
    return rows


def _server_process(feeds: str, ready: Connection, stop: Event) -> None:
    """The server in its own process, so client threads do not share its GIL."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = make_app(Path(feeds), hubs=["https://hub.example/"], base_url="http://127.0.0.1/", outputs=[])
    server = start_in_thread(app, "127.0.0.1", 0)
    ready.send(server.port)
    stop.wait()
    server.stop()


def bench_serve(feeds: Path, total: int, clients: int, hit_ratio: float) -> list[tuple[str, str, str, str]]:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    stop = context.Event()
    process = context.Process(target=_server_process, args=(str(feeds), sender, stop), daemon=True)
    process.start()
    port = receiver.recv()
    names = sorted(p.name for p in feeds.iterdir() if not p.name.startswith("."))
    etags: dict[str, str] = {}
    for name in names:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/" + name, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        response.read()
        etags[name] = response.getheader("ETag") or ""
        conn.close()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_client = total // clients

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        counts: dict[int, int] = {}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # keep-alive; reopens after a close
        for _ in range(per_client):
            name = rng.choice(names)
            headers = {"Accept-Encoding": "gzip"}
            if rng.random() < hit_ratio:
                headers["If-None-Match"] = etags[name]
            begin = time.perf_counter()
            conn.request("GET", "/" + name, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - begin)
            counts[response.status] = counts.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for status, count in counts.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    stop.set()
    process.join(10)
    done = len(latencies)
    quantiles = statistics.quantiles(latencies, n=100)
    mix = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    return [
        (f"serve {int(hit_ratio * 100)}% 304", f"{done} reqs", f"{elapsed:.3f}", f"{done / elapsed:.0f} req/s"),
        ("  latency p50/p95", f"{clients} clients", "", f"{quantiles[49] * 1000:.2f} / {quantiles[94] * 1000:.2f} ms"),
        ("  status mix", "", "", mix),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--outputs", type=int, default=20)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--hit-ratio", type=float, default=0.8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syndicate-bench-") as tmp:
        feeds = Path(tmp)
        rows = bench_render(feeds, args.outputs, args.entries)
        rows += bench_serve(feeds, args.requests, args.clients, args.hit_ratio)
    header = ("step", "count", "seconds", "rate / note")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
