"""The ``syndicate`` command line: a click group and the commands every user runs."""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from syndicate import __version__, redact
from syndicate.cli.output import console_err, print_summary, progress_for
from syndicate.errors import ConfigError, SyndicateError
from syndicate.logs import leave_fetch_failures_to_summary, setup_logging
from syndicate.pipeline.context import Context

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 3

F = TypeVar("F", bound=Callable[..., Any])


_CONFIG_KEY = "syndicate.config_path"  # in click's ``meta``, shared by a context and every context below it
_CONFIG_HELP = "Configuration file (default: $SYNDICATE_CONFIG, else config/syndicate.toml)."


def _remember_config(click_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--config`` given at any level (``syndicate --config X deliveries release ID`` or after the
    name) is the one every command below uses: a given value is remembered in the shared ``meta``,
    a missing one is taken from there. Two different files on one command line are an error."""
    known = click_ctx.meta.get(_CONFIG_KEY)
    if value is None:
        return known  # type: ignore[no-any-return]
    if known is not None and known != value:
        raise click.UsageError(f"--config given twice, as {known} and as {value}")
    click_ctx.meta[_CONFIG_KEY] = value
    return value


_CONFIG_DECLS = ("--config", "config_path")


def _config_settings() -> dict[str, Any]:
    return {
        "type": click.Path(dir_okay=False),
        "default": None,
        "is_eager": True,
        "callback": _remember_config,
        "help": _CONFIG_HELP,
    }


def config_option(func: F) -> F:
    """The ``config_path`` parameter of a command: ``--config`` here or on any group above it."""
    return click.option(*_CONFIG_DECLS, **_config_settings())(func)


def given_config(click_ctx: click.Context) -> str | None:
    """The ``--config`` given anywhere on the command line (None: the default applies)."""
    return click_ctx.meta.get(_CONFIG_KEY)  # type: ignore[no-any-return]


class SyndicateGroup(click.Group):
    """A group whose every command and sub-group accepts ``--config`` (one mechanism for all).

    A command declared without :func:`config_option` gets the option anyway (its value is then
    read with :func:`given_config`, which :func:`open_context` does); sub-groups are of this class.
    """

    group_class = type  # sub-groups made with ``@group.group()`` are SyndicateGroups too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(param.name == "config_path" for param in cmd.params):
            cmd.params.append(click.Option(list(_CONFIG_DECLS), expose_value=False, **_config_settings()))
        super().add_command(cmd, name)


def friendly_errors(func: F) -> F:
    """Deliberate errors become one line on stderr and exit 1; never a bare traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SyndicateError as exc:
            click.echo(f"syndicate: error: {redact.scrub(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("syndicate: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (| head): no error of ours, stop quietly
            sys.exit(_pipe_closed())
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: one line for the user, the traceback in the debug log
            logging.getLogger("syndicate").debug("internal error", exc_info=True)
            click.echo(
                f"syndicate: internal error: {type(exc).__name__}: {redact.scrub(str(exc))} "
                "(run with -vv for the traceback)",
                err=True,
            )
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group(cls=SyndicateGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="syndicate")
@config_option
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None, help="Log line format.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, log_format: str | None, verbose: int, quiet: bool) -> None:
    """syndicate: ingest feeds, keep attribution and rights, publish feeds, crosspost exactly once."""
    ctx.ensure_object(dict)
    ctx.obj["log_format"] = log_format
    ctx.obj["verbosity"] = -1 if quiet else verbose


def open_context(click_ctx: click.Context, config_path: str | None, *, sends: bool = False) -> Context:
    """The configuration and the database. A command that ``sends`` (crossposts) refuses a secret
    missing from the environment; any other works without it and says which are missing."""
    from syndicate.config import load_config

    config = load_config(config_path or given_config(click_ctx), missing_secrets="refuse" if sends else "note")
    warn_missing_secrets(config)
    obj = click_ctx.find_root().obj or {}
    setup_logging(obj.get("log_format") or config.syndicate.log_format, obj.get("verbosity", 0))
    ctx = Context.open(config=config)
    # closed on the way out: SQLite checkpoints its WAL when the last connection closes, which
    # exit_now's quick exit would otherwise leave to the next process to open the database
    atexit.register(ctx.close)
    return ctx


def warn_missing_secrets(config: Any) -> None:
    for missing in config.missing_secrets:
        click.echo(f"syndicate: warning: {missing.describe()} (sync and run refuse)", err=True)


@cli.command()
@config_option
@click.option("--all", "force", is_flag=True, help="Fetch every source now, ignoring schedules.")
@click.option("--source", "only", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Run the pass on a scratch copy of the database and feeds: show what it would do, change nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@friendly_errors
def sync(
    click_ctx: click.Context, config_path: str | None, force: bool, only: tuple[str, ...], dry_run: bool, as_json: bool
) -> None:
    """One full pass: fetch due sources, normalize, store, regenerate outputs, crosspost."""
    from syndicate.pipeline.passes import run_pass

    ctx = open_context(click_ctx, config_path, sends=not dry_run)
    obj = click_ctx.find_root().obj or {}
    if (obj.get("log_format") or ctx.config.syndicate.log_format) == "text" and obj.get("verbosity", 0) <= 0:
        leave_fetch_failures_to_summary()  # printed once, in the summary, not also as a log line
    if dry_run:
        from syndicate.pipeline.dry_run import dry_run_pass

        with progress_for(enabled=not as_json) as (on_start, on_source):
            summary = dry_run_pass(ctx, only=list(only) or None, force=force, on_start=on_start, progress=on_source)
    elif ctx.config.syndicate.executor == "celery":
        from syndicate.distributed.client import run_pass_on_workers

        summary = run_pass_on_workers(ctx, only=list(only) or None, force=force)
    else:
        with progress_for(enabled=not as_json) as (on_start, on_source):
            summary = run_pass(ctx, only=list(only) or None, force=force, on_start=on_start, progress=on_source)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        print_summary(summary)
    sys.exit(EXIT_OK if summary.ok else EXIT_PARTIAL)


@cli.command()
@config_option
@click.option("--source", default=None, help="Only articles with a copy from this source.")
@click.option("--limit", type=int, default=None, help="At most N articles, newest first.")
@click.option("--json", "as_json", is_flag=True, default=True, help="JSON Lines (the default and only format).")
@click.pass_context
@friendly_errors
def articles(
    click_ctx: click.Context, config_path: str | None, source: str | None, limit: int | None, as_json: bool
) -> None:
    """The stored, normalized articles as JSON Lines."""
    from syndicate.store.articles import iter_articles
    from syndicate.store.overrides import get_overrides

    ctx = open_context(click_ctx, config_path)
    overrides = get_overrides(ctx.engine)  # an editor's attribution corrections, shown with who and when
    for article in iter_articles(ctx.engine, source=source, limit=limit):
        data = article.to_json()
        if article.id in overrides:
            data["attribution_override"] = overrides[article.id]
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@cli.command()
@config_option
@click.pass_context
@friendly_errors
def check(click_ctx: click.Context, config_path: str | None) -> None:
    """Validate the configuration and exit (1 on an error; warnings are printed and pass)."""
    from syndicate.config import config_path as resolve
    from syndicate.config import load_config
    from syndicate.config_lint import lint

    config = load_config(config_path, missing_secrets="note")
    findings = lint(config)
    for finding in findings:
        click.echo(finding.line(config), err=True)
    if any(finding.level == "error" for finding in findings):
        sys.exit(EXIT_USAGE)
    warnings = len(findings)
    click.echo(
        f"{resolve(config_path)}: ok ({len(config.source)} sources, {len(config.output)} outputs, "
        f"{len(config.target)} targets" + (f"; {warnings} warning(s)" if warnings else "") + ")"
    )


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@friendly_errors
def status(click_ctx: click.Context, config_path: str | None, as_json: bool) -> None:
    """Per source: last fetch, HTTP status, error, next due; per target: pending/failed/blocked."""
    from syndicate.cli.status import collect_status, print_status

    ctx = open_context(click_ctx, config_path)
    data = collect_status(ctx)
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        print_status(data)


@cli.command()
@config_option
@click.option("--host", default=None, help="Address to listen on (default from [syndicate.serve]).")
@click.option("--port", type=int, default=None, help="Port (default from [syndicate.serve]).")
@click.pass_context
@friendly_errors
def serve(click_ctx: click.Context, config_path: str | None, host: str | None, port: int | None) -> None:
    """Serve the generated feeds over HTTP (ETag, 304, gzip, HEAD)."""
    from syndicate.serve import serve as serve_forever
    from syndicate.serve_app import build_apps, start_desk_side

    ctx = open_context(click_ctx, config_path)
    settings = ctx.config.syndicate
    host = host or settings.serve.host
    port = port if port is not None else settings.serve.port
    public, desk_side = build_apps(ctx)
    if desk_side is not None:  # [desk] listen: the desk and /metrics on their own address
        start_desk_side(ctx, desk_side)
    console_err(f"serving {ctx.config.feeds_dir} on http://{host}:{port}/")
    if desk_side is None and ctx.config.desk is not None and getattr(public, "extra_routes", {}).get("/desk/"):
        console_err(f"the editor's desk is on http://{host}:{port}/desk/")
    serve_forever(public, host, port)


@cli.command()
@config_option
@click.option("--serve/--no-serve", "with_serve", default=False, help="Also serve feeds (and /metrics, WebSub).")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.pass_context
@friendly_errors
def run(
    click_ctx: click.Context, config_path: str | None, with_serve: bool, host: str | None, port: int | None
) -> None:
    """The daemon: the same work on schedules until SIGTERM/SIGINT."""
    from syndicate.daemon import run_daemon

    obj = click_ctx.find_root().obj
    if obj.get("verbosity", 0) == 0:  # a daemon's log is its record: routine events (INFO) are kept
        obj["verbosity"] = 1
    ctx = open_context(click_ctx, config_path, sends=True)
    sys.exit(run_daemon(ctx, config_path=config_path, serve=with_serve, host=host, port=port))


@cli.command()
@config_option
@click.option("--concurrency", type=int, default=None, help="Worker processes (default: cores).")
@click.option("--queues", default=None, help="Comma-separated stage queues (fetch,process,render,deliver).")
@click.pass_context
@friendly_errors
def worker(click_ctx: click.Context, config_path: str | None, concurrency: int | None, queues: str | None) -> None:
    """With executor = "celery": run fetch, process, render and deliver tasks."""
    ctx = open_context(click_ctx, config_path, sends=True)
    if ctx.config.syndicate.executor != "celery":
        raise ConfigError(f'{ctx.config.path}: syndicate.executor: `worker` needs executor = "celery"')
    from syndicate.distributed.worker import start_worker

    start_worker(ctx, concurrency=concurrency, queues=queues)


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@friendly_errors
def plan(click_ctx: click.Context, config_path: str | None, as_json: bool) -> None:
    """List the crossposts a pass would create, update, delete or block, each with its rendered
    attribution block; send nothing."""
    from syndicate import crosspost
    from syndicate.cli.output import print_plan

    ctx = open_context(click_ctx, config_path)
    now = datetime.now(UTC)
    notes = crosspost.new_target_notes(ctx.engine, ctx.config, now=now)
    actions = crosspost.preview(ctx.engine, ctx.config, now=now)
    if as_json:
        document = {"actions": [a.to_json() for a in actions], "new_targets": [n.to_json() for n in notes]}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print_plan(actions, notes)


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@config_option
@click.pass_context
@friendly_errors
def db_upgrade(click_ctx: click.Context, config_path: str | None) -> None:
    """Apply pending schema migrations."""
    from syndicate.store.db import current_revision

    ctx = open_context(click_ctx, config_path)  # opening upgrades
    click.echo(f"database at revision {current_revision(ctx.engine)}")


def load_commands() -> click.Group:
    """The whole command tree (the modules that register commands imported), e.g. for tests."""
    from syndicate.cli import deliveries as _deliveries  # noqa: F401  (registers commands)
    from syndicate.cli import explain as _explain  # noqa: F401
    from syndicate.cli import sources as _sources  # noqa: F401

    return cli


def main() -> None:
    load_commands()
    status: object = EXIT_OK
    try:
        result = cli.main(prog_name="syndicate", standalone_mode=False)
        status = result if isinstance(result, int) else EXIT_OK  # --help, --version: click's Exit code
    except click.ClickException as exc:  # usage errors too: 1, as INTERFACE.md says (click's own is 2)
        exc.show()
        status = EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("syndicate: aborted", err=True)
        status = EXIT_USAGE
    except SystemExit as done:
        status = done.code
    except BrokenPipeError:
        status = _pipe_closed()
    exit_now(status)


EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


def _pipe_closed() -> int:
    """The reader of stdout went away (``syndicate articles | head -1``): stop quietly, as ``cat`` does.

    What is still buffered for stdout goes to /dev/null, so the flush at exit cannot fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_PIPE


def exit_now(status: object) -> None:
    """Exit with ``status`` (as ``sys.exit`` takes it) without the interpreter's teardown.

    The command's work is committed by now; tearing the interpreter down would only free every
    object one by one (~0.1 s after a pass over 1,000 sources, a tenth of an everything-304
    pass). The exit handlers still run (logging is flushed, process pools are stopped) and
    stdout and stderr are flushed. While a thread that is not a daemon is still running, the
    ordinary exit (which waits for it) is used instead, and so it is under a profiler or a tracer.
    """
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    observed = sys.getprofile() is not None or sys.gettrace() is not None  # cProfile, coverage: they write at exit
    if observed or any(t.is_alive() for t in others):
        sys.exit(status)  # type: ignore[arg-type]
    if status is None:
        code = EXIT_OK
    elif isinstance(status, int):
        code = status
    else:  # sys.exit("message"): the message on stderr, status 1
        print(status, file=sys.stderr)
        code = EXIT_USAGE
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away while the last output was flushed (| head)
            code = code or EXIT_PIPE
        except (OSError, ValueError):  # what Python's own exit does, status 120
            code = code or 120
    os._exit(code)
