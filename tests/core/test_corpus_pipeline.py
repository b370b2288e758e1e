"""Every file of the shared third-party corpus goes fetch → parse → normalize without an exception.

Each file is a local file source: the real Fetcher reads it (size cap included), the real
process stage parses and normalizes it. An ill-formed file must come out *reported* (a
one-line "not a feed" error or parse warnings), never as an escaped exception.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from syndicate.config import Settings, SourceConfig
from syndicate.fetch import Fetcher
from syndicate.models import SourceState
from syndicate.pipeline.process import ProcessJob, process_feed

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILES = (
    sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".md" and not p.name.endswith(".serde.json"))
    if CORPUS.is_dir()
    else []
)


@pytest.fixture(scope="module")
def fetcher() -> Fetcher:
    return Fetcher(Settings(max_bytes=16 * 1024 * 1024))


def test_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (CI has it): the corpus run is skipped")
    assert len(FILES) > 2000


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file_goes_through_the_pipeline(path: Path, fetcher: Fetcher) -> None:
    source = SourceConfig(name="corpus", url=str(path))
    result = fetcher.fetch(source, SourceState(name="corpus", url=str(path)), path=path)
    assert result.status == "ok", result.error
    assert result.body is not None
    job = ProcessJob(source=source, url=f"https://corpus.example/{path.name}", body=result.body, headers={},
                     now=datetime.now(UTC))
    outcome = process_feed(job)
    if outcome.error is not None:
        assert outcome.feed is None and "\n" not in outcome.error and outcome.error.startswith("not a feed")
        return
    assert outcome.feed is not None
    for entry in outcome.entries:
        assert entry.title is not None and entry.url is not None
        assert "<script" not in entry.content_html.lower()
    # what was wrong with a partly broken feed is reported, one line each
    assert all("\n" not in warning for warning in outcome.feed.warnings)
