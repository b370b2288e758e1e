"""Harness for the reliability suites: run the real command, kill it, check what it left behind.

* :func:`write_config` — a ``syndicate.toml`` for a :class:`~tests.reliability.world.World`;
* :func:`spawn` / :func:`kill_group` — ``python -m syndicate …`` in its own process group,
  killed with SIGKILL (the whole group: process-pool workers die with it);
* :func:`run_measured` — run to the end and return the exit code with the peak RSS of
  that very process (``getrusage`` in a small launcher), so memory bounds are measured, not guessed;
* :func:`output_problems` — every file in ``feeds/`` must be a whole document;
* :func:`integrity` — SQLite's ``PRAGMA integrity_check``;
* :func:`converge` — finish the work through the Python API with a clock we control
  (the ledger's retry backoff is real time);
* :func:`exactly_once_problems` — nothing lost, nothing doubled, ledger and receiver agree.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
from lxml import etree
from sqlalchemy import Engine, select

from tests.reliability.world import World

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def write_config(
    directory: Path,
    sources: list[tuple[str, str]],
    *,
    targets: str = "",
    settings: dict[str, Any] | None = None,
    extra_sources: str = "",
    output_limit: int = 50,
) -> Path:
    """A configuration with ``sources`` (name, url), one output ``all`` and the given ``[[target]]`` text."""
    values: dict[str, Any] = {
        "feeds_dir": "feeds",
        "database": "sqlite:///syndicate.db",
        "base_url": "http://localhost:8080/",
        "process_workers": 1,
        "jitter": 0,
        "connect_timeout": "2s",
        "read_timeout": "2s",
        "deadline": "10s",
        **(settings or {}),
    }
    lines = ["[syndicate]"]
    for key, value in values.items():
        lines.append(f"{key} = {json.dumps(value)}")
    for name, url in sources:
        lines.append(f'[[source]]\nname = "{name}"\nurl = "{url}"')
    if extra_sources:
        lines.append(extra_sources)
    lines.append(f'[[output]]\nname = "all"\nlimit = {output_limit}')
    if targets:
        lines.append(targets)
    path = directory / "syndicate.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def webhook_target(url: str, *, name: str = "hook", extra: str = "") -> str:
    return f'[[target]]\nname = "{name}"\ntype = "webhook"\nurl = "{url}"\n{extra}'


def command(*args: str, config: Path, verbose: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "syndicate", *verbose, *args, "--config", str(config)]


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra or {})}
    env.pop("SYNDICATE_CONFIG", None)
    return env


def spawn(
    args: list[str], *, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a command in a new process group; stdout and stderr go to ``log``."""
    handle = open(log, "ab")  # noqa: SIM115 - kept open by the child
    try:
        return subprocess.Popen(
            args,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=environment(env),
            cwd=cwd or REPO,
            start_new_session=True,
        )
    finally:
        handle.close()


def kill_group(proc: subprocess.Popen[bytes]) -> bool:
    """SIGKILL the process and its group; True if it was still running (a real kill)."""
    alive = proc.poll() is None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return alive


def run(
    args: list[str], *, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=environment(env), cwd=REPO, timeout=timeout)


@dataclass
class Measured:
    returncode: int
    max_rss_mb: float
    stdout: str
    stderr: str


# The measured command runs under a small launcher that reports its children's peak RSS: measured
# straight from the test process, a child would inherit the (large) pytest process's high-water mark,
# which Linux keeps across fork and exec.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def run_measured(
    args: list[str], *, workdir: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> Measured:
    """Run to the end; the exit code and the peak resident memory of that process (and its children)."""
    out, err, rss = workdir / "measured.out", workdir / "measured.err", workdir / "measured.rss"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(rss), *args],
            stdout=stdout,
            stderr=stderr,
            env=environment(env),
            cwd=REPO,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise AssertionError(f"{' '.join(args[2:4])} did not finish within {timeout:.0f}s") from None
    return Measured(
        returncode=code,
        max_rss_mb=int(rss.read_text()) / 1024,
        stdout=out.read_text(errors="replace"),
        stderr=err.read_text(errors="replace"),
    )


# -- checks -------------------------------------------------------------------------------


