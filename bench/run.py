"""Benchmark: syndicate vs reader, feed2exec and a bare floor, side by side on one local feed farm.

    .venv/bin/python bench/run.py                        # 1,000 feeds x 50 entries (the targets)
    .venv/bin/python bench/run.py --feeds 60 --entries 20  # quick smoke size
    .venv/bin/python bench/run.py --systems syndicate,floor --json-out result.json

One command: the farm (bench/feedfarm.py) is started in a subprocess on a free
port; then each system runs three passes against it, each pass in its own
process, the farm reset to its initial documents before each system:

1. ``cold``    first full sync into an empty database;
2. ``304``     an immediate second pass (every feed answers 304 Not Modified);
3. ``changed`` after ``advance`` added ``--advance-entries`` entries to
   ``--advance-fraction`` of the feeds.

Systems:

* ``syndicate`` — ``python -m syndicate sync --all`` with everything it does
  (normalization, attribution and rights, sanitizing, storage, outputs),
  config: one source per farm feed, one output in all three formats;
* ``reader``    — lemon24's reader (``update_feeds(workers=N)``, then
  ``scheduled=False`` for the later passes: since 3.21 a scheduled update
  right after the first makes no request);
* ``floor``     — the bare minimum: pooled HTTP (requests) on 8 threads with
  ETag/Last-Modified, fastfeedparser, one bulk SQLite insert;
* ``feed2exec`` — anarcat's feed2exec (``feed2exec fetch --parallel``: fetches in
  turn, parses on a process pool of one process per core; its HTTP cache makes the
  later passes conditional) with its default output, a Maildir; skipped with a
  note when it is not installed (``pip install -e '.[bench]'``).

Wall time, CPU time (user+system of the whole process tree, sampled from
/proc) and peak RSS (largest sum over the process tree) are printed per
system and pass, with the ratios the targets are stated in.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
PHASES = ("cold", "304", "changed")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    system: str
    phase: str
    wall: float
    cpu: float
    peak_rss_mb: float
    ok: bool = True
    note: str = ""


# --------------------------------------------------------------------------
# process-tree sampling (no psutil)
# --------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out.setdefault(int(fields[1]), []).append(int(entry))
    return out


def _tree(pid: int) -> list[int]:
    children = _children_map()
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children.get(p, []))
    return seen


def _stat(pid: int) -> tuple[str, float, int] | None:
    """(start time, cpu seconds, rss bytes) of a live process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().decode("ascii", "replace").rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is state (field 3 of stat); utime=14, stime=15, starttime=22, rss=24 (1-based)
    utime, stime = int(fields[11]), int(fields[12])
    return fields[19], (utime + stime) / CLK_TCK, int(fields[21]) * PAGE


