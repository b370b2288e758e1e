"""Discourse target: a topic per article, in Markdown, tied to the original by ``embed_url``.

``POST /posts.json`` with ``external_id`` (the delivery slug) so that a lost answer is
found again with ``GET /t/external_id/{id}.json`` (301 to the topic, or 404).
Updates edit the first post (``PUT /posts/{id}.json``) and the title
(``PUT /t/-/{topic_id}.json``); deletes remove the topic. Rate limits answer 429
with ``Retry-After`` and ``extras.wait_seconds``; both are honoured.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from syndicate.errors import PermanentTargetError
from syndicate.targets.base import Post, Remote, Target, TargetOptions
from syndicate.targets.http import HttpClient
from syndicate.targets.registry import register


class DiscourseOptions(TargetOptions):
    url: str  # the forum, e.g. https://forum.example.org
    api_key: str
    api_username: str = "system"
    category: int | None = None  # category id
    tags: list[str] = Field(default_factory=list)
    content: Literal["full", "excerpt"] = "full"


@register
class DiscourseTarget(Target):
    type_name = "discourse"
    block_format = "markdown"
    Options = DiscourseOptions
    options: DiscourseOptions

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base = self.options.url.rstrip("/")
        self.http = HttpClient(
            self.name,
            self.base,
            headers={"Api-Key": self.options.api_key, "Api-Username": self.options.api_username},
            timeout=self.timeout,
            user_agent=self.user_agent,
        )

    def _topic_url(self, slug: str | None, topic_id: Any) -> str:
        return f"{self.base}/t/{slug or 'topic'}/{topic_id}"

    def publish(self, post: Post) -> Remote:
        fields: dict[str, Any] = {
            "title": post.title,
            "raw": post.body,
            "external_id": post.slug,
            "embed_url": post.canonical_url,
        }
        if self.options.category is not None:
            fields["category"] = self.options.category
        if self.options.tags:
            fields["tags"] = list(self.options.tags)
        if post.article.published is not None:
            fields["created_at"] = post.article.published.isoformat()
        body = self.http.request("POST", "/posts.json", json=fields).json()
        if not isinstance(body, dict) or "id" not in body:
            raise PermanentTargetError(f"{self.name}: unexpected answer (no post id)", target=self.name)
        topic_id = body.get("topic_id")
        return Remote(str(body["id"]), self._topic_url(body.get("topic_slug"), topic_id), {"topic_id": topic_id})

    def update(self, post: Post, remote: Remote) -> Remote:
        self.http.request(
            "PUT", f"/posts/{remote.id}.json", json={"post": {"raw": post.body, "edit_reason": "updated at the source"}}
        )
        topic_id = remote.meta.get("topic_id")
        if topic_id is not None:
            self.http.request("PUT", f"/t/-/{topic_id}.json", json={"title": post.title})
        return remote

    def delete(self, post: Post, remote: Remote) -> None:
        topic_id = remote.meta.get("topic_id")
        path = f"/t/{topic_id}.json" if topic_id is not None else f"/posts/{remote.id}.json"
        self.http.request("DELETE", path, accept=(404,))

    def find(self, post: Post) -> Remote | None:
        reply = self.http.request("GET", f"/t/external_id/{post.slug}.json", accept=(404,))
        if reply.status == 404:
            return None
        topic = reply.json() or {}
        posts = (topic.get("post_stream") or {}).get("posts") or []
        if not posts:
            return None
        topic_id = topic.get("id")
        return Remote(str(posts[0]["id"]), self._topic_url(topic.get("slug"), topic_id), {"topic_id": topic_id})

    def close(self) -> None:
        self.http.close()
