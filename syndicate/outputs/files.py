"""Writing output documents: atomically, and only when their bytes change.

An unchanged output keeps its file and its mtime, so HTTP validators
(ETag, Last-Modified) stay the same and readers get 304 answers.
"""

from __future__ import annotations

from pathlib import Path

from syndicate.atomic import replace_file

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
    replace_file(path, data, mode=FILE_MODE)
    return True


def _same_content(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False
