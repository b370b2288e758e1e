"""Crossposting exactly once: plan what each target is owed, deliver it, keep a ledger.

    plan(engine, config, *, now) -> PlanSummary
    deliver(engine, config, *, now, dry_run=False, deadline=None) -> DeliverySummary
    preview(engine, config, *, now) -> list[PlannedAction]
    decide(article, target_config, source_terms, *, ledger=None) -> Decision   (pure)

The ledger functions (list_deliveries, release, counts_by_target) are in
:mod:`syndicate.crosspost.ledger`.
"""

from __future__ import annotations

from syndicate.crosspost.delivery import DeliverySummary, deliver
from syndicate.crosspost.planner import PlannedAction, PlanSummary, plan, preview
from syndicate.crosspost.terms import Decision, LedgerView, decide

__all__ = [
    "Decision",
    "DeliverySummary",
    "LedgerView",
    "PlanSummary",
    "PlannedAction",
    "decide",
    "deliver",
    "plan",
    "preview",
]
