"""Mastodon target: a status with the title, the link to the original and the attribution.

``POST /api/v1/statuses`` with an ``Idempotency-Key`` (the delivery id; Mastodon keeps
it about an hour), ``PUT`` to edit (Mastodon ≥ 3.5), ``DELETE`` to remove. The text is
fitted to the instance's limit (``GET /api/v2/instance``:
``configuration.statuses.max_characters``, 500 when unknown; a URL counts as 23).
A lost answer is found again among the account's recent statuses by the link to the
original. 429 answers carry ``X-RateLimit-Reset`` (an ISO time), which is honoured.
"""

from __future__ import annotations

import html
from typing import Any, Literal

from syndicate.errors import PermanentTargetError, TargetError
from syndicate.targets.base import Post, Remote, Target, TargetOptions
from syndicate.targets.http import HttpClient
from syndicate.targets.registry import register

DEFAULT_MAX_CHARACTERS = 500
RECENT = 40


class MastodonOptions(TargetOptions):
    url: str  # the instance, e.g. https://mastodon.social
    access_token: str  # scope write:statuses (read:accounts for reconciling)
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    language: str | None = None  # default: the article's
    max_characters: int | None = None  # default: what the instance says
    content: Literal["link", "excerpt"] = "link"


@register
class MastodonTarget(Target):
    type_name = "mastodon"
    block_format = "text"
    default_content = "link"
    Options = MastodonOptions
    options: MastodonOptions

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.http = HttpClient(
            self.name,
            self.options.url,
            headers={"Authorization": f"Bearer {self.options.access_token}"},
            timeout=self.timeout,
            user_agent=self.user_agent,
        )

    def max_chars(self) -> int:
        if self.options.max_characters:
            return self.options.max_characters
        try:
            body = self.http.request("GET", "/api/v2/instance").json() or {}
        except TargetError:
            return DEFAULT_MAX_CHARACTERS
        statuses = (body.get("configuration") or {}).get("statuses") or {}
        value = statuses.get("max_characters")
        return int(value) if isinstance(value, int) and value > 0 else DEFAULT_MAX_CHARACTERS

    def _fields(self, post: Post) -> dict[str, Any]:
        fields: dict[str, Any] = {"status": post.body}
        language = self.options.language or post.article.language
        if language:
            fields["language"] = language.split("-")[0]
        return fields

    @staticmethod
    def _remote(body: Any) -> Remote:
        if not isinstance(body, dict) or "id" not in body:
            raise PermanentTargetError("mastodon: unexpected answer (no status id)")
        return Remote(str(body["id"]), body.get("url"))

    def publish(self, post: Post) -> Remote:
        fields = self._fields(post)
        fields["visibility"] = self.options.visibility
        headers = {"Idempotency-Key": post.delivery_id}
        reply = self.http.request("POST", "/api/v1/statuses", json=fields, headers=headers)
        return self._remote(reply.json())

    def update(self, post: Post, remote: Remote) -> Remote:
        return self._remote(self.http.request("PUT", f"/api/v1/statuses/{remote.id}", json=self._fields(post)).json())

    def delete(self, post: Post, remote: Remote) -> None:
        self.http.request("DELETE", f"/api/v1/statuses/{remote.id}", accept=(404,))

    def find(self, post: Post) -> Remote | None:
        account = self.http.request("GET", "/api/v1/accounts/verify_credentials").json() or {}
        if "id" not in account:
            return None
        statuses = self.http.request(
            "GET", f"/api/v1/accounts/{account['id']}/statuses", params={"limit": RECENT}
        ).json() or []
        for status in statuses:
            if post.canonical_url in html.unescape(str(status.get("content", ""))):
                return self._remote(status)
        return None

    def close(self) -> None:
        self.http.close()
