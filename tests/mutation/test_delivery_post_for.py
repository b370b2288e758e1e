"""``crosspost.delivery.post_for``: the desk's preview of a crosspost is the post ``deliver`` sends
(docs/mutation-report.md, issue #21): the HTML a real webhook receiver got, a files target's
Markdown with its own attribution template and the source's terms, a microblog post cut to the
target's limit (``max_characters`` set: no Mastodon server is asked); and the ledger row while a
post is in flight."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "targets"))

from crosspost_helpers import later, make_article, make_config, row_for, store_article
from target_servers.base import Reply
from target_servers.webhook import WebhookReceiver

from syndicate.crosspost import deliver, plan
from syndicate.crosspost.delivery import build_target, post_for
from syndicate.crosspost.ledger import delivery_id
from syndicate.crosspost.render import weighted_length
from syndicate.ownership import parse_owner
from syndicate.store.articles import get_article

LONG = "<p>" + " ".join(f"Sentence number {n} of a long article body goes on." for n in range(60)) + "</p>"


def preview_of(config: Any, engine: Engine, name: str, article_id: str) -> Any:
    target_config = next(t for t in config.target if t.name == name)
    target = build_target(target_config, config)
    article = get_article(engine, article_id)
    assert article is not None
    try:
        return post_for(config, target_config, target, article, delivery_id(article_id, name))
    finally:
        target.close()


def test_the_preview_is_the_html_a_webhook_received(engine: Engine, tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": receiver.hook}])
        plan(engine, config, now=later(0))
        store_article(engine, make_article("a1", title="Webhook story"), first_seen=later(1))
        plan(engine, config, now=later(1))
        assert deliver(engine, config, now=later(2)).delivered == 1
        [event] = receiver.events  # type: ignore[attr-defined]
    post = preview_of(config, engine, "hook", "a1")
    assert (post.delivery_id, post.title) == (event["delivery_id"], "Webhook story")
    assert post.html == event["html"] and post.body == post.html  # a webhook's format is HTML
    assert post.html.startswith("<p>First paragraph of the article.</p>")
    assert 'href="https://original.example/a1"' in post.attribution and post.attribution in post.html


def test_a_files_preview_has_the_target_s_template_format_and_the_source_s_terms(
    engine: Engine, tmp_path: Path
) -> None:
    sources = [{"name": "outlet", "url": "https://outlet.example/feed",
                "rights": {"license": "CC-BY-NC-4.0", "conditions": ["attribution", "noncommercial"]}}]
    template = "Block for {{ title }} under {{ license }} ({{ conditions | join(', ') }})."
    config = make_config(tmp_path, [
        {"name": "site", "type": "files", "path": str(tmp_path / "site"), "template": template},
        {"name": "plain", "type": "files", "path": str(tmp_path / "plain")},
    ], sources=sources)
    store_article(engine, make_article("a1", title="Files story"), first_seen=later(1))
    post = preview_of(config, engine, "site", "a1")
    assert post.delivery_id == delivery_id("a1", "site")
    # the agreement with the source, not the article's own CC-BY-4.0
    assert post.attribution == "Block for Files story under CC-BY-NC-4.0 (attribution, noncommercial)."
    assert post.body.startswith("First paragraph of the article.")  # Markdown, not HTML
    assert post.body.endswith(post.attribution) and "<p>" not in post.body
    plain = preview_of(config, engine, "plain", "a1")  # no template of its own: the default block
    assert plain.attribution.startswith("---\n“[Files story](https://original.example/a1)”")


def test_a_relative_template_file_is_read_beside_the_configuration(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "block.md.j2").write_text("From the file: {{ title }}.", encoding="utf-8")
    config = make_config(tmp_path, [
        {"name": "site", "type": "files", "path": str(tmp_path / "site"), "template_file": "block.md.j2"}])
    store_article(engine, make_article("a1", title="Filed story"), first_seen=later(1))
    assert preview_of(config, engine, "site", "a1").attribution == "From the file: Filed story."


def test_a_microblog_preview_is_cut_to_the_target_s_limit(engine: Engine, tmp_path: Path) -> None:
    masto = {"type": "mastodon", "url": "http://127.0.0.1:9", "access_token": "t"}
    config = make_config(tmp_path, [
        {"name": "short", "max_characters": 120, "content": "excerpt", **masto},
        {"name": "roomy", "max_characters": 5000, "content": "excerpt", **masto},
    ])
    store_article(engine, make_article("a1", title="Microblog story", content_html=LONG), first_seen=later(1))
    short = preview_of(config, engine, "short", "a1")
    assert weighted_length(short.body) <= 120 and "https://original.example/a1" in short.body
    roomy = preview_of(config, engine, "roomy", "a1")
    assert weighted_length(roomy.body) > 120
    assert roomy.body.startswith("Microblog story\n\nA short summary of the article.\n\nBy Jane Writer")
    assert short.delivery_id == delivery_id("a1", "short")


def test_while_a_post_is_in_flight_its_row_names_the_sender_and_the_content(engine: Engine, tmp_path: Path) -> None:
    """The row as the target receives the request: ``sending``, the hash being sent, this pass's
    owner (this process) — what a crash recovery reads to decide whose row it is."""
    seen: list[dict[str, Any]] = []

    def look(request: Any) -> bool:  # called in the receiver's thread as the request arrives
        seen.append(row_for(engine, "a1", "hook"))
        return False  # never answer in its place

    with WebhookReceiver() as receiver:
        config = make_config(tmp_path, [{"name": "hook", "type": "webhook", "url": receiver.hook}])
        plan(engine, config, now=later(0))
        article = store_article(engine, make_article("a1", title="In flight"), first_seen=later(1))
        plan(engine, config, now=later(1))
        receiver.answer_next(Reply(500, "unused"), when=look)
        assert deliver(engine, config, now=later(2)).delivered == 1
    [row] = seen
    assert (row["state"], row["attempts"], row["sending_hash"]) == ("sending", 1, article.content_hash)
    owner = parse_owner(row["sending_owner"])
    assert owner is not None and owner.pid == os.getpid()
    assert row_for(engine, "a1", "hook")["state"] == "delivered"
