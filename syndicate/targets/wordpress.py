"""WordPress target: the REST API (``/wp-json/wp/v2``) with an application password.

Posts are created with a slug derived from the delivery id (``syn-<id prefix>``),
so a create whose answer was lost is found again with
``GET posts?slug=X&status=any&context=edit`` (WordPress has no idempotency key and
would make ``slug-2`` on a retried POST). Categories and tags are given by name and
created when missing. Updates replace title and content; deletes move the post to
the trash (``force = true`` deletes it for good).
"""

from __future__ import annotations

import html
from typing import Any, Literal

from pydantic import Field

from syndicate.errors import PermanentTargetError
from syndicate.targets.base import Post, Remote, Target, TargetOptions
from syndicate.targets.http import HttpClient
from syndicate.targets.registry import register


class WordPressOptions(TargetOptions):
    url: str  # the site, e.g. https://blog.example.org
    username: str
    password: str  # an application password (Users → Profile → Application Passwords)
    api_path: str = "/wp-json/wp/v2/"  # "/?rest_route=/wp/v2/" on sites without pretty permalinks
    categories: list[str] = Field(default_factory=list)  # by name; created when missing
    tags: list[str] = Field(default_factory=list)  # added to the article's own tags
    send_tags: bool = True  # send the article's tags as WordPress tags
    content: Literal["full", "excerpt"] = "full"
    force_delete: bool = False  # delete for good instead of moving to the trash


@register
class WordPressTarget(Target):
    type_name = "wordpress"
    block_format = "html"
    Options = WordPressOptions
    options: WordPressOptions

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        base = self.options.url.rstrip("/") + "/" + self.options.api_path.lstrip("/")
        self.http = HttpClient(
            self.name,
            base,
            auth=(self.options.username, self.options.password.replace(" ", "")),
            timeout=self.timeout,
            user_agent=self.user_agent,
        )
        self._terms: dict[tuple[str, str], int] = {}

    # -- terms -----------------------------------------------------------------

    def term_id(self, taxonomy: str, name: str) -> int:
        """The id of a category/tag by name, created when missing."""
        key = (taxonomy, name.lower())
        if key in self._terms:
            return self._terms[key]
        found = self.http.request("GET", taxonomy, params={"search": name, "per_page": 100}).json() or []
        for term in found:
            if html.unescape(str(term.get("name", ""))).lower() == name.lower():
                self._terms[key] = int(term["id"])
                return self._terms[key]
        reply = self.http.request("POST", taxonomy, json={"name": name}, accept=(400,))
        body = reply.json() or {}
        if reply.status == 400:
            existing = (body.get("data") or {}).get("term_id") if body.get("code") == "term_exists" else None
            if existing is None:
                raise PermanentTargetError(
                    f"{self.name}: cannot create {taxonomy[:-1]} {name!r}: {body.get('message', 'HTTP 400')}",
                    target=self.name,
                    status=400,
                )
            self._terms[key] = int(existing)
        else:
            self._terms[key] = int(body["id"])
        return self._terms[key]

    def _fields(self, post: Post) -> dict[str, Any]:
        fields: dict[str, Any] = {"title": post.title, "content": post.body}
        if self.options.categories:
            fields["categories"] = [self.term_id("categories", c) for c in self.options.categories]
        names = list(dict.fromkeys([*self.options.tags, *(post.tags if self.options.send_tags else ())]))
        if names:
            fields["tags"] = [self.term_id("tags", t) for t in names]
        return fields

    @staticmethod
    def _remote(body: Any) -> Remote:
        if not isinstance(body, dict) or "id" not in body:
            raise PermanentTargetError("wordpress: unexpected answer (no post id)")
        return Remote(str(body["id"]), body.get("link"), {"slug": body.get("slug")})

    # -- verbs -----------------------------------------------------------------

    def publish(self, post: Post) -> Remote:
        fields = self._fields(post)
        fields.update(status="draft" if post.status == "draft" else "publish", slug=post.slug)
        if post.article.summary:
            fields["excerpt"] = post.article.summary[:500]
        return self._remote(self.http.request("POST", "posts", json=fields).json())

    def update(self, post: Post, remote: Remote) -> Remote:
        reply = self.http.request("POST", f"posts/{remote.id}", json=self._fields(post))
        return self._remote(reply.json())

    def delete(self, post: Post, remote: Remote) -> None:
        params = {"force": "true"} if self.options.force_delete else None
        # 404: already gone; 410: already in the trash
        self.http.request("DELETE", f"posts/{remote.id}", params=params, accept=(404, 410))

    def find(self, post: Post) -> Remote | None:
        reply = self.http.request(
            "GET", "posts", params={"slug": post.slug, "status": "any", "context": "edit", "per_page": 5}
        )
        found = reply.json() or []
        return self._remote(found[0]) if found else None

    def close(self) -> None:
        self.http.close()
