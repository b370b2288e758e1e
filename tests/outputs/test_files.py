"""Writing outputs: atomic, and untouched (same mtime) when the bytes are the same."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from syndicate.outputs import feed_filename, write_if_changed


def test_writes_then_leaves_identical_content_alone(tmp_path: Path) -> None:
    path = tmp_path / "feeds" / "all.atom"
    assert write_if_changed(path, b"<feed/>") is True  # creates the folder too
    assert path.read_bytes() == b"<feed/>"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_if_changed(path, b"<feed/>") is False
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert write_if_changed(path, b"<feed>new</feed>") is True
    assert path.read_bytes() == b"<feed>new</feed>"
    assert path.stat().st_mtime_ns != 1_000_000_000
    assert write_if_changed(path, b"<feed>NEW</feed>") is True  # same size, other bytes
    assert sorted(p.name for p in path.parent.iterdir()) == ["all.atom"]  # no temporary files left
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_replaces_atomically_keeping_readers_on_the_old_inode(tmp_path: Path) -> None:
    path = tmp_path / "all.rss"
    write_if_changed(path, b"old")
    with path.open("rb") as reader:  # an open reader keeps the complete old document
        write_if_changed(path, b"new content")
        assert reader.read() == b"old"
    assert path.read_bytes() == b"new content"


def test_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "is-a-dir.json"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(OSError):
        write_if_changed(target, b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["is-a-dir.json"]


def test_feed_filename() -> None:
    assert feed_filename("all", "atom") == "all.atom"
    assert feed_filename("all-south-front", "json") == "all-south-front.json"
    with pytest.raises(ValueError):
        feed_filename("all", "xml")
