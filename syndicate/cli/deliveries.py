"""``syndicate deliveries``: the crosspost ledger."""

from __future__ import annotations

import json

import click

from syndicate.cli.main import cli, config_option, friendly_errors, open_context


@cli.group(invoke_without_command=True)
@config_option
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@click.option("--target", default=None, help="Only this target.")
@click.option("--state", default=None, help="Only this state (pending, sending, delivered, failed, blocked, held).")
@click.pass_context
@friendly_errors
def deliveries(
    click_ctx: click.Context, config_path: str | None, as_json: bool, target: str | None, state: str | None
) -> None:
    """The crosspost ledger: one row per (article, target)."""
    if click_ctx.invoked_subcommand is not None:
        return
    from syndicate.crosspost.ledger import list_deliveries

    ctx = open_context(click_ctx, config_path)
    rows = list_deliveries(ctx.engine, target=target, state=state)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        else:
            where = row.get("remote_url") or row.get("reason") or row.get("last_error") or ""
            click.echo(f"{row['id']}  {row['target']:<16} {row['state']:<10} {row['article_id']}  {where}")


@deliveries.command("release")
@config_option
@click.argument("delivery_id")
@click.pass_context
@friendly_errors
def release(click_ctx: click.Context, config_path: str | None, delivery_id: str) -> None:
    """Release a blocked or held delivery so the next pass sends it."""
    from syndicate.crosspost.ledger import release as release_delivery

    ctx = open_context(click_ctx, config_path)
    if not release_delivery(ctx.engine, delivery_id):
        raise click.ClickException(f"no blocked or held delivery {delivery_id}")
    click.echo(f"released {delivery_id}")
