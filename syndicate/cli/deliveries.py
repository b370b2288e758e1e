"""``syndicate deliveries``: the crosspost ledger, and a person's decisions on it (release, hold, reject);
``syndicate audit``: who changed what, when and why."""

from __future__ import annotations

import json
from typing import Any

import click

from syndicate.cli.main import cli, config_option, friendly_errors, open_context

ID_WIDTH = 12  # a delivery id is shown by this prefix; any unique prefix names it


@cli.group(invoke_without_command=True)
@config_option
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@click.option("--target", default=None, help="Only this target.")
@click.option(
    "--state", default=None, help="Only this state (pending, sending, delivered, failed, blocked, held, rejected)."
)
@click.pass_context
@friendly_errors
def deliveries(
    click_ctx: click.Context, config_path: str | None, as_json: bool, target: str | None, state: str | None
) -> None:
    """The crosspost ledger: one row per (article, target)."""
    if click_ctx.invoked_subcommand is not None:
        return
    from syndicate.crosspost.ledger import list_deliveries, with_titles

    ctx = open_context(click_ctx, config_path)
    rows = list_deliveries(ctx.engine, target=target, state=state)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    if not rows:
        click.echo("no deliveries")
        return
    click.echo(f"{'ID':<{ID_WIDTH}}  {'TARGET':<16} {'STATE':<10} {'TITLE':<40}  REASON / URL")
    for row in with_titles(ctx.engine, rows):
        title = _cut(row["title"] or f"(article {row['article_id'][:12]} is gone)", 40)
        where = row.get("remote_url") or row.get("reason") or row.get("last_error") or ""
        click.echo(f"{row['id'][:ID_WIDTH]:<{ID_WIDTH}}  {row['target']:<16} {row['state']:<10} {title:<40}  {where}")


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _decide(
    click_ctx: click.Context,
    config_path: str | None,
    prefix: str,
    reason: str | None,
    verb: str,
    allowed: str,
) -> None:
    from syndicate.crosspost.ledger import DONE_BY_HAND, AmbiguousDelivery, decide_by_hand, resolve_id
    from syndicate.errors import SyndicateError
    from syndicate.store.audit import cli_actor

    ctx = open_context(click_ctx, config_path)
    try:
        full = resolve_id(ctx.engine, prefix)
    except AmbiguousDelivery as exc:
        raise SyndicateError(str(exc)) from None
    if not decide_by_hand(ctx.engine, full, verb, actor=cli_actor(), reason=reason):
        raise SyndicateError(f"delivery {full[:ID_WIDTH]} is not {allowed}: nothing to {verb}")
    click.echo(f"{DONE_BY_HAND[verb]} {full}")


def _decision_command(name: str, allowed: str, doc: str) -> Any:
    @deliveries.command(name, help=doc)
    @config_option
    @click.argument("delivery_id")
    @click.option("--reason", default=None, help="Why (kept in the audit trail).")
    @click.pass_context
    @friendly_errors
    def command(click_ctx: click.Context, config_path: str | None, delivery_id: str, reason: str | None) -> None:
        _decide(click_ctx, config_path, delivery_id, reason, name, allowed)

    return command


release = _decision_command(
    "release",
    "blocked, held, failed or rejected",
    "Release a blocked, held, failed or rejected delivery (a unique id prefix will do): the next pass sends it.",
)
hold = _decision_command(
    "hold",
    "pending, failed or blocked",
    "Hold a delivery until someone releases it (a unique id prefix will do).",
)
reject = _decision_command(
    "reject",
    "pending, failed, blocked or held",
    "Reject a delivery: it is never sent (a unique id prefix will do; release undoes it).",
)


@cli.command("audit")
@config_option
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@click.option("--limit", type=int, default=100, show_default=True, help="The newest N changes.")
@click.pass_context
@friendly_errors
def audit_command(click_ctx: click.Context, config_path: str | None, as_json: bool, limit: int) -> None:
    """Every change people made (desk and command line): when, who, what, on what, why."""
    from syndicate.store.audit import list_audit

    ctx = open_context(click_ctx, config_path)
    rows = list_audit(ctx.engine, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("no changes recorded")
        return
    click.echo(f"{'WHEN':<20}  {'WHO':<16} {'ACTION':<18} {'SUBJECT':<14} WHY")
    for row in rows:
        click.echo(
            f"{(row['at'] or '')[:19]:<20}  {row['actor']:<16} {row['action']:<18} {row['subject'][:ID_WIDTH]:<14} "
            f"{row['reason'] or ''}"
        )
