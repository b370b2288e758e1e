"""A pass over a feed that gained a few entries normalizes only those (the rest are skipped by raw hash)."""

from __future__ import annotations

from datetime import UTC, datetime

from syndicate.config import SourceConfig
from syndicate.parse import parse_feed
from syndicate.pipeline.process import ProcessJob, process_feed
from tests.perf.farm_docs import farm_documents

URL = "http://127.0.0.1:8765/feeds/{:04d}.xml"


def test_only_new_entries_are_normalized() -> None:
    for index, _fmt, body in farm_documents(feeds=6, entries=12):
        url = URL.format(index)
        headers = {"content-type": "application/xml"}
        entries = parse_feed(body, headers, url).entries
        stored = entries[5:]  # the farm's advance puts new entries first
        known = {e.guid: e.raw_hash for e in stored if e.guid}
        job = ProcessJob(
            source=SourceConfig(name=f"farm-{index}", url=url),
            url=url,
            body=body,
            headers=headers,
            known=known,
            now=datetime.now(UTC),
        )
        outcome = process_feed(job)
        assert outcome.skipped == len(stored)
        assert [e.guid for e in outcome.entries] == [e.guid for e in entries[:5]]
