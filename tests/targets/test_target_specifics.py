"""What each target sends beyond the common contract, checked on the server side."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from crosspost_helpers import T0, edit_article, later, make_article, make_config, row_for, store_article
from sqlalchemy import Engine
from target_servers.discourse import DiscourseServer
from target_servers.mastodon import MastodonServer, weighted
from target_servers.micropub import MicropubServer
from target_servers.webhook import WebhookReceiver

from syndicate.config import Config
from syndicate.crosspost import deliver, plan
from syndicate.crosspost.ledger import delivery_id
from syndicate.errors import PermanentTargetError
from syndicate.models import Article, Rights


def _one_article(engine: Engine, tmp_path: Path, target: dict[str, Any], **article: Any) -> tuple[Config, Article]:
    config = make_config(tmp_path, [target])
    plan(engine, config, now=T0)
    stored = store_article(engine, make_article(**article), first_seen=later(1))
    plan(engine, config, now=later(1))
    return config, stored


# -- webhook -----------------------------------------------------------------------


def test_webhook_body_signature_and_idempotency_key(engine: Engine, tmp_path: Path) -> None:
    with WebhookReceiver(secret="s3cret-hook") as server:
        config, article = _one_article(engine, tmp_path,
                                       {"name": "hook", "type": "webhook", "url": server.hook, "secret": "s3cret-hook"})
        assert deliver(engine, config, now=later(1)).delivered == 1
        (request,) = [r for r in server.requests if r.method == "POST"]
        body = json.loads(request.body)
        assert set(body) == {"event", "delivery_id", "article", "html"}
        assert body["event"] == "create" and body["delivery_id"] == delivery_id(article.id, "hook")
        assert body["article"] == json.loads(json.dumps(article.to_json()))
        assert "Jane Writer" in body["html"] and article.url in body["html"]
        assert request.headers["idempotency-key"] == body["delivery_id"]
        expected = "sha256=" + hmac.new(b"s3cret-hook", request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-syndicate-signature"] == expected


def test_webhook_without_secret_sends_no_signature(engine: Engine, tmp_path: Path) -> None:
    with WebhookReceiver() as server:
        config, _ = _one_article(engine, tmp_path, {"name": "hook", "type": "webhook", "url": server.hook})
        deliver(engine, config, now=later(1))
        assert "x-syndicate-signature" not in server.requests[-1].headers


# -- mastodon ----------------------------------------------------------------------


def test_mastodon_fits_the_instance_limit_and_sends_an_idempotency_key(engine: Engine, tmp_path: Path) -> None:
    with MastodonServer(max_characters=160) as server:
        long_title = "A very long title " * 12
        config, article = _one_article(
            engine, tmp_path, {"name": "toot", "type": "mastodon", "url": server.url, "access_token": server.token},
            title=long_title.strip(),
        )
        result = deliver(engine, config, now=later(1))
        assert result.errors == [] and result.delivered == 1
        (status,) = server.live()
        assert weighted(status.text) <= 160
        assert article.url in status.text and "Jane Writer" in status.text
        post = next(r for r in server.requests if r.method == "POST")
        assert post.headers["idempotency-key"] == delivery_id(article.id, "toot")
        assert server.count("GET", "/api/v2/instance") == 1


def test_mastodon_retry_within_the_hour_returns_the_same_status(engine: Engine, tmp_path: Path) -> None:
    with MastodonServer() as server:
        headers = {"Authorization": f"Bearer {server.token}", "Idempotency-Key": "k-1"}
        first = requests.post(f"{server.url}/api/v1/statuses", json={"status": "hello"}, headers=headers, timeout=5)
        second = requests.post(f"{server.url}/api/v1/statuses", json={"status": "hello"}, headers=headers, timeout=5)
        assert first.json()["id"] == second.json()["id"] and len(server.live()) == 1


# -- discourse ---------------------------------------------------------------------


def test_discourse_topic_has_external_id_embed_url_and_markdown(engine: Engine, tmp_path: Path) -> None:
    with DiscourseServer() as server:
        config, article = _one_article(engine, tmp_path, {
            "name": "forum", "type": "discourse", "url": server.url, "api_key": server.api_key, "category": 7})
        deliver(engine, config, now=later(1))
        (topic,) = server.live()
        assert topic.external_id == f"syn-{delivery_id(article.id, 'forum')[:16]}"
        assert topic.embed_url == article.url and topic.category == 7
        assert f"]({article.url})" in topic.raw and "<p>" not in topic.raw  # Markdown, not HTML
        row = row_for(engine, article.id, "forum")
        assert row["remote_url"] == f"{server.url}/t/{topic.slug}/{topic.id}"
        assert row["remote_meta"] == {"topic_id": topic.id}


def test_discourse_429_wait_seconds_in_the_body_is_honoured(engine: Engine, tmp_path: Path) -> None:
    with DiscourseServer() as server:
        server.answer_next(server.rate_limited(None, 45), when=lambda r: r.method == "POST")  # type: ignore[arg-type]
        config, article = _one_article(engine, tmp_path, {
            "name": "forum", "type": "discourse", "url": server.url, "api_key": server.api_key})
        deliver(engine, config, now=later(1))
        row = row_for(engine, article.id, "forum")
        assert row["state"] == "pending"
        assert row["next_attempt_at"] >= (later(1) + timedelta(seconds=45)).replace(tzinfo=None)


def test_discourse_validation_error_is_permanent(engine: Engine, tmp_path: Path) -> None:
    with DiscourseServer() as server:
        config, article = _one_article(engine, tmp_path, {
            "name": "forum", "type": "discourse", "url": server.url, "api_key": server.api_key}, title="Too short")
        result = deliver(engine, config, now=later(1))
        assert result.failed == 1 and "422" in result.errors[0] and "Title must be" in result.errors[0]
        assert row_for(engine, article.id, "forum")["next_attempt_at"] is None


# -- micropub ----------------------------------------------------------------------


def test_micropub_form_encoding_creates_an_entry(engine: Engine, tmp_path: Path) -> None:
    with MicropubServer() as server:
        config, article = _one_article(engine, tmp_path, {
            "name": "site", "type": "micropub", "endpoint": server.endpoint, "access_token": server.token,
            "encoding": "form"})
        assert deliver(engine, config, now=later(1)).delivered == 1
        (entry,) = server.live()
        assert entry.properties["name"] == [article.title]
        assert entry.properties["category"] == ["Science"]
        assert entry.properties["mp-slug"] == [f"syn-{delivery_id(article.id, 'site')[:16]}"]
        assert row_for(engine, article.id, "site")["remote_id"] == entry.url


def test_micropub_update_is_a_json_replace_action(engine: Engine, tmp_path: Path) -> None:
    with MicropubServer() as server:
        config, article = _one_article(engine, tmp_path, {
            "name": "site", "type": "micropub", "endpoint": server.endpoint, "access_token": server.token})
        deliver(engine, config, now=later(1))
        edit_article(engine, article, content_html="<p>New text</p>", at=later(2))
        plan(engine, config, now=later(3))
        assert deliver(engine, config, now=later(3)).updated == 1
        update = server.requests[-1].json
        assert update["action"] == "update" and update["url"] == server.live()[0].url
        assert update["replace"]["content"][0]["html"].startswith("<p>New text</p>")


# -- email -------------------------------------------------------------------------


def _smtp(tmp_path: Path) -> tuple[Any, Any, int]:
    from aiosmtpd.controller import Controller
    from target_harness import SmtpSink

    sink = SmtpSink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller, port


def test_email_is_multipart_with_a_stable_message_id_and_edits_reply(engine: Engine, tmp_path: Path) -> None:
    sink, controller, port = _smtp(tmp_path)
    try:
        config, article = _one_article(engine, tmp_path, {
            "name": "list", "type": "email", "host": "127.0.0.1", "port": port, "security": "none",
            "sender": "News <news@syndicate.example>", "to": ["a@lists.example", "b@lists.example"],
            "subject_prefix": "[news] "})
        deliver(engine, config, now=later(1))
        (message,) = sink.messages
        delivery = delivery_id(article.id, "list")
        assert message["Message-ID"] == f"<syn-{delivery[:24]}@syndicate.example>"
        assert message["Subject"] == f"[news] {article.title}"
        assert message.get_content_type() == "multipart/alternative"
        assert "Jane Writer" in message.get_body(("plain",)).get_content()
        assert "<aside" in message.get_body(("html",)).get_content()

        edit_article(engine, article, content_html="<p>Corrected</p>", at=later(2))
        plan(engine, config, now=later(3))
        assert deliver(engine, config, now=later(3)).updated == 1
        reply = sink.messages[-1]
        assert reply["In-Reply-To"] == message["Message-ID"] == reply["References"]
        assert re.fullmatch(rf"<syn-{delivery[:24]}\.[0-9a-f]{{10}}@syndicate\.example>", reply["Message-ID"])
        assert row_for(engine, article.id, "list")["remote_id"] == message["Message-ID"]
    finally:
        controller.stop()


# -- files -------------------------------------------------------------------------


def test_files_front_matter_and_stable_name(engine: Engine, tmp_path: Path) -> None:
    content = tmp_path / "hugo" / "content" / "posts"
    config, article = _one_article(engine, tmp_path, {"name": "hugo", "type": "files", "path": "hugo/content/posts"},
                                   title="Hello: a “quoted” title about syndication")
    deliver(engine, config, now=later(1))
    (path,) = content.glob("*.md")
    delivery = delivery_id(article.id, "hugo")
    assert path.name == f"2026-01-05-hello-a-quoted-title-about-syndication-{delivery[:8]}.md"
    text = path.read_text()
    assert text.startswith("---\ntitle: \"Hello: a “quoted” title about syndication\"\n")
    assert f'syndicate_delivery_id: "{delivery}"' in text and 'tags: ["Science"]' in text
    assert f'canonical_url: "{article.url}"' in text


def test_files_remote_url_has_no_dot_dot_steps(engine: Engine, tmp_path: Path) -> None:
    """A path relative to the configuration's folder ("../var/crossposts") is recorded as the folder
    it names, not as "config/../var/crossposts"."""
    config, article = _one_article(engine, tmp_path, {"name": "site", "type": "files", "path": "sub/../out"})
    deliver(engine, config, now=later(1))
    row = row_for(engine, article.id, "site")
    (path,) = (tmp_path / "out").resolve().glob("*.md")
    assert row["remote_id"] == str(path) and row["remote_url"] == path.as_uri()
    assert ".." not in row["remote_url"]


# -- wordpress and ghost (real) ------------------------------------------------------


@pytest.mark.services
def test_wordpress_categories_and_tags_by_name(wordpress: dict[str, str], engine: Engine, tmp_path: Path) -> None:
    auth = (wordpress["WP_USER"], wordpress["WP_APP_PASSWORD"])
    config, article = _one_article(engine, tmp_path, {
        "name": "blog", "type": "wordpress", "url": wordpress["WP_URL"], "username": wordpress["WP_USER"],
        "password": wordpress["WP_APP_PASSWORD"], "categories": ["Syndicated", "Wire"], "tags": ["crosspost"]})
    assert deliver(engine, config, now=later(1)).errors == []
    row = row_for(engine, article.id, "blog")
    post = requests.get(f"{wordpress['WP_URL']}/wp-json/wp/v2/posts/{row['remote_id']}", auth=auth, timeout=30,
                        params={"context": "edit"}).json()
    names = {
        c["name"] for c in requests.get(f"{wordpress['WP_URL']}/wp-json/wp/v2/categories", timeout=30,
                                        params={"include": ",".join(map(str, post["categories"]))}).json()
    }
    tags = {
        t["name"] for t in requests.get(f"{wordpress['WP_URL']}/wp-json/wp/v2/tags", timeout=30,
                                        params={"include": ",".join(map(str, post["tags"]))}).json()
    }
    assert names == {"Syndicated", "Wire"} and tags == {"crosspost", "Science"}
    assert post["status"] == "publish" and post["slug"] == f"syn-{row['id'][:16]}"
    assert 'rel="license"' in post["content"]["raw"]


@pytest.mark.services
def test_wordpress_bad_password_is_permanent_and_not_leaked(wordpress: dict[str, str], tmp_path: Path) -> None:
    from syndicate.config import TargetConfig
    from syndicate.targets.wordpress import WordPressTarget

    target = WordPressTarget(TargetConfig.model_validate(
        {"name": "blog", "type": "wordpress", "url": wordpress["WP_URL"], "username": wordpress["WP_USER"],
         "password": "Wrongpassword1234Wrong123"}))
    with pytest.raises(PermanentTargetError) as caught:
        target.term_id("categories", "Anything")  # GET works unauthenticated; the POST is refused
    assert caught.value.status in (401, 403) and "Wrongpassword1234Wrong123" not in str(caught.value)


@pytest.mark.services
def test_ghost_canonical_url_tags_and_draft_status(ghost: dict[str, str], engine: Engine, tmp_path: Path) -> None:
    config, article = _one_article(engine, tmp_path, {
        "name": "news", "type": "ghost", "url": ghost["GHOST_URL"], "admin_key": ghost["GHOST_ADMIN_KEY"],
        "status": "draft", "tags": ["Syndicated"]})
    assert deliver(engine, config, now=later(1)).errors == []
    row = row_for(engine, article.id, "news")
    from syndicate.config import TargetConfig
    from syndicate.targets.ghost import GhostTarget

    token = GhostTarget(TargetConfig.model_validate(
        {"name": "probe", "type": "ghost", "url": ghost["GHOST_URL"], "admin_key": ghost["GHOST_ADMIN_KEY"]})).token()
    post = requests.get(f"{ghost['GHOST_URL']}/ghost/api/admin/posts/{row['remote_id']}/", timeout=30,
                        params={"formats": "html", "include": "tags"},
                        headers={"Authorization": f"Ghost {token}", "Accept-Version": "v5.0"}).json()["posts"][0]
    assert post["canonical_url"] == article.url
    assert post["status"] == "draft" and post["slug"] == f"syn-{row['id'][:16]}"
    assert {t["name"] for t in post["tags"]} == {"Syndicated", "Science"}
    assert "Jane Writer" in post["html"]


def test_no_derivatives_is_sent_whole_or_not_at_all(engine: Engine, tmp_path: Path) -> None:
    nd = Rights(holder="The Conversation", license="CC-BY-ND-4.0", conditions=("attribution", "no-derivatives"))
    with WebhookReceiver() as server:
        config = make_config(tmp_path, [
            {"name": "whole", "type": "files", "path": "whole"},
            {"name": "excerpt", "type": "files", "path": "excerpt", "content": "excerpt"},
            {"name": "hook", "type": "webhook", "url": server.hook},
        ])
        plan(engine, config, now=T0)
        article = store_article(engine, make_article(rights=nd), first_seen=later(1))
        plan(engine, config, now=later(1))
        assert row_for(engine, article.id, "whole")["state"] == "pending"
        assert row_for(engine, article.id, "hook")["state"] == "pending"
        excerpt = row_for(engine, article.id, "excerpt")
        assert excerpt["state"] == "blocked" and "no derivatives" in excerpt["reason"]


@pytest.mark.services
def test_ghost_update_collision_is_retried_once(ghost: dict[str, str], engine: Engine, tmp_path: Path) -> None:
    from target_servers.base import Reply
    from target_servers.proxy import FaultProxy

    with FaultProxy(ghost["GHOST_URL"]) as proxy:
        config, article = _one_article(engine, tmp_path, {
            "name": "news", "type": "ghost", "url": proxy.url, "admin_key": ghost["GHOST_ADMIN_KEY"]})
        assert deliver(engine, config, now=later(1)).delivered == 1
        edit_article(engine, article, content_html="<p>Second version</p>", at=later(2))
        plan(engine, config, now=later(3))
        proxy.answer_next(
            Reply(409, {"errors": [{"message": "Saving failed! Someone else is editing this post.",
                                    "type": "UpdateCollisionError", "code": "UPDATE_COLLISION"}]}),
            when=lambda r: r.method == "PUT",
        )
        result = deliver(engine, config, now=later(3))
        assert (result.updated, result.errors) == (1, [])
        assert proxy.count("PUT") == 2 and proxy.count("GET", "/ghost/api/admin/posts/") == 2
