"""``syndicate status``: what every source and target is doing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from syndicate import redact
from syndicate.pipeline.context import Context
from syndicate.store.articles import count_articles
from syndicate.store.sources import PUSHED_SAFETY_INTERVAL, all_sources
from syndicate.websub.plan import describe, pushed_now
from syndicate.websub.subscriptions import all_subscriptions


def _ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "never"
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{int(seconds // size)}{unit}"
            break
    else:
        text = f"{int(seconds)}s"
    return f"in {text}" if future else f"{text} ago"


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _schedule(schedule: dict[str, Any]) -> str:
    """``push (poll 6h)`` while a hub pushes, else ``poll 1m`` (the source's own interval)."""
    every = _every(schedule["interval"])
    return f"push (poll {every})" if schedule["on"] == "push" else f"poll {every}"


def _websub(websub: dict[str, Any], now: datetime) -> str:
    if websub["state"] == "none":
        return "-"
    expires = websub["lease_expires"]
    if websub["state"] == "active" and expires:
        return f"active, lease ends {_ago(datetime.fromisoformat(expires), now)}"
    return str(websub["state"])


def collect_status(ctx: Context) -> dict[str, Any]:
    rows = all_sources(ctx.engine)
    configured = {s.name: s for s in ctx.config.source}
    pushed = all_subscriptions(ctx.engine)
    now = datetime.now(UTC)
    sources = []
    for name, row in rows.items():
        if name not in configured:
            continue
        own = ctx.config.interval_for(configured[name])
        on_push = pushed_now(pushed.get(name), now)  # polled only as a safety net while the hub pushes
        sources.append(
            {
                "name": name,
                "url": redact.scrub(row.url),  # a token in a feed URL's query stays private
                "moved_from": redact.scrub(row.moved_from) if row.moved_from else None,
                "last_fetch": row.last_fetch_at.isoformat() if row.last_fetch_at else None,
                "last_success": row.last_success_at.isoformat() if row.last_success_at else None,
                "status": (row.disabled_reason and "disabled") or row.last_status,
                "http_status": row.http_status,
                "error": row.last_error,
                "consecutive_failures": row.consecutive_failures,
                "disabled": row.disabled_reason,
                "next_due": row.next_due_at.isoformat() if row.next_due_at else None,
                "entries": row.entries_seen,
                "websub": describe(pushed.get(name), now),
                "schedule": {"on": "push" if on_push else "polling",
                             "interval": max(own, PUSHED_SAFETY_INTERVAL) if on_push else own},
            }
        )
    targets: dict[str, dict[str, int]] = {}
    if ctx.config.target:
        from syndicate.crosspost.ledger import counts_by_target

        counts = counts_by_target(ctx.engine)
        for target in ctx.config.target:
            targets[target.name] = counts.get(target.name, {})
    return {"sources": sources, "targets": targets, "articles": count_articles(ctx.engine)}


def print_status(data: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    console = Console()
    table = Table(title=f"sources ({data['articles']} articles stored)", show_lines=False)
    for column in ("source", "status", "http", "last fetch", "next due", "schedule", "websub", "error"):
        table.add_column(column)
    for s in data["sources"]:
        last = datetime.fromisoformat(s["last_fetch"]) if s["last_fetch"] else None
        nxt = datetime.fromisoformat(s["next_due"]) if s["next_due"] else None
        error = s["disabled"] or s["error"] or ""
        if s["moved_from"]:
            error = (error + "; " if error else "") + f"moved permanently from {s['moved_from']}"
        table.add_row(
            s["name"],
            s["status"] or "new",
            str(s["http_status"] or ""),
            _ago(last, now),
            "disabled" if s["disabled"] else ("now" if nxt is None or nxt <= now else _ago(nxt, now)),
            _schedule(s["schedule"]),
            _websub(s["websub"], now),
            error,
        )
    console.print(table)
    if data["targets"]:
        targets = Table(title="crosspost targets")
        states = ("pending", "sending", "delivered", "failed", "blocked", "held", "rejected")
        targets.add_column("target")
        for state in states:
            targets.add_column(state, justify="right")
        for name, counts in data["targets"].items():
            targets.add_row(name, *(str(counts.get(state, 0)) for state in states))
        console.print(targets)
