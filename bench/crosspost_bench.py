"""Benchmark: crossposting throughput to a local webhook target, ledger guarantees intact.

    .venv/bin/python bench/crosspost_bench.py [--articles 2000] [--profile]

Articles are made the way a pass makes them (farm documents parsed, normalized and
ingested into a fresh SQLite database), a webhook target pointing at a local receiver
(a threaded HTTP server on 127.0.0.1 answering 200 at once) is planned, and then the
crosspost stage's own ``deliver()`` runs: deliveries per second is what it reports,
with the receiver's count of distinct Idempotency-Keys (every delivery exactly once).
``--profile`` prints where deliver() spends its time (cProfile, top 25 by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import pstats
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syndicate import crosspost  # noqa: E402
from syndicate.config import Config, Settings, SourceConfig, TargetConfig  # noqa: E402
from syndicate.normalize import normalize_entry  # noqa: E402
from syndicate.parse import parse_feed  # noqa: E402
from syndicate.store import articles as article_store  # noqa: E402
from syndicate.store import open_engine  # noqa: E402


def _serve(port_out: Connection) -> None:
    """The receiver, in its own process (so it never competes for the sender's GIL)."""
    keys: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # one write for the head, one for the body: no 40 ms stalls

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with lock:
                body = json.dumps(keys).encode()
            self._reply(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            with lock:
                keys.append(self.headers.get("Idempotency-Key", ""))
            self._reply(b'{"ok":true}')

        def _reply(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.send(server.server_address[1])
    server.serve_forever()


class Receiver:
    def __init__(self) -> None:
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{parent.recv()}/hook"

    @property
    def keys(self) -> list[str]:
        with urllib.request.urlopen(self.url, timeout=30) as response:
            return list(json.loads(response.read()))

    def close(self) -> None:
        self.process.terminate()
        self.process.join()


def load_articles(engine: object, count: int) -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    import feedfarm

    entries_per_feed = 50
    feeds = max(1, -(-count // entries_per_feed))
    made = 0
    for index, _fmt, body in feedfarm.build_documents(feeds, entries_per_feed, 7):
        source = SourceConfig(name=f"farm-{index:04d}", url=f"http://127.0.0.1:1/feeds/{index:04d}.xml")
        feed = parse_feed(body, {"content-type": "application/xml"}, source.url)
        normalized = [normalize_entry(e, feed, source) for e in feed.entries][: count - made]
        article_store.ingest(engine, source.name, normalized, datetime.now(UTC))  # type: ignore[arg-type]
        made += len(normalized)
        if made >= count:
            break
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="syndicate-xpost-") as tmp:
        config = Config(
            syndicate=Settings(database=f"sqlite:///{tmp}/s.db", feeds_dir=f"{tmp}/feeds", allow_private_networks=True),
            target=[TargetConfig(name="hook", type="webhook", url=receiver.url, backfill=10**6)],  # type: ignore[call-arg]
            path=Path(tmp) / "syndicate.toml",
        )
        engine = open_engine(config.database_url)
        started = time.perf_counter()
        made = load_articles(engine, args.articles)
        print(f"{made} articles ingested in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        now = datetime.now(UTC)
        crosspost.plan(engine, config, now=now)
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        summary = crosspost.deliver(engine, config, now=now)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        again = crosspost.deliver(engine, config, now=datetime.now(UTC))  # nothing is owed twice
        engine.dispose()
    keys = receiver.keys
    receiver.close()
    sent = len(keys)
    print(f"articles {made}; delivered {summary.delivered} (failed {summary.failed}, blocked {summary.blocked}, "
          f"held {summary.held}); receiver saw {sent} requests, {len(set(keys))} distinct keys")  # fmt: skip
    print(f"deliver(): {wall:.2f}s wall, {cpu:.2f}s CPU -> {summary.delivered / wall:.0f} deliveries/s")
    print(f"second deliver(): delivered {again.delivered} (must be 0)")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    return 0 if again.delivered == 0 and sent == len(set(keys)) else 1


if __name__ == "__main__":
    sys.exit(main())
