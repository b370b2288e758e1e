"""Feed files in memory, keyed by (mtime_ns, size): serving one is a stat plus a dict lookup.

A file rewritten by :func:`syndicate.outputs.write_if_changed` gets a new
inode and mtime, so the next request reads and hashes it once; unchanged
files are never read again. The gzip form is made on first demand, with a
fixed header time so it is the same bytes every time.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class CachedFile:
    key: tuple[int, int, int]  # (mtime_ns, size, inode)
    data: bytes
    etag: str  # strong, quoted: a hash of the bytes
    mtime: float
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def gzip_etag(self) -> str:
        """The gzip representation's own strong validator."""
        return self.etag[:-1] + '-gz"'

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.data, compresslevel=6, mtime=0)
        return self._gzipped


class FileCache:
    """Thread-safe cache of small files (feeds are kilobytes to a few megabytes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, CachedFile] = {}

    def get(self, path: Path) -> CachedFile | None:
        """The file's cached bytes, re-read when it changed; None when it is gone or not a regular file."""
        name = str(path)
        try:
            info = os.stat(path)
        except OSError:
            self._forget(name)
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        key = (info.st_mtime_ns, info.st_size, info.st_ino)
        cached = self._files.get(name)
        if cached is not None and cached.key == key:
            return cached
        try:
            data = path.read_bytes()
        except OSError:
            self._forget(name)
            return None
        etag = '"' + hashlib.sha256(data).hexdigest()[:40] + '"'
        fresh = CachedFile(key=key, data=data, etag=etag, mtime=info.st_mtime)
        with self._lock:
            self._files[name] = fresh
        return fresh

    def _forget(self, name: str) -> None:
        with self._lock:
            self._files.pop(name, None)

