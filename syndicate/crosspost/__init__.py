"""Crossposting exactly once: plan what each target is owed, deliver it, keep a ledger.

    plan(engine, config, *, now) -> PlanSummary
    deliver(engine, config, *, now, dry_run=False, deadline=None) -> DeliverySummary
    preview(engine, config, *, now) -> list[PlannedAction]
    new_target_notes(engine, config, *, now) -> list[NewTargetNote]   (what a first pass will not send)
    decide(article, target_config, source_terms, *, ledger=None) -> Decision   (pure)

The ledger functions (list_deliveries, release, counts_by_target) are in
:mod:`syndicate.crosspost.ledger`.
"""

from __future__ import annotations

from syndicate.crosspost.delivery import DeliverySummary, deliver
from syndicate.crosspost.planner import NewTargetNote, PlannedAction, PlanSummary, new_target_notes, plan, preview
from syndicate.crosspost.terms import Decision, LedgerView, decide

__all__ = [
    "Decision",
    "DeliverySummary",
    "LedgerView",
    "NewTargetNote",
    "PlanSummary",
    "PlannedAction",
    "decide",
    "deliver",
    "new_target_notes",
    "plan",
    "preview",
]
