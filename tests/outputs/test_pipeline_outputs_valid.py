"""The outputs the real pipeline writes for the shared fixtures, our own attribution cases and the
bundled samples are valid: Atom by RFC 4287's RELAX NG schema and rules, JSON Feed by its schema,
RSS read back by feedparser without a complaint, with every entry's provenance present."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest

from syndicate.config import config_from_dict
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import run_pass

DATA = Path(__file__).resolve().parents[1] / "data"
REPO = Path(__file__).resolve().parents[2]
CORPORA = {
    "shared-fixtures": sorted(p for p in (DATA / "attribution" / "shared").iterdir() if p.suffix != ".json"),
    "attribution-cases": sorted((DATA / "attribution" / "feeds").iterdir()),
    "bundled-samples": sorted((REPO / "config" / "samples").iterdir()),
}


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_pipeline_outputs_are_valid(
    corpus: str, tmp_path: Path, check_atom: Callable[[bytes], list[str]], jsonfeed_schema: dict[str, Any]
) -> None:
    sources = []
    for index, path in enumerate(CORPORA[corpus]):
        copy = tmp_path / "in" / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, copy)
        sources.append({"name": f"s{index:02d}", "url": str(copy)})
    raw = {
        "syndicate": {"feeds_dir": "feeds", "database": "sqlite:///db.sqlite", "base_url": "https://feeds.example.org/",
                      "process_workers": 1},
        "source": sources,
        "output": [{"name": "all", "title": f"All: {corpus}", "limit": 500}],
    }
    ctx = Context.open(config=config_from_dict(raw, tmp_path / "syndicate.toml", environ={}))
    summary = run_pass(ctx, crosspost=False)
    assert summary.new > 0
    feeds = tmp_path / "feeds"

    atom = (feeds / "all.atom").read_bytes()
    assert check_atom(atom) == []
    parsed = feedparser.parse(atom)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == summary.new
    for entry in parsed.entries:
        assert (entry.get("author") or parsed.feed.get("author")) and entry.get("link") and entry.get("id")

    rss = feedparser.parse((feeds / "all.rss").read_bytes())
    assert not rss.bozo, rss.get("bozo_exception")
    assert [e.id for e in rss.entries] == [e.id for e in parsed.entries]

    document = json.loads((feeds / "all.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, jsonfeed_schema)
    assert [item["id"] for item in document["items"]] == [e.id for e in parsed.entries]
    for item in document["items"]:
        assert set(item["_syndicate"]) >= {"attribution", "rights"}
    ctx.close()
