"""Fuzzing the whole pipeline: random feed documents through parse → normalize → merge → render.

No exception escapes (a broken document may only raise ``ParseError``), normalizing
twice changes nothing, no script URL or handler survives, and every output is a
valid document feedparser reads with the same number of entries. ``bench/fuzz.py``
runs the same check for hours.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.reliability.feed_strategies import check_pipeline, feed_documents

CI_EXAMPLES = 400


@settings(max_examples=CI_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(feed_documents())
def test_pipeline_survives_random_feeds(document: tuple[str, bytes]) -> None:
    check_pipeline(*document)


@pytest.mark.long
@settings(max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
@given(feed_documents())
def test_pipeline_survives_random_feeds_long(document: tuple[str, bytes]) -> None:
    check_pipeline(*document)
