"""File sources: a feed read from a local path instead of over HTTP.

The file's modification time and size stand in for an HTTP validator: they are
returned as ``last_modified`` and, when the stored value is the same, the file
is reported ``not-modified`` without being read.
"""

from __future__ import annotations

import os
from pathlib import Path

from syndicate.models import FetchResult, SourceState


def file_validator(stat: os.stat_result) -> str:
    """``"mtime=<ns>;size=<bytes>"``: changes whenever the file is rewritten."""
    return f"mtime={stat.st_mtime_ns};size={stat.st_size}"


def fetch_file(name: str, url: str, path: Path, state: SourceState, max_bytes: int) -> FetchResult:
    """Read a file source (never raises for a missing, unreadable or oversized file)."""

    def failed(message: str) -> FetchResult:
        return FetchResult(source=name, status="error", url=url, error=message)

    try:
        stat = path.stat()
    except FileNotFoundError:
        return failed(f"no such file: {path}")
    except OSError as exc:
        return failed(f"cannot read {path}: {exc.strerror or type(exc).__name__}")
    if not path.is_file():
        return failed(f"not a regular file: {path}")
    validator = file_validator(stat)
    if state.last_modified == validator:
        return FetchResult(source=name, status="not-modified", url=url, last_modified=validator)
    if stat.st_size > max_bytes:
        return failed(f"file is larger than max_bytes ({max_bytes} bytes): {path}")
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
            stat = os.fstat(handle.fileno())  # the validator of what was actually read
    except OSError as exc:
        return failed(f"cannot read {path}: {exc.strerror or type(exc).__name__}")
    if len(body) > max_bytes:
        return failed(f"file is larger than max_bytes ({max_bytes} bytes): {path}")
    return FetchResult(source=name, status="ok", url=url, body=body, last_modified=file_validator(stat))
