"""Every format read back by an independent feed reader: lemon24's ``reader`` library
(a test dependency), which parses Atom and RSS with its own feedparser copy and JSON Feed
with its own parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

reader_lib = pytest.importorskip("reader", reason="the `reader` test dependency (pip install reader sgmllib3k)")


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_reader_reads_every_entry(
    fmt: str, documents: dict[str, bytes], expected: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / f"all.{fmt}").write_bytes(documents[fmt])
    reader = reader_lib.make_reader(":memory:", feed_root=str(tmp_path))
    try:
        reader.add_feed(f"all.{fmt}")
        reader.update_feeds()
        feed = reader.get_feed(f"all.{fmt}")
        assert feed.last_exception is None
        assert feed.title == "All syndicated articles"
        assert feed.link == "https://www.example.org/"
        got = {e.id: e for e in reader.get_entries()}
        assert set(got) == {want["id"] for want in expected["entries"]}
        for want in expected["entries"]:
            entry = got[want["id"]]
            assert entry.title == want["title"]
            assert entry.link == want["link"]
            if want["authors"]:  # reader's feedparser keeps only one of several Atom/RSS authors
                assert entry.authors_str is not None
                assert any(name in entry.authors_str for name in want["authors"])
            assert entry.updated is None or entry.updated.isoformat().replace("+00:00", "Z") == want["updated"]
    finally:
        reader.close()
