"""Writing output documents: atomically, and only when their bytes change.

An unchanged output keeps its file and its mtime, so HTTP validators
(ETag, Last-Modified) stay the same and readers get 304 answers.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

FILE_MODE = 0o644  # feeds are public documents; a web server running as another user must read them


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; return False (file and mtime untouched) when identical.

    The bytes go to a temporary file in the same folder, are fsynced, and the
    file is renamed over ``path`` (``os.replace``), so a reader sees the old
    document or the new one, never a partial one.
    """
    path = Path(path)
    if _same_content(path, data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)
    return True


def _same_content(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); silently skipped where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
