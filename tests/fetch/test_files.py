"""File sources: read from disk, validated by modification time and size."""

from __future__ import annotations

import os
from pathlib import Path

from syndicate.fetch import Fetcher
from syndicate.models import FetchResult
from tests.fetch.fetch_servers import FEED, settings, source, state


def fetch_file(path: Path, **state_fields: object) -> FetchResult:
    with Fetcher(settings(max_bytes=4096)) as fetcher:
        return fetcher.fetch(source(str(path)), state(str(path), **state_fields), path=path)


def test_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_bytes(FEED)
    result = fetch_file(path)
    assert result.status == "ok"
    assert result.body == FEED
    assert result.last_modified is not None
    assert result.error is None


def test_unchanged_file_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_bytes(FEED)
    first = fetch_file(path)
    second = fetch_file(path, last_modified=first.last_modified)
    assert second.status == "not-modified"
    assert second.body is None
    assert second.last_modified == first.last_modified


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_bytes(FEED)
    first = fetch_file(path)
    path.write_bytes(FEED + b"\n<!-- edited -->\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = fetch_file(path, last_modified=first.last_modified)
    assert second.status == "ok"
    assert second.body is not None and second.body.endswith(b"<!-- edited -->\n")
    assert second.last_modified != first.last_modified


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.xml"
    result = fetch_file(path)
    assert result.status == "error"
    assert result.error == f"no such file: {path}"


def test_directory_is_an_error(tmp_path: Path) -> None:
    result = fetch_file(tmp_path)
    assert result.status == "error"
    assert result.error == f"not a regular file: {tmp_path}"


def test_file_over_the_cap_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"x" * 4097)
    result = fetch_file(path)
    assert result.status == "error"
    assert result.error == f"file is larger than max_bytes (4096 bytes): {path}"


def test_file_url_without_a_path_argument(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_bytes(FEED)
    with Fetcher(settings()) as fetcher:
        result = fetcher.fetch(source(f"file://{path}"), state(f"file://{path}"))
    assert result.status == "ok"
    assert result.body == FEED
