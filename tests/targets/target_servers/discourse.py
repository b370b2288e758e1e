"""A Discourse stand-in: the topic/post endpoints syndicate uses, with Api-Key auth,
external_id lookups (301 to the topic), 422 validation and 429 rate limits as Discourse sends them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from target_servers.base import RecordingServer, Reply, Request, json_reply

MIN_TITLE = 15
MIN_POST = 20


@dataclass
class Topic:
    id: int
    slug: str
    title: str
    post_id: int
    raw: str
    external_id: str | None
    embed_url: str | None
    category: int | None
    deleted: bool = False


class DiscourseServer(RecordingServer):
    def __init__(self, api_key: str = "discourse-key-123", username: str = "system") -> None:
        super().__init__()
        self.api_key = api_key
        self.username = username
        self.topics: dict[int, Topic] = {}
        self._next = 100

    def live(self) -> list[Topic]:
        return [t for t in self.topics.values() if not t.deleted]

    def rate_limited(self, request: Request, wait: float) -> Reply:
        seconds = int(wait + 0.999)
        return json_reply(
            429,
            {
                "errors": [f"You’ve performed this action too many times. Please wait {seconds} seconds."],
                "error_type": "rate_limit",
                "extras": {"wait_seconds": seconds, "time_left": f"{seconds} seconds"},
            },
            **{"Retry-After": str(seconds), "Discourse-Rate-Limit-Error-Code": "create_topic"},
        )

    def handle(self, request: Request) -> Reply:
        topic: Topic | None
        if request.headers.get("api-key") != self.api_key or request.headers.get("api-username") != self.username:
            return json_reply(403, {"errors": ["You are not permitted to view the requested resource."],
                                    "error_type": "invalid_access"})
        path = request.path
        if request.method == "POST" and path == "/posts.json":
            return self.create(request.json if request.is_json else dict(request.form))
        match = re.fullmatch(r"/t/external_id/(.+)\.json", path)
        if request.method == "GET" and match:
            for live in self.live():
                if live.external_id == match.group(1):
                    return Reply(301, b"", {"Location": f"{self.url}/t/{live.slug}/{live.id}.json"})
            return json_reply(404, {"errors": ["The requested URL or resource could not be found."],
                                    "error_type": "not_found"})
        match = re.fullmatch(r"/t/([^/]+)/(\d+)\.json", path)
        if request.method == "GET" and match:
            topic = self.topics.get(int(match.group(2)))
            if topic is None or topic.deleted:
                return json_reply(404, {"errors": ["not found"], "error_type": "not_found"})
            return json_reply(200, self.topic_json(topic))
        match = re.fullmatch(r"/posts/(\d+)\.json", path)
        if request.method == "PUT" and match:
            topic = next((t for t in self.live() if t.post_id == int(match.group(1))), None)
            if topic is None:
                return json_reply(404, {"errors": ["not found"], "error_type": "not_found"})
            raw = ((request.json or {}).get("post") or {}).get("raw", "")
            if len(raw) < MIN_POST:
                return json_reply(422, {"errors": [f"Body is too short (minimum is {MIN_POST} characters)"]})
            topic.raw = raw
            return json_reply(200, {"post": {"id": topic.post_id, "raw": raw, "topic_id": topic.id}})
        match = re.fullmatch(r"/t/-/(\d+)\.json", path)
        if request.method == "PUT" and match:
            topic = self.topics.get(int(match.group(1)))
            if topic is None or topic.deleted:
                return json_reply(404, {"errors": ["not found"], "error_type": "not_found"})
            topic.title = (request.json or {}).get("title", topic.title)
            return json_reply(200, {"basic_topic": {"id": topic.id, "title": topic.title}})
        match = re.fullmatch(r"/t/(\d+)\.json", path)
        if request.method == "DELETE" and match:
            topic = self.topics.get(int(match.group(1)))
            if topic is None or topic.deleted:
                return json_reply(404, {"errors": ["not found"], "error_type": "not_found"})
            topic.deleted = True
            return Reply(200, b"")
        return json_reply(404, {"errors": ["The requested URL or resource could not be found."]})

    def create(self, fields: dict[str, Any]) -> Reply:
        title = str(fields.get("title") or "")
        raw = str(fields.get("raw") or "")
        errors = []
        if len(title) < MIN_TITLE:
            errors.append(f"Title must be at least {MIN_TITLE} characters")
        if len(raw) < MIN_POST:
            errors.append(f"Body is too short (minimum is {MIN_POST} characters)")
        external_id = fields.get("external_id")
        if external_id and any(t.external_id == external_id for t in self.live()):
            errors.append("External ID has already been taken")
        if errors:
            return json_reply(422, {"action": "create_post", "errors": errors})
        self._next += 1
        topic_id = self._next
        self._next += 1
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50]
        topic = Topic(
            topic_id, slug, title, self._next, raw, external_id, fields.get("embed_url"), fields.get("category")
        )
        self.topics[topic_id] = topic
        return json_reply(200, {"id": topic.post_id, "topic_id": topic_id, "topic_slug": slug, "raw": raw,
                                "post_number": 1})

    def topic_json(self, topic: Topic) -> dict[str, Any]:
        return {
            "id": topic.id,
            "slug": topic.slug,
            "title": topic.title,
            "external_id": topic.external_id,
            "post_stream": {"posts": [{"id": topic.post_id, "post_number": 1, "raw": topic.raw}]},
        }
