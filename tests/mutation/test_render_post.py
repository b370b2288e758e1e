"""``crosspost/render.py`` ``render_post`` and ``attribution_context``, exactly: which template each
format's block comes from, the body of a text post without a length limit, a link-only post, the
target's status, and the copyright line of a public-domain dedication (CC0)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))

from crosspost_helpers import make_article

from syndicate.config import TargetConfig
from syndicate.crosspost.render import TemplateSpec, attribution_context, render_block, render_post
from syndicate.crosspost.terms import effective_terms
from syndicate.models import Article, Rights
from syndicate.targets.base import BlockFormat, ContentMode, Post

CUSTOM = TemplateSpec(inline="Custom credit: {{ publisher }}")


def _post(
    article: Article, fmt: BlockFormat, mode: ContentMode = "full", *, spec: TemplateSpec = TemplateSpec(),
    target: TargetConfig | None = None,
) -> Post:
    return render_post(article, target or TargetConfig(name="t", type="files"), delivery_id="d" * 32,
                       block_format=fmt, content_mode=mode, terms=effective_terms(article, []), spec=spec)


def _default_block(article: Article, fmt: str) -> str:
    return render_block(fmt, attribution_context(article, effective_terms(article, [])))


def test_a_custom_template_is_used_for_the_target_s_own_format_only() -> None:
    """Kills ``render_post`` 12 (an e-mail target's template ignored) and 41 (a text target's template
    ignored): the custom block is the attribution and ends the body; the other formats keep the default."""
    article = make_article(title="Ferries")
    email = _post(article, "email", spec=CUSTOM)
    assert email.attribution == "Custom credit: Original Outlet"
    assert email.html.endswith("\nCustom credit: Original Outlet") and email.body == email.html
    assert email.text.endswith("-- \n" + _default_block(article, "text"))  # the text part: the default block
    text = _post(article, "text", spec=CUSTOM)
    assert text.attribution == "Custom credit: Original Outlet"
    assert text.body == "Ferries\n\nCustom credit: Original Outlet"
    assert text.text.endswith("-- \nCustom credit: Original Outlet")
    assert text.html.endswith("\n" + _default_block(article, "html"))  # the HTML part: the default block


def test_a_text_post_without_a_limit_is_title_excerpt_and_block() -> None:
    """Kills ``render_post`` 116–118 (strings subtracted: a TypeError) and 120 (a blank excerpt still
    adding its blank line): a text target without ``max_chars`` (not Mastodon) gets the whole block."""
    article = make_article(title="Ferries", summary="Fares frozen for a year.")
    block = _default_block(article, "text")
    assert _post(article, "text", "full").body == f"Ferries\n\n{block}"
    assert _post(article, "text", "link").body == f"Ferries\n\n{block}"
    assert _post(article, "text", "excerpt").body == f"Ferries\n\nFares frozen for a year.\n\n{block}"


def test_a_link_only_post_carries_the_block_alone() -> None:
    """Kills ``render_post`` 63: ``content_mode="link"`` has no content before the block."""
    article = make_article(title="Ferries")
    post = _post(article, "html", "link")
    assert post.html == _default_block(article, "html").strip()
    assert post.body == post.html
    assert post.text == "-- \n" + _default_block(article, "text").strip()  # the separator is kept


def test_the_post_carries_the_target_s_status() -> None:
    """Kills ``render_post`` 148 (the status left at its default, "publish"): a draft target's post is a draft."""
    article = make_article()
    assert _post(article, "html", target=TargetConfig(name="t", type="files", status="draft")).status == "draft"
    assert _post(article, "html").status == "publish"


def test_no_copyright_line_is_made_up_for_a_cc0_dedication() -> None:
    """Kills ``attribution_context`` 37 (the CC0 id compared in lower case): a holder without a statement
    gets "© holder" under CC BY, nothing under CC0 (a waiver of copyright)."""
    cc0 = make_article(rights=Rights(holder="Original Outlet", license="CC0-1.0"))
    by = make_article(rights=Rights(holder="Original Outlet", license="CC-BY-4.0"))
    assert effective_terms(cc0, []).license == "CC0-1.0"
    assert attribution_context(cc0, effective_terms(cc0, []))["copyright"] is None
    assert attribution_context(by, effective_terms(by, []))["copyright"] == "© Original Outlet"
