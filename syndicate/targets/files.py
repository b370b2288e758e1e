"""Files target: Markdown with YAML front matter in a folder (a Hugo or Jekyll content dir).

One file per delivery, named ``<date>-<title slug>-<delivery id prefix>.md``; the
prefix makes the name findable again (reconciliation) and the write idempotent.
Files are written atomically (temporary file, then rename); an update rewrites the
same file, a delete removes it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, Literal

from syndicate.errors import PermanentTargetError, TransientTargetError
from syndicate.models import rfc3339
from syndicate.targets.base import Post, Remote, Target, TargetOptions
from syndicate.targets.registry import register

TRANSIENT_ERRNOS = frozenset({errno.ENOSPC, errno.EAGAIN, errno.EBUSY, errno.EIO, errno.EDQUOT})
ID_CHARS = 8


class FilesOptions(TargetOptions):
    path: str  # the folder; relative paths start from the configuration's folder
    extension: str = "md"
    content: Literal["full", "excerpt"] = "full"


def title_slug(title: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "post"


def yaml_value(value: Any) -> str:
    """A YAML scalar or flow list (JSON strings are valid YAML)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


def front_matter(fields: dict[str, Any]) -> str:
    lines = ["---"] + [f"{key}: {yaml_value(value)}" for key, value in fields.items() if value not in (None, [], ())]
    return "\n".join(lines) + "\n---\n"


@register
class FilesTarget(Target):
    type_name = "files"
    block_format = "markdown"
    Options = FilesOptions
    options: FilesOptions

    @property
    def folder(self) -> Path:
        """The folder, relative to the configuration's folder unless absolute, resolved as the feeds'
        folder is (``config/../var/crossposts`` is shown, and recorded as the remote URL, as
        ``var/crossposts``)."""
        path = Path(self.options.path)
        return (path if path.is_absolute() else self.base_dir / path).resolve()

    def file_name(self, post: Post) -> str:
        when = post.article.published or post.article.first_seen
        date = f"{when:%Y-%m-%d}-" if when else ""
        return f"{date}{title_slug(post.title)}-{post.delivery_id[:ID_CHARS]}.{self.options.extension}"

    def document(self, post: Post) -> str:
        article = post.article
        attribution = article.attribution
        fields = {
            "title": post.title,
            "date": rfc3339(article.published or article.first_seen),
            "lastmod": rfc3339(article.updated),
            "slug": post.slug,
            "tags": list(post.tags),
            "draft": post.status == "draft",
            "canonical_url": post.canonical_url,
            "author": attribution.original_author or ", ".join(article.authors) or None,
            "publisher": attribution.original_publisher,
            "license": article.rights.license,
            "license_url": article.rights.license_url,
            "syndicate_delivery_id": post.delivery_id,
        }
        return front_matter(fields) + "\n" + post.body.rstrip() + "\n"

    def _write(self, path: Path, text: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".syndicate-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise self._error("write", path, exc) from None

    def _error(self, verb: str, path: Path, exc: OSError) -> PermanentTargetError | TransientTargetError:
        message = f"{self.name}: cannot {verb} {path}: {exc.strerror or exc}"
        if exc.errno in TRANSIENT_ERRNOS:
            return TransientTargetError(message, target=self.name)
        return PermanentTargetError(message, target=self.name)

    def publish(self, post: Post) -> Remote:
        existing = self.find(post)
        path = Path(existing.id) if existing else self.folder / self.file_name(post)
        self._write(path, self.document(post))
        return Remote(str(path), path.as_uri())

    def update(self, post: Post, remote: Remote) -> Remote:
        path = Path(remote.id)
        self._write(path, self.document(post))
        return Remote(str(path), path.as_uri())

    def delete(self, post: Post, remote: Remote) -> None:
        path = Path(remote.id)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise self._error("delete", path, exc) from None

    def find(self, post: Post) -> Remote | None:
        suffix = f"-{post.delivery_id[:ID_CHARS]}.{self.options.extension}"
        marker = f"syndicate_delivery_id: {yaml_value(post.delivery_id)}"
        try:
            candidates = sorted(p for p in self.folder.glob(f"*{suffix}") if p.is_file())
        except OSError as exc:
            raise self._error("read", self.folder, exc) from None
        for path in candidates:
            try:
                head = path.read_text(encoding="utf-8")[:4096]
            except OSError:
                continue
            if marker in head:
                return Remote(str(path), path.as_uri())
        return None
