"""What commands print: progress bars on a terminal, plain lines elsewhere, summaries."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click


def console_err(message: str) -> None:
    click.echo(message, err=True)


@contextmanager
def progress_for(*, enabled: bool = True) -> Iterator[tuple[Callable[[int], None], Callable[[Any], None]]]:
    """``(on_start(total), on_source(report))`` callbacks: a rich bar on a TTY, nothing otherwise."""
    if not enabled or not sys.stderr.isatty():
        yield (lambda _total: None), (lambda _report: None)
        return
    from rich.console import Console  # only on a terminal: rich is not needed otherwise
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]fetching[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=0)

        def on_start(total: int) -> None:
            bar.update(task, total=total)

        def on_source(report: Any) -> None:
            bar.update(task, advance=1, description=report.name)

        yield on_start, on_source


def print_summary(summary: Any) -> None:
    """The one-line-per-stage summary of a pass (stdout), failures on stderr."""
    elapsed = (summary.finished_at - summary.started_at).total_seconds() if summary.finished_at else 0.0
    click.echo(
        f"sources: {summary.count('ok')} fetched, {summary.count('not-modified')} not modified, "
        f"{len(summary.failed_sources)} failed"
    )
    click.echo(
        f"articles: {summary.new} new, {summary.updated} updated"
        + (f", {summary.withdrawn} withdrawn" if summary.withdrawn else "")
    )
    click.echo(f"outputs: {summary.outputs.written} written, {summary.outputs.unchanged} unchanged")
    if summary.deliveries is not None:
        d = summary.deliveries
        click.echo(
            f"crossposts: {d.delivered} delivered, {d.updated} updated, {d.deleted} deleted, {d.failed} failed, "
            f"{d.blocked} blocked, {d.held} held, {d.pending} pending"
        )
    if summary.plan:
        print_plan(summary.plan)
    click.echo(f"done in {elapsed:.2f}s")
    for report in summary.failed_sources:
        code = f" (HTTP {report.http_status})" if report.http_status else ""
        click.echo(f"syndicate: source {report.name} failed{code}: {report.error or report.status}", err=True)
    for error in summary.outputs.errors:
        click.echo(f"syndicate: {error}", err=True)
    if summary.deliveries is not None:
        for error in getattr(summary.deliveries, "errors", []):
            click.echo(f"syndicate: {error}", err=True)


def print_plan(actions: Sequence[Any], *, attribution: bool = False) -> None:
    """One line per action; with ``attribution`` also the block each crosspost would carry, indented."""
    if not actions:
        click.echo("plan: nothing to send")
        return
    click.echo(f"plan: {len(actions)} crosspost action(s), nothing sent")
    for action in actions:
        describe = getattr(action, "describe", None)
        click.echo("  " + (describe() if callable(describe) else str(action)))
        block = getattr(action, "attribution", "") if attribution else ""
        for line in block.strip().splitlines():
            if line.strip():
                click.echo("    " + line.rstrip())
