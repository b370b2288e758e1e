"""The item page's preview is the target's own rendering: Mastodon's character limit (asked of a
real HTTP server speaking the instance API), the e-mail's headers and parts, WordPress's HTML;
and the rights block shows the evidence when the article JSON carries it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer

from syndicate.config import config_from_dict
from syndicate.crosspost.render import weighted_length
from syndicate.desk import views
from syndicate.desk.app import _environment
from syndicate.models import Article, Attribution, Rights

LONG_TITLE = "A very long headline about the harbour board's decision on the ferry timetable " * 4


def article() -> Article:
    return Article(
        id="a1", title=LONG_TITLE.strip(), url="https://harbor.example/story",
        published=datetime(2026, 12, 1, tzinfo=UTC),
        updated=None, authors=("Ada Writer",), summary="The board met.", content_html="<p>The board met.</p>" * 30,
        tags=(), language="en", copies=(), content_hash="h",
        attribution=Attribution(original_publisher="Harbor Gazette", original_author="Ada Writer",
                                original_url="https://harbor.example/story"),
        rights=Rights(holder="Harbor Gazette", license="CC-BY-4.0", conditions=("attribution",)),
    )


def config_for(tmp_path: Path, target: dict[str, object]):  # type: ignore[no-untyped-def]
    return config_from_dict({"target": [{"name": "t", **target}]}, tmp_path / "syndicate.toml", environ={})


def test_mastodon_preview_fits_the_limit_the_instance_states(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Kills: a preview that ignores the target's limit (the whole long title would not fit in 120)."""
    httpserver.expect_request("/api/v2/instance").respond_with_json(
        {"configuration": {"statuses": {"max_characters": 120}}}
    )
    config = config_for(tmp_path, {"type": "mastodon", "url": httpserver.url_for("/").rstrip("/"),
                                   "access_token": "tok"})
    shown = views.preview(config, config.target[0], article(), "d" * 32)
    assert shown.error is None and shown.format == "text" and shown.max_chars == 120
    assert shown.length == weighted_length(shown.body) and shown.length <= 120
    assert "https://harbor.example/story" in shown.body and "…" in shown.body


def test_email_preview_has_the_headers_and_the_plain_text_part(tmp_path: Path) -> None:
    config = config_for(tmp_path, {"type": "email", "host": "127.0.0.1", "sender": "News <news@example.org>",
                                   "to": ["editors@example.org"], "subject_prefix": "[harbor]"})
    shown = views.preview(config, config.target[0], replace(article(), title="Short title"), "d" * 32)
    assert shown.error is None and shown.format == "email"
    headers = dict(shown.headers)
    assert headers["Subject"] == "[harbor] Short title" and headers["To"] == "editors@example.org"
    assert "Harbor Gazette" in shown.text and "CC BY 4.0" in shown.html


def test_wordpress_preview_is_html_with_the_attribution_block(tmp_path: Path) -> None:
    config = config_for(tmp_path, {"type": "wordpress", "url": "https://blog.example.org", "username": "u",
                                   "password": "p"})
    shown = views.preview(config, config.target[0], article(), "d" * 32)
    assert shown.format == "html" and shown.body.startswith("<p>The board met.</p>")
    assert 'class="syndicate-attribution"' in shown.body and "Ada Writer" in shown.attribution


def test_rights_block_shows_evidence_when_present_and_notices_otherwise() -> None:
    """The article JSON's ``evidence`` list (fact, value, recognizer, lang, text, where) is shown when
    present; the rights notices when it is not."""
    macro = _environment().get_template("_macros.html.j2").module.rights_block  # type: ignore[attr-defined]
    rights = {"rights": {"holder": "H", "statement": None, "license": "CC-BY-4.0", "license_url": None,
                         "conditions": ["attribution"], "notices": [{"kind": "copyright", "text": "© H"}]},
              "terms": {"license": "CC-BY-4.0", "conditions": ["attribution"], "by_agreement": False,
                        "unknown": False, "license_url": None},
              "verdict": None,
              "evidence": [{"fact": "license", "value": "CC-BY-4.0", "recognizer": "cc-link", "lang": "en",
                            "text": "Licensed <CC BY 4.0>", "where": "footer"}]}
    html = str(macro(rights))
    assert "cc-link" in html and "footer" in html and "Licensed &lt;CC BY 4.0&gt;" in html
    assert "© H" not in html
    html = str(macro({**rights, "evidence": []}))
    assert "Rights notices found" in html and "© H" in html
