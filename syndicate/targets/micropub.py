"""Micropub target (W3C Recommendation): an h-entry per article.

Create form-encoded (``h=entry&name=…&content=…&category[]=…``) or as JSON
(``{"type": ["h-entry"], "properties": {…}}``); the ``Location`` of the answer is the
post's URL and its remote id. ``mp-slug`` carries the delivery slug. Updates are JSON
``{"action": "update", "url": U, "replace": {…}}``; deletes ``action=delete``.
A lost answer is looked for with ``?q=source`` (the post-list extension many servers
implement), matching ``mp-slug`` or the slug in the post URL; a server without it
cannot be asked, and the create is sent again.
"""

from __future__ import annotations

from typing import Any, Literal

from syndicate.errors import PermanentTargetError, TargetError
from syndicate.targets.base import Post, Remote, Target, TargetOptions
from syndicate.targets.http import HttpClient
from syndicate.targets.registry import register

RECENT = 50


class MicropubOptions(TargetOptions):
    endpoint: str  # the Micropub endpoint URL
    access_token: str  # IndieAuth token with the create (and update, delete) scope
    encoding: Literal["json", "form"] = "json"
    send_tags: bool = True  # the article's tags as `category`
    content: Literal["full", "excerpt"] = "full"


@register
class MicropubTarget(Target):
    type_name = "micropub"
    block_format = "html"
    Options = MicropubOptions
    options: MicropubOptions

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.http = HttpClient(
            self.name,
            self.options.endpoint,
            headers={"Authorization": f"Bearer {self.options.access_token}"},
            timeout=self.timeout,
            user_agent=self.user_agent,
        )

    def _properties(self, post: Post) -> dict[str, list[Any]]:
        properties: dict[str, list[Any]] = {"name": [post.title], "content": [{"html": post.body}]}
        if self.options.send_tags and post.tags:
            properties["category"] = list(post.tags)
        return properties

    def publish(self, post: Post) -> Remote:
        endpoint = self.options.endpoint
        if self.options.encoding == "json":
            properties: dict[str, list[Any]] = self._properties(post)
            properties["mp-slug"] = [post.slug]
            if post.article.published is not None:
                properties["published"] = [post.article.published.isoformat()]
            reply = self.http.request("POST", endpoint, json={"type": ["h-entry"], "properties": properties})
        else:
            form: list[tuple[str, str]] = [("h", "entry"), ("name", post.title), ("content", post.body)]
            form.append(("mp-slug", post.slug))
            if self.options.send_tags:
                form.extend(("category[]", tag) for tag in post.tags)
            reply = self.http.request("POST", endpoint, data=form)
        location = reply.headers.get("location")
        if not location:
            raise PermanentTargetError(
                f"{self.name}: HTTP {reply.status} without a Location header", target=self.name, status=reply.status
            )
        return Remote(location, location)

    def update(self, post: Post, remote: Remote) -> Remote:
        body = {"action": "update", "url": remote.id, "replace": self._properties(post)}
        self.http.request("POST", self.options.endpoint, json=body)
        return remote

    def delete(self, post: Post, remote: Remote) -> None:
        self.http.request("POST", self.options.endpoint, data={"action": "delete", "url": remote.id}, accept=(404, 410))

    def find(self, post: Post) -> Remote | None:
        try:
            reply = self.http.request("GET", self.options.endpoint, params={"q": "source", "limit": RECENT})
        except TargetError as exc:
            if exc.status in (400, 404, 501):
                return None  # the server cannot list posts: it cannot be asked
            raise
        body = reply.json() or {}
        for item in body.get("items") or []:
            properties = item.get("properties") or {}
            urls = [str(u) for u in properties.get("url") or []]
            slugs = [str(s) for s in properties.get("mp-slug") or []]
            if post.slug in slugs or any(url.rstrip("/").endswith(post.slug) for url in urls):
                url = urls[0] if urls else None
                if url:
                    return Remote(url, url)
        return None

    def close(self) -> None:
        self.http.close()
