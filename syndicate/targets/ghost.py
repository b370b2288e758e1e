"""Ghost target: the Admin API with a JWT signed by the Admin API key.

``Authorization: Ghost <jwt>`` (HS256, ``kid`` = key id, ``aud`` = ``/admin/``,
valid 5 minutes). Posts are created from HTML (``?source=html``) with
``canonical_url`` pointing at the original and a slug derived from the delivery id,
which is how a lost answer is found again (``GET posts/slug/{slug}/``). Updates send
the post's current ``updated_at`` (Ghost's collision check).
"""

from __future__ import annotations

import time
from typing import Any, Literal

import jwt
from pydantic import Field, field_validator

from syndicate.errors import PermanentTargetError
from syndicate.targets.base import Post, Remote, Target, TargetOptions
from syndicate.targets.http import HttpClient
from syndicate.targets.registry import register

TOKEN_SECONDS = 300
EXCERPT_MAX = 300


class GhostOptions(TargetOptions):
    url: str  # the site, e.g. https://news.example.org
    admin_key: str  # "<id>:<hex secret>" from Settings → Integrations
    api_version: str = "v5.0"
    tags: list[str] = Field(default_factory=list)
    send_tags: bool = True
    content: Literal["full", "excerpt"] = "full"

    @field_validator("admin_key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        key_id, _, secret = value.partition(":")
        try:
            bytes.fromhex(secret)
        except ValueError:
            raise ValueError("must be \"<id>:<hex secret>\" (the Admin API key)") from None
        if not key_id or not secret:
            raise ValueError("must be \"<id>:<hex secret>\" (the Admin API key)")
        return value


@register
class GhostTarget(Target):
    type_name = "ghost"
    block_format = "html"
    Options = GhostOptions
    options: GhostOptions

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.http = HttpClient(
            self.name,
            self.options.url.rstrip("/") + "/ghost/api/admin/",
            headers={"Accept-Version": self.options.api_version},
            timeout=self.timeout,
            user_agent=self.user_agent,
        )

    def token(self) -> str:
        key_id, _, secret = self.options.admin_key.partition(":")
        now = int(time.time())
        payload = {"iat": now, "exp": now + TOKEN_SECONDS, "aud": "/admin/"}
        return jwt.encode(payload, bytes.fromhex(secret), algorithm="HS256", headers={"kid": key_id})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Ghost {self.token()}"}
        return self.http.request(method, path, headers=headers, **kwargs)

    def _fields(self, post: Post) -> dict[str, Any]:
        names = list(dict.fromkeys([*self.options.tags, *(post.tags if self.options.send_tags else ())]))
        fields: dict[str, Any] = {
            "title": post.title,
            "html": post.body,
            "canonical_url": post.canonical_url,
            "tags": [{"name": name} for name in names],
        }
        if post.article.summary:
            fields["custom_excerpt"] = post.article.summary[: EXCERPT_MAX - 1].rstrip() + (
                "…" if len(post.article.summary) >= EXCERPT_MAX else ""
            )
        return fields

    @staticmethod
    def _remote(body: Any) -> Remote:
        posts = body.get("posts") if isinstance(body, dict) else None
        if not posts:
            raise PermanentTargetError("ghost: unexpected answer (no post)")
        item = posts[0]
        meta = {"updated_at": item.get("updated_at"), "slug": item.get("slug")}
        return Remote(str(item["id"]), item.get("url"), meta)

    def publish(self, post: Post) -> Remote:
        fields = self._fields(post)
        fields.update(slug=post.slug, status="draft" if post.status == "draft" else "published")
        return self._remote(self._call("POST", "posts/", params={"source": "html"}, json={"posts": [fields]}).json())

    def update(self, post: Post, remote: Remote) -> Remote:
        for attempt in (1, 2):  # a 409 means someone saved meanwhile: read updated_at again, once
            current = self._remote(self._call("GET", f"posts/{remote.id}/").json())
            fields = self._fields(post)
            fields["updated_at"] = current.meta.get("updated_at")
            try:
                reply = self._call("PUT", f"posts/{remote.id}/", params={"source": "html"}, json={"posts": [fields]})
            except PermanentTargetError as exc:
                if exc.status == 409 and attempt == 1:
                    continue
                raise
            return self._remote(reply.json())
        raise AssertionError("unreachable")

    def delete(self, post: Post, remote: Remote) -> None:
        self._call("DELETE", f"posts/{remote.id}/", accept=(404,))

    def find(self, post: Post) -> Remote | None:
        reply = self._call("GET", f"posts/slug/{post.slug}/", accept=(404,))
        return None if reply.status == 404 else self._remote(reply.json())

    def close(self) -> None:
        self.http.close()
