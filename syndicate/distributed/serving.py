"""Serving the outputs from the database, so ``syndicate serve`` runs as stateless instances.

Every rendered document is also stored in the ``documents`` table by ``render_outputs``.
:class:`DocumentCache` has the file cache's interface (``get(path) -> CachedFile | None``)
but reads the document named like the file from the database: one indexed read of its
validator per request, the body only when it changed. ETags are the same hash the file cache
uses, so instances serving from files and from the database agree.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from syndicate.serve.filecache import CachedFile
from syndicate.store.codec import aware
from syndicate.store.schema import documents


class DocumentCache:
    """Documents from the database, cached in memory by their stored ETag."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._docs: dict[str, tuple[str, CachedFile]] = {}

    def get(self, path: Path) -> CachedFile | None:
        name = Path(path).name
        with self.engine.connect() as conn:
            head = conn.execute(
                select(documents.c.etag, documents.c.updated_at).where(documents.c.path == name)
            ).first()
            if head is None:
                with self._lock:
                    self._docs.pop(name, None)
                return None
            held = self._docs.get(name)
            if held is not None and held[0] == head.etag:
                return held[1]
            body = conn.execute(select(documents.c.body).where(documents.c.path == name)).scalar()
        if body is None:
            return None
        data = bytes(body)
        updated = aware(head.updated_at)
        mtime = updated.timestamp() if updated is not None else 0.0
        etag = '"' + hashlib.sha256(data).hexdigest()[:40] + '"'
        fresh = CachedFile(key=(int(mtime * 1e9), len(data), 0), data=data, etag=etag, mtime=mtime)
        with self._lock:
            self._docs[name] = (head.etag, fresh)
        return fresh


def serve_from_database(app: Any, engine: Engine) -> Any:
    """Make a FeedServer (``syndicate.serve.make_app``) answer from the database; returns it."""
    app.cache = DocumentCache(engine)
    return app
