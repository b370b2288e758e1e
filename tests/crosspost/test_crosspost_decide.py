"""decide() is pure: a table of cases (tests/data/crosspost/decide_cases.json)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from crosspost_helpers import T0, make_article

from syndicate.config import RightsConfig, TargetConfig
from syndicate.crosspost.terms import TERMS_RULES, Decision, LedgerView, decide
from syndicate.models import Rights

CASES = json.loads((Path(__file__).resolve().parents[1] / "data" / "crosspost" / "decide_cases.json").read_text())[
    "cases"
]


def _run(case: dict[str, Any]) -> Decision:
    rights = Rights(license=case["rights"]["license"], conditions=tuple(case["rights"]["conditions"]))
    article = replace(make_article(rights=rights), content_hash="h2", deleted_at=T0 if case.get("deleted") else None)
    target = TargetConfig(name="t", **case["target"])
    terms = [RightsConfig(**t) for t in case.get("source_terms", [])]
    ledger = LedgerView(**case["ledger"]) if case.get("ledger") else None
    return decide(article, target, terms, ledger=ledger)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_decide(case: dict[str, Any]) -> None:
    decision = _run(case)
    action, state, reason = case["expect"]
    assert (decision.action, decision.state) == (action, state)
    if reason is None:
        assert decision.reason is None or decision.state is None
    else:
        assert decision.reason is not None and reason in decision.reason


def test_decide_is_pure_and_deterministic() -> None:
    article = make_article()
    target = TargetConfig(name="t", type="files")
    assert decide(article, target, []) == decide(article, target, []) == Decision("create", "pending")


def test_every_terms_rule_is_exercised_by_the_table() -> None:
    reasons = {_run(case).reason for case in CASES}
    for name, _applies, _state, reason in TERMS_RULES:
        assert reason in reasons, f"no case in decide_cases.json triggers {name}"
