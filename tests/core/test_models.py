"""The models pickle (into the process pool and back) to equal values, through their quick path."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate import models
from syndicate.config import SourceConfig
from syndicate.pipeline.process import ProcessJob, ProcessOutcome, process_feed
from tests.perf.farm_docs import farm_documents

MODELS = [
    cls
    for cls in vars(models).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == models.__name__
]


def test_every_model_takes_the_quick_path() -> None:
    assert len(MODELS) >= 16
    for cls in [*MODELS, ProcessJob, ProcessOutcome]:
        assert cls.__getstate__.__qualname__.startswith("_state_by_fields"), cls  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_model_round_trips(cls: type, data: Any) -> None:
    value = data.draw(st.from_type(cls))
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert type(back) is cls
        # the same bytes again: every field, nested ones too, in its place (and NaN, which is not
        # == itself, or a datetime's fold, which protocols before 4 do not carry, compare as written)
        assert pickle.dumps(back, protocol=protocol) == pickle.dumps(value, protocol=protocol)


def test_a_process_outcome_of_farm_feeds_round_trips() -> None:
    for index, _fmt, body in farm_documents(feeds=6, entries=5):
        source = SourceConfig(name=f"farm-{index}", url=f"http://127.0.0.1:1/feeds/{index:04d}.xml")
        job = ProcessJob(source=source, url=source.url, body=body, headers={"content-type": "application/xml"})
        assert pickle.loads(pickle.dumps(job)) == job
        outcome = process_feed(job)
        assert outcome.entries
        assert pickle.loads(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)) == outcome
