"""A Micropub endpoint stand-in (W3C Micropub): form and JSON creates answered with 201 + Location,
JSON updates (replace), deletes, q=config / q=source (with the post-list extension), Bearer auth and scopes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from target_servers.base import RecordingServer, Reply, Request, json_reply


@dataclass
class Entry:
    url: str
    properties: dict[str, list[Any]] = field(default_factory=dict)
    deleted: bool = False


class MicropubServer(RecordingServer):
    def __init__(self, token: str = "micropub-token-xyz", scopes: tuple[str, ...] = ("create", "update", "delete")):
        super().__init__()
        self.token = token
        self.scopes = scopes
        self.entries: dict[str, Entry] = {}

    @property
    def endpoint(self) -> str:
        return f"{self.url}/micropub"

    def live(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.deleted]

    def _token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer "):]
        return request.form_value("access_token") if not request.is_json else None

    def _error(self, status: int, error: str, description: str) -> Reply:
        return json_reply(status, {"error": error, "error_description": description})

    def handle(self, request: Request) -> Reply:
        if request.path != "/micropub":
            return Reply(404, "not found", {"Content-Type": "text/plain"})
        if self._token(request) != self.token:
            return self._error(401, "unauthorized", "no valid access token")
        if request.method == "GET":
            q = (request.query.get("q") or [""])[0]
            if q == "config":
                return json_reply(200, {"syndicate-to": []})
            if q == "source":
                url = (request.query.get("url") or [None])[0]
                if url:
                    entry = self.entries.get(url)
                    if entry is None or entry.deleted:
                        return self._error(400, "invalid_request", "no such post")
                    return json_reply(200, {"type": ["h-entry"], "properties": entry.properties})
                items = [{"type": ["h-entry"], "properties": {**e.properties, "url": [e.url]}} for e in self.live()]
                return json_reply(200, {"items": items[::-1]})
            return self._error(400, "invalid_request", "unknown query")
        if request.method != "POST":
            return self._error(400, "invalid_request", "method not allowed")
        if request.is_json:
            body = request.json or {}
            action = body.get("action")
            if action is None:
                properties = dict(body.get("properties") or {})
                return self.create(properties)
            if action == "update":
                return self.update(body)
            if action == "delete":
                return self.delete(body.get("url"))
            return self._error(400, "invalid_request", f"unknown action {action}")
        form = request.form
        action = request.form_value("action")
        if action == "delete":
            return self.delete(request.form_value("url"))
        if action is not None:
            return self._error(400, "invalid_request", "form updates are not supported")
        if request.form_value("h") != "entry":
            return self._error(400, "invalid_request", "h=entry is required")
        fields: dict[str, list[Any]] = {}
        for key, value in form:
            if key in ("h", "access_token"):
                continue
            if key.endswith("[]"):
                fields.setdefault(key[:-2], []).append(value)
            elif re.search(r"\[\d+\]$", key):
                return self._error(400, "invalid_request", "indexed arrays are not supported")
            else:
                fields[key] = [value]
        return self.create(fields)

    def create(self, properties: dict[str, list[Any]]) -> Reply:
        if "create" not in self.scopes:
            return self._error(403, "insufficient_scope", "the token cannot create posts")
        if not properties.get("content") and not properties.get("name"):
            return self._error(400, "invalid_request", "content is required")
        slug = str((properties.get("mp-slug") or [f"post-{len(self.entries) + 1}"])[0])
        url = f"{self.url}/posts/{slug}"
        suffix = 2
        while url in self.entries:  # like most servers: a second create makes a second post
            url = f"{self.url}/posts/{slug}-{suffix}"
            suffix += 1
        self.entries[url] = Entry(url, properties)
        return Reply(201, b"", {"Location": url})

    def update(self, body: dict[str, Any]) -> Reply:
        if "update" not in self.scopes:
            return self._error(403, "insufficient_scope", "the token cannot update posts")
        entry = self.entries.get(body.get("url") or "")
        if entry is None or entry.deleted:
            return self._error(400, "invalid_request", "no such post")
        for key, values in (body.get("replace") or {}).items():
            if not isinstance(values, list):
                return self._error(400, "invalid_request", "values must be arrays")
            entry.properties[key] = values
        return Reply(204, b"")

    def delete(self, url: str | None) -> Reply:
        if "delete" not in self.scopes:
            return self._error(403, "insufficient_scope", "the token cannot delete posts")
        entry = self.entries.get(url or "")
        if entry is None:
            return self._error(400, "invalid_request", "no such post")
        entry.deleted = True
        return Reply(204, b"")
