"""A webhook receiver: checks X-Syndicate-Signature, deduplicates by Idempotency-Key, keeps the events."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from target_servers.base import RecordingServer, Reply, Request, json_reply


class WebhookReceiver(RecordingServer):
    def __init__(self, secret: str | None = None) -> None:
        super().__init__()
        self.secret = secret
        self.events: list[dict[str, Any]] = []
        self.keys: dict[str, int] = {}

    @property
    def hook(self) -> str:
        return f"{self.url}/hooks/syndicate"

    def posts(self) -> dict[str, dict[str, Any]]:
        """delivery id → the latest state the receiver built from the events."""
        out: dict[str, dict[str, Any]] = {}
        for event in self.events:
            if event["event"] == "delete":
                out.pop(event["delivery_id"], None)
            else:
                out[event["delivery_id"]] = event
        return out

    def handle(self, request: Request) -> Reply:
        if request.path != "/hooks/syndicate" or request.method != "POST":
            return json_reply(404, {"error": "not found"})
        if self.secret is not None:
            expected = "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(request.headers.get("x-syndicate-signature", ""), expected):
                return json_reply(401, {"error": "bad signature"})
        key = request.headers.get("idempotency-key")
        if not key:
            return json_reply(400, {"error": "Idempotency-Key is required"})
        if key in self.keys:
            return json_reply(200, {"id": str(self.keys[key]), "duplicate": True})
        body = request.json
        if not isinstance(body, dict) or body.get("event") not in ("create", "update", "delete"):
            return json_reply(422, {"error": "not a syndicate event"})
        self.events.append(body)
        self.keys[key] = len(self.events)
        return json_reply(202, {"id": str(len(self.events))})
