"""Body cleaning: paragraph structure, lines split at <br>, separators, per-source rules."""

from __future__ import annotations

from syndicate.config import SourceRules
from syndicate.normalize.body import clean_body

BASE = "https://site.example/a/post"


def test_top_level_text_is_wrapped_in_paragraphs() -> None:
    assert clean_body("Hello <b>world</b><p>Second.</p>tail text", BASE).html == (
        "<p>Hello <b>world</b></p><p>Second.</p><p>tail text</p>"
    )


def test_notice_line_after_a_break_is_removed_and_read() -> None:
    body = clean_body(
        '<p>Real sentence about ships.<br><em>This article was originally published on <a href="https://x.example/a/b">'
        "X News</a>.</em></p>",
        BASE,
    )
    assert body.html == "<p>Real sentence about ships.</p>"
    assert body.findings.publishers == ("X News",)
    assert body.findings.original_urls == ("https://x.example/a/b",)


def test_lines_of_a_poem_are_kept() -> None:
    html = "<p>Line one of the poem<br>Line two of the poem<br>Line three</p>"
    assert clean_body(html, BASE).html == html


def test_trailing_separators_and_empty_blocks_go_but_middle_ones_stay() -> None:
    body = clean_body("<p></p><p>One.</p><p>* * *</p><p>Two.</p><p>***</p><hr><p> — </p><p>&nbsp;</p>", BASE)
    assert body.html == "<p>One.</p><p>* * *</p><p>Two.</p>"


def test_email_placeholders_are_removed_from_kept_text() -> None:
    body = clean_body("<p>Write to [email\u00a0protected] with tips.</p>", BASE)
    assert body.html == "<p>Write to  with tips.</p>"


def test_drop_rules() -> None:
    rules = SourceRules(drop_selectors=["aside", ".ad"], drop_patterns=["^Related:"])
    body = clean_body(
        '<p>Story.</p><aside><p>Aside text</p></aside><div class="ad">Ad text</div><p>Related: more</p>'
        "<p>Unrelated: stays</p>",
        BASE,
        rules,
    )
    assert body.html == "<p>Story.</p><p>Unrelated: stays</p>"


def test_bad_rules_are_ignored_not_fatal() -> None:
    class Rules:
        drop_selectors = ("::nonsense((",)
        drop_patterns = ("(unclosed",)

    assert clean_body("<p>Story.</p>", BASE, Rules()).html == "<p>Story.</p>"


def test_notices_inside_containers_leave_no_empty_shell() -> None:
    body = clean_body("<p>Story.</p><blockquote><p>Subscribe to our newsletter.</p></blockquote>", BASE)
    assert body.html == "<p>Story.</p>"


def test_captions_are_never_read_as_notices() -> None:
    html = (
        '<figure><img src="https://img.example/a.jpg" alt="a"><figcaption>Source: <a href="https://getty.example/p/1">'
        "Getty Images</a></figcaption></figure><p>Story.</p>"
    )
    body = clean_body(html, BASE)
    assert "Getty Images" in body.html
    assert body.findings.publishers == ()
