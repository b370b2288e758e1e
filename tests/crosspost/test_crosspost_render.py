"""Attribution blocks and bodies per format: TASL, escaping, Markdown, microblog limits, custom templates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from crosspost_helpers import make_article
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.config import TargetConfig
from syndicate.crosspost.render import (
    TemplateSpec,
    attribution_context,
    fit_microblog,
    html_to_markdown,
    html_to_text,
    render_block,
    render_post,
    template_spec,
    weighted_length,
)
from syndicate.crosspost.terms import effective_terms
from syndicate.models import Article, Rights
from syndicate.targets.base import BlockFormat, ContentMode, Post

TARGET = TargetConfig(name="t", type="files")


def _post(
    article: Article, fmt: BlockFormat = "html", mode: ContentMode = "full", max_chars: int | None = None,
    spec: TemplateSpec = TemplateSpec(),
) -> Post:
    return render_post(article, TARGET, delivery_id="d" * 32, block_format=fmt, content_mode=mode,
                       terms=effective_terms(article, []), spec=spec, max_chars=max_chars)


def test_html_block_is_tasl_with_links_and_copyright() -> None:
    article = make_article()
    block = _post(article).attribution
    assert f'<a href="{article.url}">{article.title}</a>' in block  # Title, linked to the original
    assert "by Jane Writer" in block  # Author
    assert '<a href="https://original.example/">Original Outlet</a>' in block  # Source
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in block  # Licence
    assert "Copyright © 2026 Jane Writer, Original Outlet" in block


def test_html_is_escaped() -> None:
    article = make_article(title='<script>alert("x")</script> & more')
    block = _post(article).attribution
    assert "<script>" not in block and "&lt;script&gt;" in block and "&amp; more" in block


def test_republished_copy_is_linked_when_the_terms_ask_for_a_link() -> None:
    linked = make_article(rights=Rights(license="permission", conditions=("attribution", "link-to-original")))
    plain = make_article()
    assert f'<a href="https://republisher.example/{linked.id}">Republisher</a>' in _post(linked).attribution
    assert "Via Republisher." in _post(plain).attribution and "republisher.example" not in _post(plain).attribution


def test_markdown_body() -> None:
    html = ('<h2>Head</h2><p>Text with <a href="https://x.example/">a link</a>, <em>em</em> and <strong>b</strong>.</p>'
            "<ul><li>one</li><li>two</li></ul><blockquote><p>quote</p></blockquote>")
    assert html_to_markdown(html) == (
        "## Head\n\nText with [a link](https://x.example/), *em* and **b**.\n\n- one\n- two\n\n> quote"
    )
    post = _post(make_article(content_html=html), fmt="markdown")
    assert post.body.startswith("## Head") and "[Original Outlet](https://original.example/)" in post.body


def test_plain_text() -> None:
    assert html_to_text("<p>One <b>two</b></p><p>Three<br>four</p>") == "One two\n\nThree four"


def test_microblog_fits_the_limit_with_urls_counting_23() -> None:
    assert weighted_length("see https://example.org/" + "x" * 100) == len("see ") + 23
    article = make_article(title="Word " * 200)
    post = _post(article, fmt="text", mode="link", max_chars=500)
    assert weighted_length(post.body) <= 500
    assert article.url in post.body and "Jane Writer" in post.body and "…" in post.body


def test_microblog_keeps_the_link_when_the_block_is_too_long() -> None:
    article = make_article(title="Title " * 50)
    article = replace(article, attribution=replace(article.attribution, original_author="A" * 300))
    post = _post(article, fmt="text", mode="link", max_chars=120)
    assert weighted_length(post.body) == 120
    assert post.body.startswith("Title Title") and article.url in post.body and "By AAAA" in post.body


def test_microblog_drops_the_republisher_line_before_cutting_the_title() -> None:
    block = "By Jane · Outlet\nOriginal: https://o.example/a\nVia Republisher"
    text = fit_microblog("Short title", block, 64)
    assert text == "Short title\n\nBy Jane · Outlet\nOriginal: https://o.example/a"
    assert weighted_length(text) == 63


def test_excerpt_mode_sends_summary_and_link_only() -> None:
    article = make_article(content_html="<p>" + "long body " * 200 + "</p>")
    post = _post(article, mode="excerpt")
    assert "long body" not in post.body and "A short summary" in post.body and "Read the whole article" in post.body


def test_custom_templates_inline_and_file(tmp_path: Path) -> None:
    article = make_article()
    inline = TargetConfig(name="t", type="files", template="Source: {{ publisher }} <{{ original_url }}>")
    spec = template_spec(inline, tmp_path)
    assert _post(article, fmt="markdown", spec=spec).attribution == f"Source: Original Outlet <{article.url}>"
    (tmp_path / "block.html.j2").write_text("<p>{{ title }} — {{ license_name }}</p>")
    from_file = TargetConfig(name="t", type="files", template_file="block.html.j2")
    html = _post(replace(article, title="A & B"), spec=template_spec(from_file, tmp_path)).attribution
    assert html == "<p>A &amp; B — CC BY 4.0</p>"


def test_context_for_an_article_with_no_terms() -> None:
    article = make_article(rights=Rights())
    context = attribution_context(article, effective_terms(article, []))
    assert context["license_name"] is None and context["copyright"] is None
    assert "Original:" in render_block("text", context)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(min_size=1, max_size=600).filter(lambda t: "http" not in t),
    author=st.text(max_size=200).filter(lambda t: "http" not in t),
    limit=st.integers(min_value=80, max_value=1000),
)
def test_microblog_text_never_exceeds_the_limit(title: str, author: str, limit: int) -> None:
    article = replace(make_article(), title=title, authors=(author,) if author.strip() else ())
    article = replace(article, attribution=replace(article.attribution, original_author=author or None))
    post = _post(article, fmt="text", mode="link", max_chars=limit)
    assert weighted_length(post.body) <= limit
    assert article.url in post.body
