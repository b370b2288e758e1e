"""``syndicate sources``: list, enable and disable sources."""

from __future__ import annotations

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
    """The configured sources and their state."""
    ctx = open_context(click_ctx, config_path)
    source_store.sync_sources(ctx.engine, ctx.config)
    rows = source_store.all_sources(ctx.engine)
    for source in ctx.config.source:
        row = rows.get(source.name)
        state = "disabled" if (row and row.disabled_reason) or not source.enabled else (row.last_status if row else None)
        click.echo(f"{source.name:<24} {state or 'new':<13} {source.url}")


def _set(click_ctx: click.Context, config_path: str | None, name: str, enabled: bool) -> None:
    ctx = open_context(click_ctx, config_path)
    ctx.config.source_by_name(name)
    source_store.sync_sources(ctx.engine, ctx.config)
    source_store.set_enabled(ctx.engine, name, enabled)
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