def output_problems(feeds_dir: Path) -> list[str]:
    """Every visible file in ``feeds/`` must be a whole, readable document."""
    problems: list[str] = []
    if not feeds_dir.is_dir():
        return problems
    for path in sorted(feeds_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue  # temporary files of an interrupted atomic write are never served
        data = path.read_bytes()
        try:
            if path.suffix == ".json":
                doc = json.loads(data)
                if not isinstance(doc.get("items"), list):
                    problems.append(f"{path.name}: JSON Feed without items")
            elif path.suffix in (".atom", ".rss", ".xml", ".opml"):
                etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
                if path.suffix != ".opml":
                    parsed = feedparser.parse(data)
                    if parsed.bozo:
                        problems.append(f"{path.name}: feedparser: {parsed.get('bozo_exception')}")
        except (ValueError, etree.XMLSyntaxError) as exc:
            problems.append(f"{path.name}: {type(exc).__name__}: {exc} ({len(data)} bytes)")
    return problems


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def open_config(config: Path) -> tuple[Any, Engine]:
    from syndicate.config import load_config
    from syndicate.store.db import open_engine

    loaded = load_config(config, environ=dict(os.environ))
    return loaded, open_engine(loaded.database_url)


def converge(config: Path, *, rounds: int = 40, start: datetime | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Plan and deliver until nothing is owed, each round an hour later; (rounds used, final ledger)."""
    from syndicate import crosspost
    from syndicate.crosspost.ledger import list_deliveries

    loaded, engine = open_config(config)
    now = start or datetime.now(UTC)
    try:
        for used in range(1, rounds + 1):
            now += timedelta(hours=1)
            crosspost.plan(engine, loaded, now=now)
            crosspost.deliver(engine, loaded, now=now)
            rows = list_deliveries(engine)
            if all(r["state"] in ("delivered", "blocked", "held") or
                   (r["state"] == "failed" and r["next_attempt_at"] is None) for r in rows):
                return used, rows
        return rounds, list_deliveries(engine)
    finally:
        engine.dispose()


def stored_urls(config: Path) -> dict[str, str]:
    """``{canonical url: article id}`` of every stored article."""
    from syndicate.store.schema import articles

    _, engine = open_config(config)
    try:
        with engine.connect() as conn:
            return {row.url: row.id for row in conn.execute(select(articles.c.url, articles.c.id))}
    finally:
        engine.dispose()


def exactly_once_problems(world: World, config: Path, rows: list[dict[str, Any]], *, target: str = "hook") -> list[str]:
    """Nothing lost, nothing doubled: the store, the ledger and the receiver's records agree."""
    from syndicate.crosspost.ledger import delivery_id

    problems: list[str] = []
    stored = stored_urls(config)
    expected = world.expected_urls()
    missing = expected - set(stored)
    extra = set(stored) - expected
    if missing:
        problems.append(f"{len(missing)} published items not stored, e.g. {sorted(missing)[:3]}")
    if extra:
        problems.append(f"{len(extra)} stored articles no feed has, e.g. {sorted(extra)[:3]}")
    mine = [r for r in rows if r["target"] == target]
    per_article: dict[str, int] = defaultdict(int)
    for row in mine:
        per_article[row["article_id"]] += 1
        if row["state"] != "delivered":
            problems.append(f"ledger row {row['id']} is {row['state']}: {row['last_error']}")
        if row["id"] != delivery_id(row["article_id"], target):
            problems.append(f"ledger row {row['id']} has an unexpected id")
    doubled = [a for a, n in per_article.items() if n > 1]
    if doubled:
        problems.append(f"{len(doubled)} articles have more than one ledger row")
    unplanned = set(stored.values()) - set(per_article)
    if unplanned:
        problems.append(f"{len(unplanned)} stored articles have no delivery to {target}")
    ids_by_url: dict[str, set[str]] = defaultdict(set)
    processed: set[str] = set()
    for record in world.creates():
        if record.key != record.delivery_id:
            problems.append(f"Idempotency-Key {record.key} differs from delivery_id {record.delivery_id}")
        if record.url:
            ids_by_url[record.url].add(record.delivery_id or "")
            if record.processed:
                processed.add(record.url)
    two_ids = {u: ids for u, ids in ids_by_url.items() if len(ids) > 1}
    if two_ids:
        problems.append(f"{len(two_ids)} articles were sent under two delivery ids, e.g. {next(iter(two_ids.items()))}")
    never = set(stored) - processed
    if never:
        problems.append(f"{len(never)} stored articles never reached the receiver, e.g. {sorted(never)[:3]}")
    for url, article_id in stored.items():
        ids = ids_by_url.get(url)
        if ids and ids != {delivery_id(article_id, target)}:
            problems.append(f"{url} was sent with delivery id {ids}, the ledger's is {delivery_id(article_id, target)}")
    return problems


def resends(world: World) -> int:
    """Creates received more than once under the same key (allowed: crash recovery resends)."""
    seen: dict[str, int] = defaultdict(int)
    for record in world.creates():
        if record.processed and record.key:
            seen[record.key] += 1
    return sum(n - 1 for n in seen.values() if n > 1)
