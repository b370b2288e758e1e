"""What travels through the broker: our dataclasses as plain JSON, and back.

Task arguments and results are JSON (never pickle, so a message on the broker cannot run
code on a worker). Only these shapes cross: a FetchResult (the body base64-encoded), a
source's SourceOutcome, a RenderSummary and a DeliverySummary.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, fields
from typing import Any

from syndicate.models import FetchResult
from syndicate.pipeline.passes import SourceOutcome, SourceReport
from syndicate.pipeline.render import RenderSummary


def fetch_result_to_wire(result: FetchResult) -> dict[str, Any]:
    data = asdict(result)
    data["body"] = base64.b64encode(result.body).decode("ascii") if result.body is not None else None
    return data


def fetch_result_from_wire(data: dict[str, Any]) -> FetchResult:
    values = _known(FetchResult, data)
    if values.get("body") is not None:
        values["body"] = base64.b64decode(values["body"])
    values["headers"] = dict(values.get("headers") or {})
    return FetchResult(**values)


def outcome_to_wire(outcome: SourceOutcome) -> dict[str, Any]:
    return asdict(outcome)


def outcome_from_wire(data: dict[str, Any]) -> SourceOutcome:
    values = _known(SourceOutcome, data)
    values["report"] = SourceReport(**_known(SourceReport, values["report"]))
    values["changed_ids"] = list(values.get("changed_ids") or [])
    return SourceOutcome(**values)


def render_to_wire(summary: RenderSummary) -> dict[str, Any]:
    return asdict(summary)


def render_from_wire(data: dict[str, Any]) -> RenderSummary:
    return RenderSummary(**_known(RenderSummary, data))


def deliveries_to_wire(summary: Any) -> dict[str, Any]:
    return asdict(summary)


def deliveries_from_wire(data: dict[str, Any]) -> Any:
    from syndicate.crosspost import DeliverySummary

    return DeliverySummary(**_known(DeliverySummary, data))


def _known(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The keys ``cls`` has (a newer worker may send more)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
