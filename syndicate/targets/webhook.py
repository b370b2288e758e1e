"""Webhook target: POST the article as JSON to a URL of your own.

Body: ``{"event": "create"|"update"|"delete", "delivery_id", "article": <article JSON>,
"html": <the crosspost, attribution included>}``; header ``Idempotency-Key`` (the
delivery id for a create; ``<id>.update.<hash prefix>`` / ``<id>.delete`` for the
later events) and, with a ``secret``, ``X-Syndicate-Signature: sha256=<hex HMAC of
the body>``. A webhook cannot be asked whether a post exists: after a crash the same
event is sent again with the same Idempotency-Key, for the receiver to deduplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pydantic import Field

from syndicate.targets.base import Post, Remote, Target, TargetOptions, short_hash
from syndicate.targets.http import HttpClient
from syndicate.targets.registry import register

SIGNATURE_HEADER = "X-Syndicate-Signature"


class WebhookOptions(TargetOptions):
    url: str
    secret: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@register
class WebhookTarget(Target):
    type_name = "webhook"
    block_format = "html"
    can_find = False
    Options = WebhookOptions
    options: WebhookOptions

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.http = HttpClient(
            self.name, self.options.url, headers=self.options.headers, timeout=self.timeout, user_agent=self.user_agent
        )

    def _send(self, event: str, post: Post, key: str) -> Remote:
        payload = {
            "event": event,
            "delivery_id": post.delivery_id,
            "article": post.article.to_json(),
            "html": post.html,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.options.secret:
            headers[SIGNATURE_HEADER] = signature(self.options.secret, body)
        reply = self.http.request("POST", self.options.url, data=body, headers=headers)
        answer = reply.json()
        remote_id = post.delivery_id
        url = reply.headers.get("location")
        if isinstance(answer, dict):
            remote_id = str(answer.get("id") or remote_id)
            url = answer.get("url") or url
        return Remote(remote_id, url)

    def publish(self, post: Post) -> Remote:
        return self._send("create", post, post.delivery_id)

    def update(self, post: Post, remote: Remote) -> Remote:
        made = self._send("update", post, f"{post.delivery_id}.update.{short_hash(post.content_hash, 16)}")
        return Remote(remote.id, made.url or remote.url, remote.meta)

    def delete(self, post: Post, remote: Remote) -> None:
        self._send("delete", post, f"{post.delivery_id}.delete")

    def close(self) -> None:
        self.http.close()
