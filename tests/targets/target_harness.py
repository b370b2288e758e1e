"""Harnesses for the target contract tests: how to look at each target's remote side."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests
from target_servers.base import RecordingServer, Reply

from syndicate.models import Article

RETRY_WAIT = 120  # seconds the throttled servers ask us to wait


# -- harnesses -------------------------------------------------------------------


@dataclass
class Harness:
    """What the contract tests need to know about one target type, and how to look at its remote side."""

    type: str
    config: dict[str, Any]
    bad_config: dict[str, Any]  # answers with a permanent error (bad credentials, unusable path)
    server: Any = None
    supports_delete: bool = True
    reconcile: str = "find"  # find: asked by handle; idempotent: resent, the server dedupes; resend: a copy
    throttle_state: str | None = "pending"  # the ledger state after the target asks us to slow down
    extra: dict[str, Any] = field(default_factory=dict)

    def target(self, **overrides: Any) -> dict[str, Any]:
        return {"name": "t", **self.config, **overrides}

    def bad_target(self) -> dict[str, Any]:
        return {"name": "t", **self.bad_config}

    # the remote side, per type ---------------------------------------------------
    def count(self, article: Article) -> int:
        raise NotImplementedError

    def content(self, article: Article, remote_id: str) -> str:
        raise NotImplementedError

    def throttle(self) -> None:
        """Make the next create answer 'slow down' the way this target does."""
        assert isinstance(self.server, RecordingServer)
        self.server.answer_next(self.server.rate_limited(None, RETRY_WAIT),  # type: ignore[arg-type]
                                when=lambda r: r.method == "POST")


class WordPressHarness(Harness):
    def _get(self, path: str, **params: Any) -> Any:
        wp = self.extra["wp"]
        response = requests.get(f"{wp['WP_URL']}/wp-json/wp/v2/{path}", params=params,
                                auth=(wp["WP_USER"], wp["WP_APP_PASSWORD"]), timeout=30)
        response.raise_for_status()
        return response.json()

    def count(self, article: Article) -> int:
        token = article.title.split()[2]  # the unique part of the title
        found = self._get("posts", search=token, status="any", context="edit", per_page=100)
        return sum(1 for p in found if token in p["title"]["raw"])

    def content(self, article: Article, remote_id: str) -> str:
        return str(self._get(f"posts/{remote_id}", context="edit")["content"]["raw"])

    def throttle(self) -> None:
        self.server.answer_next(
            Reply(429, {"code": "too_many_requests", "message": "Slow down"}, {"Retry-After": str(RETRY_WAIT)}),
            when=lambda r: r.method == "POST" and r.path.endswith("/posts"),
        )


class GhostHarness(Harness):
    def _get(self, path: str, **params: Any) -> Any:
        from syndicate.config import TargetConfig
        from syndicate.targets.ghost import GhostTarget

        target = GhostTarget(TargetConfig.model_validate(
            {"name": "probe", "type": "ghost", "url": self.extra["url"], "admin_key": self.extra["key"]}))
        response = requests.get(f"{self.extra['url']}/ghost/api/admin/{path}", params=params, timeout=30,
                                headers={"Authorization": f"Ghost {target.token()}", "Accept-Version": "v5.0"})
        response.raise_for_status()
        return response.json()

    def count(self, article: Article) -> int:
        return len(self._get("posts/", filter=f"title:'{article.title}'", limit="all")["posts"])

    def content(self, article: Article, remote_id: str) -> str:
        return str(self._get(f"posts/{remote_id}/", formats="html")["posts"][0]["html"])

    def throttle(self) -> None:
        self.server.answer_next(
            Reply(429, {"errors": [{"message": "Too many requests", "type": "TooManyRequestsError"}]},
                  {"Retry-After": str(RETRY_WAIT)}),
            when=lambda r: r.method == "POST" and "/posts/" in r.path,
        )


class WebhookHarness(Harness):
    def count(self, article: Article) -> int:
        return sum(1 for e in self.server.posts().values() if e["article"]["id"] == article.id)

    def content(self, article: Article, remote_id: str) -> str:
        (event,) = [e for e in self.server.posts().values() if e["article"]["id"] == article.id]
        return str(event["html"])


class MastodonHarness(Harness):
    def count(self, article: Article) -> int:
        return sum(1 for s in self.server.live() if article.url in s.text)

    def content(self, article: Article, remote_id: str) -> str:
        return str(self.server.statuses[remote_id].text)


class DiscourseHarness(Harness):
    def count(self, article: Article) -> int:
        return sum(1 for t in self.server.live() if t.title == article.title)

    def content(self, article: Article, remote_id: str) -> str:
        (topic,) = [t for t in self.server.live() if str(t.post_id) == remote_id]
        return str(topic.raw)


class MicropubHarness(Harness):
    def count(self, article: Article) -> int:
        return sum(1 for e in self.server.live() if e.properties.get("name") == [article.title])

    def content(self, article: Article, remote_id: str) -> str:
        value = self.server.entries[remote_id].properties["content"][0]
        return str(value["html"] if isinstance(value, dict) else value)


class FilesHarness(Harness):
    def count(self, article: Article) -> int:
        folder = Path(self.config["path"])
        return sum(1 for p in folder.glob("*.md") if article.title in p.read_text()) if folder.exists() else 0

    def content(self, article: Article, remote_id: str) -> str:
        return Path(remote_id).read_text()

    def throttle(self) -> None:
        raise NotImplementedError


class SmtpSink:
    """An aiosmtpd handler that keeps messages and refuses on demand (421 for a while, 550 a list)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.tempfail_next = 0
        self.refused = {"nobody@lists.example"}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: no such list"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.tempfail_next:
                self.tempfail_next -= 1
                return "421 4.7.0 Too many messages, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class EmailHarness(Harness):
    def originals(self, article: Article) -> list[EmailMessage]:
        return [m for m in self.server.messages if m["Subject"] == article.title]

    def count(self, article: Article) -> int:
        return len(self.originals(article))

    def content(self, article: Article, remote_id: str) -> str:
        replies = [m for m in self.server.messages if m["In-Reply-To"] == remote_id]
        message = replies[-1] if replies else next(m for m in self.server.messages if m["Message-ID"] == remote_id)
        return str(message.get_body(("html",)).get_content())

    def throttle(self) -> None:
        self.server.tempfail_next = 1