class TreeSampler(threading.Thread):
    """Samples a process tree every ``interval`` s: CPU per process (last seen) and peak total RSS."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.cpu: dict[tuple[int, str], float] = {}
        self.peak_rss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def sample(self) -> None:
        total = 0
        for pid in _tree(self.pid):
            stat = _stat(pid)
            if stat is None:
                continue
            start, cpu, rss = stat
            self.cpu[(pid, start)] = max(cpu, self.cpu.get((pid, start), 0.0))
            total += rss
        self.peak_rss = max(self.peak_rss, total)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(system: str, phase: str, argv: list[str], env: dict[str, str] | None = None) -> Measure:
    """Run ``argv`` and measure it (the child's own rusage fills in CPU the sampler missed)."""
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    after = os.times()
    # children reaped by the child (or by us) are in rusage; the sampler sees grandchildren of forkservers
    rusage_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    cpu = max(rusage_cpu, sum(sampler.cpu.values()))
    note = ""
    if proc.returncode != 0:
        tail = (err or out).decode("utf-8", "replace").strip().splitlines()[-3:]
        note = f"exit {proc.returncode}: " + " | ".join(tail)
    return Measure(system, phase, wall, cpu, sampler.peak_rss / 2**20, proc.returncode == 0, note)


# --------------------------------------------------------------------------
# the farm
# --------------------------------------------------------------------------


def settle() -> None:
    """Before a measured pass: write out what the previous pass left dirty in the page cache.

    A cold pass writes hundreds of MB (syndicate's database ~600 MB, the floor's ~200 MB); the
    kernel writes them back over the next seconds, on the same two cores, and would slow down
    whichever pass runs next, by how much the one before it wrote. The short pause lets the
    previous pass's processes (pool workers, the forkserver) finish exiting too.
    """
    os.sync()
    time.sleep(0.5)


def precompile_project() -> None:
    """Write syndicate's bytecode caches, as installing it does.

    ``pip install`` compiles a package's modules, and an editable install writes each module's
    cache on its first import, unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is on some CI
    machines and sandboxes: every ``syndicate`` process (and each process-pool worker) would then
    compile its modules anew, ~40 ms of a 304 pass here, which the floor, whose libraries pip
    compiled, does not pay. Caches are read even where writing them is turned off.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "syndicate"), quiet=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FarmProcess:
    def __init__(self, feeds: int, entries: int, seed: int = 1) -> None:
        self.port = free_port()
        self.feeds, self.entries = feeds, entries
        argv = [PYTHON, str(HERE / "feedfarm.py"), "serve", "--feeds", str(feeds), "--entries", str(entries)]
        argv += ["--seed", str(seed), "--port", str(self.port)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                self.control("GET", "/_farm/info")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("the feed farm exited at start") from None
                time.sleep(0.2)
        raise RuntimeError("the feed farm did not start")

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/feeds/{i:04d}.xml"

    def control(self, method: str, path: str) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method, data=None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def reset(self) -> None:
        self.control("POST", "/_farm/reset")

    def advance(self, fraction: float, entries: int) -> None:
        self.control("POST", f"/_farm/advance?fraction={fraction}&entries={entries}")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --------------------------------------------------------------------------
# systems: each pass is ``python bench/run.py _SYSTEM --workdir W --phase P``
# --------------------------------------------------------------------------


def write_syndicate_config(workdir: Path, urls: list[str]) -> Path:
    lines = [
        "[syndicate]",
        'feeds_dir = "feeds"',
        'database = "sqlite:///syndicate.db"',
        "allow_private_networks = true  # the farm is on 127.0.0.1",
        "per_host = 8  # every farm feed is on one host",
        "fetch_workers = 8",
        'interval = "1d"',
        "jitter = 0",
        "",
        "[[output]]",
        'name = "all"',
        "",
    ]
    for i, url in enumerate(urls):
        lines += ["[[source]]", f'name = "farm-{i:04d}"', f'url = "{url}"', ""]
    path = workdir / "syndicate.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_feed2exec_config(workdir: Path, urls: list[str]) -> Path:
    lines: list[str] = []
    for i, url in enumerate(urls):
        lines += [f"[farm-{i:04d}]", f"url = {url}", "output = feed2exec.plugins.maildir"]
        lines += [f"mailbox = {workdir / 'Mail'}", ""]
    path = workdir / "feed2exec.ini"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def feed2exec_command() -> str | None:
    """The feed2exec beside this Python (the bench environment), else on PATH; None when absent."""
    return shutil.which("feed2exec", path=str(Path(PYTHON).parent)) or shutil.which("feed2exec")


def feed2exec_argv(workdir: Path) -> list[str]:
    command = feed2exec_command()
    assert command is not None
    config, database = str(workdir / "feed2exec.ini"), str(workdir / "feed2exec.db")
    return [command, "-q", "--config", config, "--database", database, "fetch", "--parallel"]


def syndicate_argv(workdir: Path, phase: str) -> list[str]:
    return [PYTHON, "-m", "syndicate", "sync", "--all", "--json", "--config", str(workdir / "syndicate.toml")]


def run_reader(workdir: Path, phase: str, workers: int) -> None:
    from reader import make_reader

    urls = json.loads((workdir / "urls.json").read_text())
    reader = make_reader(str(workdir / "reader.sqlite"), search_enabled=False)
    if phase == "cold":
        for url in urls:
            reader.add_feed(url, exist_ok=True)
        reader.update_feeds(workers=workers)
    else:
        reader.update_feeds(workers=workers, scheduled=False)
    count = reader.get_entry_counts().total
    reader.close()
    print(json.dumps({"entries": count}))


def run_floor(workdir: Path, phase: str, workers: int = 8) -> None:
    """Pooled conditional GETs on threads, fastfeedparser, one bulk insert: what any pipeline must pay."""
    from concurrent.futures import ThreadPoolExecutor

    import fastfeedparser
    import requests

    urls = json.loads((workdir / "urls.json").read_text())
    db = sqlite3.connect(workdir / "floor.sqlite")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS entries (feed TEXT, id TEXT, title TEXT, link TEXT, published TEXT,"
        " content TEXT, PRIMARY KEY (feed, id))"
    )
    validators = {r[0]: (r[1], r[2]) for r in db.execute("SELECT url, etag, last_modified FROM feeds")}
    local = threading.local()

    def fetch(url: str) -> tuple[str, Any, str | None, str | None]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        etag, modified = validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        response = session.get(url, headers=headers, timeout=30)
        if response.status_code == 304:
            return url, None, etag, modified
        parsed = fastfeedparser.parse(response.content)
        rows = [
            (url, e.get("id") or e.get("link"), e.get("title"), e.get("link"), e.get("published"),
             (e.get("content") or [{}])[0].get("value") if e.get("content") else e.get("description"))
            for e in parsed.entries
        ]
        return url, rows, response.headers.get("etag"), response.headers.get("last-modified")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(fetch, urls))
    with db:
        db.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
            [row for _, rows, _, _ in results if rows for row in rows],
        )
        db.executemany(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)", [(u, e, m) for u, _, e, m in results]
        )
    count = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    db.close()
    print(json.dumps({"entries": count}))


def system_argv(system: str, workdir: Path, phase: str, args: argparse.Namespace) -> list[str]:
    if system == "syndicate":
        return syndicate_argv(workdir, phase)
    if system == "feed2exec":
        return feed2exec_argv(workdir)
    extra = ["--workers", str(args.reader_workers)] if system == "reader" else []
    return [PYTHON, str(Path(__file__).resolve()), f"_{system}", "--workdir", str(workdir), "--phase", phase, *extra]


def bench_system(system: str, farm: FarmProcess, args: argparse.Namespace, base: Path) -> list[Measure]:
    workdir = base / system
    workdir.mkdir(parents=True, exist_ok=True)
    urls = [farm.url(i) for i in range(farm.feeds)]
    (workdir / "urls.json").write_text(json.dumps(urls))
    if system == "syndicate":
        write_syndicate_config(workdir, urls)
    if system == "feed2exec":
        write_feed2exec_config(workdir, urls)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    farm.reset()
    out: list[Measure] = []
    for phase in PHASES:
        if phase == "changed":
            farm.advance(args.advance_fraction, args.advance_entries)
        settle()
        result = measure(system, phase, system_argv(system, workdir, phase, args), env)
        out.append(result)
        status = "" if result.ok else f"  FAILED {result.note}"
        print(
            f"  {system:9} {phase:8} wall {result.wall:7.2f}s  cpu {result.cpu:7.2f}s  "
            f"rss {result.peak_rss_mb:6.0f} MB{status}",
            file=sys.stderr,
            flush=True,
        )
    return out


# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------


def ratios(results: list[Measure]) -> dict[str, float]:
    """The target ratios (missing systems give no entry)."""
    by = {(m.system, m.phase): m for m in results}
    out: dict[str, float] = {}

    def wall(system: str, phase: str) -> float | None:
        m = by.get((system, phase))
        return m.wall if m and m.ok else None

    s_cold, r_cold, f_cold = wall("syndicate", "cold"), wall("reader", "cold"), wall("floor", "cold")
    s_304, f_304 = wall("syndicate", "304"), wall("floor", "304")
    s_changed = wall("syndicate", "changed")
    if s_cold and r_cold:
        out["reader_cold / syndicate_cold (target >= 8)"] = r_cold / s_cold
    if s_cold and f_cold:
        out["syndicate_cold / floor_cold (target <= 2)"] = s_cold / f_cold
    if s_304 and f_304:
        out["syndicate_304 / floor_304 (target <= 1.2)"] = s_304 / f_304
    if s_changed and s_cold:
        out["syndicate_changed / syndicate_cold (target <= 0.15)"] = s_changed / s_cold
    for peer in ("reader", "feed2exec"):
        for phase in PHASES:
            s, r = wall("syndicate", phase), wall(peer, phase)
            if s and r:
                out[f"{peer}_{phase} / syndicate_{phase}"] = r / s
    return out


def table(results: list[Measure]) -> str:
    lines = [
        "| system | pass | wall s | CPU s | peak RSS MB |",
        "|---|---|---:|---:|---:|",
    ]
    for m in results:
        flag = "" if m.ok else " (failed)"
        lines.append(f"| {m.system}{flag} | {m.phase} | {m.wall:.2f} | {m.cpu:.2f} | {m.peak_rss_mb:.0f} |")
    lines.append("")
    lines.append("| ratio | value |")
    lines.append("|---|---:|")
    for name, value in ratios(results).items():
        lines.append(f"| {name} | {value:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument(
        "--systems", default="floor,syndicate,reader,feed2exec", help="comma-separated, run in this order"
    )
    parser.add_argument("--reader-workers", type=int, default=8)
    parser.add_argument("--advance-fraction", type=float, default=0.1)
    parser.add_argument("--advance-entries", type=int, default=5)
    parser.add_argument("--json-out", help="also write the results and ratios as JSON here")
    parser.add_argument("--keep", help="keep the work directory here (default: a temporary one)")
    args = parser.parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if "feed2exec" in systems and feed2exec_command() is None:
        print("feed2exec is not installed (pip install -e '.[bench]'): skipped", file=sys.stderr, flush=True)
        systems.remove("feed2exec")
    precompile_project()
    print(f"starting the farm: {args.feeds} feeds x {args.entries} entries", file=sys.stderr, flush=True)
    farm = FarmProcess(args.feeds, args.entries)
    results: list[Measure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="syndicate-bench-") as tmp:
            base = Path(args.keep) if args.keep else Path(tmp)
            for system in systems:
                results.extend(bench_system(system, farm, args, base))
    finally:
        farm.close()
    python = sys.version.split()[0]
    print(f"\nfarm: {args.feeds} feeds x {args.entries} entries; {os.cpu_count()} CPUs; python {python}")
    print(table(results))
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({"results": [asdict(m) for m in results], "ratios": ratios(results)}, indent=2)
        )
    return 0 if all(m.ok for m in results) else 1


def _sub_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["_reader", "_floor"])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--phase", required=True, choices=PHASES)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    if args.command == "_reader":
        run_reader(Path(args.workdir), args.phase, args.workers)
    else:
        run_floor(Path(args.workdir), args.phase)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        sys.exit(_sub_main(sys.argv[1:]))
    sys.exit(main())
