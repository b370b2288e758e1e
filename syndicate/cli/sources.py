"""``syndicate sources``: list, enable, disable, add, remove, import and export (OPML) sources."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from syndicate.cli.main import cli, config_option, friendly_errors, open_context
from syndicate.store import sources as source_store


@cli.group("sources")
def sources_group() -> None:
    """Manage sources."""


@sources_group.command("list")
@config_option
@click.pass_context
@friendly_errors
def list_sources(click_ctx: click.Context, config_path: str | None) -> None:
    """The configured sources: state, next fetch, WebSub push, URL."""
    from datetime import UTC, datetime

    from syndicate.cli.status import _ago
    from syndicate.websub.subscriptions import all_subscriptions

    ctx = open_context(click_ctx, config_path)
    source_store.sync_sources(ctx.engine, ctx.config)
    rows = source_store.all_sources(ctx.engine)
    pushed = all_subscriptions(ctx.engine)
    now = datetime.now(UTC)
    for source in ctx.config.source:
        row = rows.get(source.name)
        disabled = (row is not None and row.disabled_reason) or not source.enabled
        state = "disabled" if disabled else (row.last_status if row else None)
        if disabled:
            due = "-"
        elif row is None or row.next_due_at is None or row.next_due_at <= now:
            due = "now"
        else:
            due = _ago(row.next_due_at, now)
        push = pushed[source.name].state if source.name in pushed else "-"
        click.echo(f"{source.name:<24} {state or 'new':<13} {due:<10} {push:<10} {source.url}")


def _set(click_ctx: click.Context, config_path: str | None, name: str, enabled: bool) -> None:
    ctx = open_context(click_ctx, config_path)
    ctx.config.source_by_name(name)
    source_store.sync_sources(ctx.engine, ctx.config)
    from syndicate.store.audit import cli_actor

    source_store.set_enabled(ctx.engine, name, enabled, actor=cli_actor())
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'}")


@sources_group.command("enable")
@config_option
@click.argument("name")
@click.pass_context
@friendly_errors
def enable(click_ctx: click.Context, config_path: str | None, name: str) -> None:
    """Re-enable a source that was gone, suspended or disabled."""
    _set(click_ctx, config_path, name, True)


@sources_group.command("disable")
@config_option
@click.argument("name")
@click.pass_context
@friendly_errors
def disable(click_ctx: click.Context, config_path: str | None, name: str) -> None:
    """Stop fetching a source until it is enabled again."""
    _set(click_ctx, config_path, name, False)


# --------------------------------------------------------------------------
# editing the configuration: add, remove, OPML import and export (ops helper)
# --------------------------------------------------------------------------

_RELOAD_HINT = "a running daemon picks this up on SIGHUP (systemctl reload syndicate)"


def _config_file(config_path: str | None) -> Path:
    from syndicate.config import config_path as resolve

    return resolve(config_path)


_CONDITIONS = ("attribution", "link-to-original", "noncommercial", "no-derivatives", "share-alike")


@sources_group.command("add")
@config_option
@click.argument("name")
@click.argument("url")
@click.option("--interval", default=None, help="How often to fetch it, e.g. 30m (default from [syndicate]).")
@click.option("--tag", "tags", multiple=True, help="A tag for its articles (repeatable).")
@click.option("--publisher", default=None, help="The outlet, when the feed does not say.")
@click.option("--rights", "license_", default=None, help='Terms agreed with the outlet: an SPDX id or "permission".')
@click.option("--condition", "conditions", multiple=True, type=click.Choice(_CONDITIONS), help="With --rights.")
@click.option("--no-check", is_flag=True, help="Add the URL as given, without fetching it.")
@click.pass_context
@friendly_errors
def add(
    click_ctx: click.Context,
    config_path: str | None,
    name: str,
    url: str,
    interval: str | None,
    tags: tuple[str, ...],
    publisher: str | None,
    license_: str | None,
    conditions: tuple[str, ...],
    no_check: bool,
) -> None:
    """Add a source to the configuration file (comments and layout are kept).

    An http(s) URL is fetched once first: a feed's title and item count are shown; for an HTML
    page, the feed it links to (or one at /feed, /rss, /atom.xml …) is found and added instead.
    """
    from syndicate.cli.config_edit import NewSource, add_sources
    from syndicate.config import load_config
    from syndicate.config_lint import url_problem
    from syndicate.errors import ConfigError

    path = _config_file(config_path)
    config = load_config(path, missing_secrets="note")
    url = url.strip()
    problem = url_problem(config, url)
    if problem:
        raise ConfigError(f"{path}: {name}: {problem}")
    if conditions and not license_:
        raise click.UsageError("--condition goes with --rights")
    _refuse_known(config, path, name, url)
    if url.startswith(("http://", "https://")) and not no_check and _valid_source(name, url):
        from syndicate.discover import discover

        found = discover(url, config.syndicate)
        click.echo(f"{name}: {found.describe()}")
        url = found.url
        _refuse_known(config, path, name, url)
    rights = {"license": license_, "conditions": list(conditions)} if license_ else None
    add_sources(
        path,
        [NewSource(name=name, url=url, interval=interval, tags=tags, publisher=publisher, rights=rights)],
    )
    click.echo(f"{name}: added to {path}; {_RELOAD_HINT}")


def _refuse_known(config: Any, path: Path, name: str, url: str) -> None:
    from syndicate.errors import ConfigError

    for source in config.source:
        if source.name == name:
            raise ConfigError(f"{path}: a source named {name!r} exists already")
        if source.url.rstrip("/") == url.rstrip("/"):
            raise ConfigError(f"{path}: {url} is configured already, as source {source.name!r}")


def _valid_source(name: str, url: str) -> bool:
    """Whether the table would validate (if not, nothing is fetched: writing it reports the problem)."""
    from pydantic import ValidationError

    from syndicate.config import SourceConfig

    try:
        SourceConfig(name=name, url=url)
    except ValidationError:
        return False
    return True


@sources_group.command("remove")
@config_option
@click.argument("name")
@click.pass_context
@friendly_errors
def remove(click_ctx: click.Context, config_path: str | None, name: str) -> None:
    """Remove a source from the configuration file (its stored articles stay)."""
    from syndicate.cli.config_edit import remove_source
    from syndicate.config import load_config

    path = _config_file(config_path)
    load_config(path, missing_secrets="note").source_by_name(name)
    remove_source(path, name)
    click.echo(f"{name}: removed from {path}; {_RELOAD_HINT}")


@sources_group.command("import")
@config_option
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be added; change nothing.")
@click.pass_context
@friendly_errors
def import_opml(click_ctx: click.Context, config_path: str | None, opml_file: Path, dry_run: bool) -> None:
    """Add the feeds of an OPML file as sources (folders become tags; known URLs are skipped)."""
    from syndicate.cli.config_edit import add_sources
    from syndicate.config import load_config
    from syndicate.opml import parse_opml, plan_import

    path = _config_file(config_path)
    config = load_config(path, missing_secrets="note")
    plan = plan_import(parse_opml(opml_file.read_bytes()), config)
    for name, feed in plan.add:
        click.echo(f"+ {name:<32} {feed.url}" + (f"  [{', '.join(feed.tags)}]" if feed.tags else ""))
    if not dry_run:
        add_sources(path, [_new_source(name, feed) for name, feed in plan.add])
    verb = "would add" if dry_run else "added"
    click.echo(
        f"{opml_file}: {verb} {len(plan.add)} sources, {len(plan.already)} already configured"
        + ("" if dry_run or not plan.add else f"; {_RELOAD_HINT}")
    )


def _new_source(name: str, feed: Any) -> Any:
    """The ``[[source]]`` table for an imported feed, with what its ``syndicate:*`` attributes kept."""
    from syndicate.cli.config_edit import NewSource

    kept = feed.settings
    return NewSource(
        name=name,
        url=feed.url,
        tags=feed.tags,
        comment=feed.title,
        interval=kept.interval,
        publisher=kept.publisher,
        rights=kept.rights,
        language=kept.language,
        enabled=kept.enabled,
        rules=kept.rules,
    )


@sources_group.command("export")
@config_option
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output).",
)
@click.pass_context
@friendly_errors
def export_opml_command(click_ctx: click.Context, config_path: str | None, output: Path | None) -> None:
    """The configured sources as an OPML 2.0 subscription list."""
    from syndicate.opml import export_opml

    ctx = open_context(click_ctx, config_path)
    data = export_opml(ctx.config, known=_feed_titles(ctx))
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(f"{output}: {data.count(b'xmlUrl=')} sources", err=True)


def _feed_titles(ctx: Any) -> dict[str, tuple[str | None, str | None]]:
    """source → (feed title, site link) as last fetched, for a friendlier OPML export."""
    from sqlalchemy import select

    from syndicate.store.schema import sources

    with ctx.engine.connect() as conn:
        rows = conn.execute(select(sources.c.name, sources.c.feed_title, sources.c.feed_link))
        return {r.name: (r.feed_title, r.feed_link) for r in rows}
