"""A document rendered from exactly the same inputs is not rendered again; any change in them is.

Real SQLite, the real pipeline stages: ingest → render_outputs. The inputs are the code's
version, the output's and the global settings, the format and every field of every article
and tombstone in the document (``documents.inputs``).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from syndicate.config import load_config
from syndicate.models import FetchResult
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import process_job, record_source
from syndicate.pipeline.process import process_feed
from syndicate.pipeline.render import render_outputs
from syndicate.store import sources as source_store
from syndicate.store.schema import documents
from tests.helpers.cli import write_config

CONFIG = '[[source]]\nname = "s"\nurl = "https://s.example/feed"\n[[output]]\nname = "all"\ntitle = "{title}"\n'


def rss(text: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><link>https://s.example/</link>'
        "<item><title>One</title><link>https://s.example/1</link><guid>https://s.example/1</guid>"
        f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>{text}</description></item>"
        "</channel></rss>"
    ).encode()


def open_context(tmp_path: Path, title: str = "All") -> Context:
    ctx = Context.open(config=load_config(write_config(tmp_path, CONFIG.format(title=title))))
    source_store.sync_sources(ctx.engine, ctx.config)
    return ctx


def ingest(ctx: Context, text: str) -> None:
    source = ctx.config.source[0]
    result = FetchResult(source="s", status="ok", url=source.url, http_status=200, body=rss(text),
                         headers={"content-type": "application/rss+xml"}, fetched_at=time.time())
    job = process_job(ctx, source, result)
    assert job is not None
    record_source(ctx, source, result, process_feed(job))


def test_unchanged_inputs_are_not_rendered_again_and_changed_ones_are(tmp_path: Path) -> None:
    ctx = open_context(tmp_path)
    ingest(ctx, "First text.")
    first = render_outputs(ctx)
    assert (first.written, first.unchanged) == (3, 0)
    with ctx.engine.connect() as conn:
        assert all(len(r.inputs) == 48 for r in conn.execute(select(documents.c.inputs)))

    atom = ctx.config.feeds_dir / "all.atom"
    atom.write_bytes(atom.read_bytes() + b"\n<!-- by hand -->")  # not rendered again: left as it is
    again = render_outputs(ctx)
    assert (again.written, again.unchanged) == (0, 3)
    assert atom.read_bytes().endswith(b"<!-- by hand -->")

    atom.unlink()  # a missing file is written again
    assert render_outputs(ctx).files == ["all.atom"]

    ingest(ctx, "First text, corrected.")  # an article changed: every document shows it
    edited = render_outputs(ctx)
    assert edited.written == 3 and b"corrected" in atom.read_bytes()
    ctx.close()

    renamed = open_context(tmp_path, title="Everything")  # the output's settings changed
    assert render_outputs(renamed).written == 3
    assert b"Everything" in atom.read_bytes()
    assert render_outputs(renamed).written == 0
    assert render_outputs(renamed, force=True).written == 3
    renamed.close()
