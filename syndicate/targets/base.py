"""The small shape every crosspost target has.

A target is built from its ``[[target]]`` configuration (its type-specific
keys are validated by its pydantic ``Options`` model) and offers four verbs:

* ``publish(post) -> Remote``  create the post, return its remote id/url
* ``update(post, remote) -> Remote``  replace the post's content (``supports_update``)
* ``delete(post, remote) -> None``  remove or trash it (``supports_delete``)
* ``find(post) -> Remote | None``  look the post up by the handle derived from
  the delivery id (slug, external id, file name, ...): used to reconcile a
  delivery that crashed between the request and the ledger update.

Verbs raise :class:`~syndicate.errors.TransientTargetError` (retry later) or
:class:`~syndicate.errors.PermanentTargetError` (do not retry); every message
starts with the target's name and never holds a secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from syndicate import redact
from syndicate.config import TargetConfig
from syndicate.errors import PermanentTargetError
from syndicate.models import Article

SECRET_WORDS = ("password", "token", "secret", "key")  # option names whose values never reach a message
BlockFormat = Literal["html", "markdown", "text", "email"]
ContentMode = Literal["full", "excerpt", "link"]


class TargetOptions(BaseModel):
    """Base of every target's ``Options``: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True, slots=True)
class Post:
    """One crosspost, rendered for its target: what a verb sends."""

    delivery_id: str
    article: Article
    title: str
    body: str  # in the target's block format (HTML, Markdown or plain text), attribution included
    html: str  # the HTML rendering, attribution included (webhook, email)
    text: str  # the plain-text rendering, attribution included (email, microblogs)
    attribution: str  # the attribution block alone, in the target's block format
    slug: str  # "syn-<delivery id prefix>": the handle a lost response is found by
    canonical_url: str
    tags: tuple[str, ...] = ()
    status: Literal["publish", "draft"] = "publish"
    content_hash: str = ""
    updated_at: datetime | None = None  # when the edit being sent was made


@dataclass(frozen=True, slots=True)
class Remote:
    """Where a crosspost lives on the target."""

    id: str
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Target:
    """Base class: subclasses set the class attributes and implement the verbs."""

    type_name: ClassVar[str] = ""
    block_format: ClassVar[BlockFormat] = "html"
    supports_update: ClassVar[bool] = True
    supports_delete: ClassVar[bool] = True
    can_find: ClassVar[bool] = True  # find() can tell "not there"; False: it cannot ask (None = unknown)
    default_content: ClassVar[ContentMode] = "full"
    Options: ClassVar[type[TargetOptions]] = TargetOptions

    def __init__(
        self,
        config: TargetConfig,
        *,
        user_agent: str | None = None,
        timeout: tuple[float, float] = (10.0, 30.0),
        base_dir: Path | None = None,
    ):
        self.config = config
        self.name = config.name
        self.user_agent = user_agent or "syndicate"
        self.timeout = timeout
        self.base_dir = base_dir or Path.cwd()
        try:
            self.options = self.Options.model_validate(config.options)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(p) for p in error["loc"])
            raise PermanentTargetError(f"{self.name}: option {key}: {error['msg']}", target=self.name) from None
        for key, value in self.options.model_dump().items():
            if isinstance(value, str) and any(word in key for word in SECRET_WORDS):
                redact.register(value)

    # -- facts the planner and the renderer ask -------------------------------

    @classmethod
    def content_mode_for(cls, options: dict[str, Any]) -> ContentMode:
        """Whether this target gets the whole article, an excerpt or only a link (no I/O)."""
        value = options.get("content", cls.default_content)
        return value if value in ("full", "excerpt", "link") else cls.default_content

    def max_chars(self) -> int | None:
        """The length limit of a post's text (microblogs), or None."""
        return None

    # -- the verbs -------------------------------------------------------------

    def publish(self, post: Post) -> Remote:
        raise NotImplementedError

    def update(self, post: Post, remote: Remote) -> Remote:
        raise PermanentTargetError(f"{self.name}: this target cannot update posts", target=self.name)

    def delete(self, post: Post, remote: Remote) -> None:
        raise PermanentTargetError(f"{self.name}: this target cannot delete posts", target=self.name)

    def find(self, post: Post) -> Remote | None:
        """The post made for this delivery, if the target has it (None when it cannot tell)."""
        return None

    def close(self) -> None:
        """Release connections."""


def short_hash(value: str, length: int = 12) -> str:
    """A short hex digest of ``value`` (e.g. a ``sha256:…`` content hash) for ids and keys."""
    return hashlib.sha256(value.encode()).hexdigest()[:length]


def short_id(delivery_id: str, length: int = 16) -> str:
    return delivery_id[:length]


def slug_for(delivery_id: str) -> str:
    """The stable slug/handle of a delivery: ``syn-<id prefix>``."""
    return f"syn-{short_id(delivery_id)}"
