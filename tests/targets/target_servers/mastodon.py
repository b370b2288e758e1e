"""A Mastodon stand-in: statuses with Idempotency-Key, the instance's character limit (URLs count 23),
edits, deletes, the account's statuses, Bearer auth and 429s with X-RateLimit-Reset (an ISO time)."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from target_servers.base import RecordingServer, Reply, Request, json_reply

URL = re.compile(r"https?://\S+")


def weighted(text: str) -> int:
    return len(URL.sub("x" * 23, text))


@dataclass
class Status:
    id: str
    text: str
    visibility: str
    language: str | None
    created_at: str
    edited_at: str | None = None
    deleted: bool = False


class MastodonServer(RecordingServer):
    def __init__(self, token: str = "mastodon-token-abc", max_characters: int = 500) -> None:
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self.statuses: dict[str, Status] = {}
        self.idempotency: dict[str, tuple[float, str]] = {}
        self._next = 1000

    def live(self) -> list[Status]:
        return [s for s in self.statuses.values() if not s.deleted]

    def rate_limited(self, request: Request, wait: float) -> Reply:
        reset = datetime.now(UTC) + timedelta(seconds=wait)
        return json_reply(429, {"error": "Too many requests"}, **{
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        })

    def status_json(self, status: Status) -> dict[str, Any]:
        escaped = html.escape(status.text)
        linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        content = "<p>" + linked.replace("\n\n", "</p><p>").replace("\n", "<br />") + "</p>"
        return {
            "id": status.id,
            "url": f"{self.url}/@tester/{status.id}",
            "content": content,
            "visibility": status.visibility,
            "language": status.language,
            "created_at": status.created_at,
            "edited_at": status.edited_at,
            "account": {"id": "1", "username": "tester"},
        }

    def handle(self, request: Request) -> Reply:
        status: Status | None
        if request.path == "/api/v2/instance" and request.method == "GET":
            return json_reply(200, {"domain": "127.0.0.1", "configuration": {
                "statuses": {"max_characters": self.max_characters, "characters_reserved_per_url": 23}}})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return json_reply(401, {"error": "The access token is invalid"})
        fields = (request.json or {}) if request.is_json else dict(request.form)
        if request.path == "/api/v1/statuses" and request.method == "POST":
            key = request.headers.get("idempotency-key")
            if key and key in self.idempotency and self.idempotency[key][0] > time.time() - 3600:
                return json_reply(200, self.status_json(self.statuses[self.idempotency[key][1]]))
            text = str(fields.get("status") or "")
            if not text:
                return json_reply(422, {"error": "Validation failed: Text can't be blank"})
            if weighted(text) > self.max_characters:
                return json_reply(422, {"error": f"Validation failed: Text character limit of "
                                                 f"{self.max_characters} exceeded"})
            self._next += 1
            status = Status(str(self._next), text, fields.get("visibility", "public"), fields.get("language"),
                            datetime.now(UTC).isoformat())
            self.statuses[status.id] = status
            if key:
                self.idempotency[key] = (time.time(), status.id)
            return json_reply(200, self.status_json(status))
        match = re.fullmatch(r"/api/v1/statuses/(\d+)", request.path)
        if match:
            status = self.statuses.get(match.group(1))
            if status is None or status.deleted:
                return json_reply(404, {"error": "Record not found"})
            if request.method == "PUT":
                text = str(fields.get("status") or "")
                if weighted(text) > self.max_characters:
                    return json_reply(422, {"error": "Validation failed: Text character limit exceeded"})
                status.text = text
                status.edited_at = datetime.now(UTC).isoformat()
                return json_reply(200, self.status_json(status))
            if request.method == "DELETE":
                status.deleted = True
                return json_reply(200, self.status_json(status))
            if request.method == "GET":
                return json_reply(200, self.status_json(status))
        if request.path == "/api/v1/accounts/verify_credentials" and request.method == "GET":
            return json_reply(200, {"id": "1", "username": "tester", "acct": "tester"})
        if request.path == "/api/v1/accounts/1/statuses" and request.method == "GET":
            limit = int((request.query.get("limit") or ["20"])[0])
            newest = sorted(self.live(), key=lambda s: int(s.id), reverse=True)[:limit]
            return json_reply(200, [self.status_json(s) for s in newest])
        return json_reply(404, {"error": "Not Found"})
