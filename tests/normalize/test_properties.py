"""Properties of normalization, checked with hypothesis on generated HTML.

* total: ``normalize_entry`` and ``clean_body`` never raise, whatever the input;
* idempotent: cleaning an already-cleaned body changes nothing;
* never grows: the visible text of the cleaned body (as an HTML5 parser sees it, with the
  content of script/style/iframe/… excluded, whitespace ignored) is never longer than the
  input's. The serialized HTML may grow only by markup: the ``rel="noopener noreferrer"``
  added to links, absolute URLs where relative ones were, closing tags and entity escapes.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.config import SourceConfig
from syndicate.models import Link, ParsedEntry, ParsedFeed, Person, RawRights, SourceFeedInfo
from syndicate.normalize import normalize_entry
from syndicate.normalize.body import clean_body
from syndicate.normalize.sanitize import sanitize, visible_text
from syndicate.normalize.text import strip_controls

TAGS = ["p", "a", "img", "div", "span", "em", "b", "script", "style", "iframe", "table", "tr", "td", "ul", "li",
        "h2", "blockquote", "pre", "code", "br", "hr", "form", "svg", "figure", "figcaption", "sup", "textarea",
        "title", "noscript", "select", "math", "object", "template", "font", "center", "xmp", "plaintext"]
ATTRS = ["href", "src", "onclick", "style", "class", "title", "alt", "width", "cite", "data-x", "rel", "target"]
VALUES = ["javascript:alert(1)", "data:text/html,x", "/rel/path?utm_source=a&x=1", "https://ex.example/a?fbclid=1",
          "expression(alert(1))", "  JaVaScRiPt:x", "#frag", "mailto:a@b.example", "100", "x\"y", "vbscript:x"]
WORDS = ["Share this", "Note to readers:", "© 2024 Example Corp.", "All rights reserved.", "[email protected]",
         "This article was originally published on Example News.", "By Jane Doe", "Articles by: South Front",
         "Subscribe to our newsletter.", "*", "—", "copyright law", "newsletter", "&amp;", "&lt;b&gt;", "&nbsp;",
         "Disclaimer: x", "\u00a0", "\x00", "\ud800", "ü", "<", ">", "&", "\"", "'"]

text = st.one_of(st.sampled_from(WORDS), st.text(max_size=20))


@st.composite
def html_fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 3 if depth < 3 else 1))
        if kind <= 1:
            parts.append(draw(text))
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(
                f' {draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from(VALUES))}"'
                for _ in range(draw(st.integers(0, 2)))
            )
            inner = draw(html_fragments(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", ""]))
            parts.append(f"<{tag}{attrs}>{inner}{close}")
    return "".join(parts)


anything = st.one_of(html_fragments(), st.text(max_size=200))
FEED = ParsedFeed(format="rss20", title="Example Feed", link="https://feed.example/")
SOURCE = SourceConfig(name="prop", url="https://feed.example/rss")
_WS = re.compile(r"\s+")


def _visible_len(html: str) -> int:
    return len(_WS.sub("", visible_text(html)))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(anything)
def test_clean_body_is_idempotent_and_never_grows(html: str) -> None:
    once = clean_body(html, "https://site.example/a/b")
    twice = clean_body(once.html, "https://site.example/a/b")
    assert twice.html == once.html
    assert _visible_len(once.html) <= _visible_len(html)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    title=st.one_of(st.none(), anything),
    link=st.one_of(st.none(), st.text(max_size=40), st.sampled_from(VALUES)),
    content=st.one_of(st.none(), anything),
    summary=st.one_of(st.none(), anything),
    author=st.text(max_size=40),
    guid=st.one_of(st.none(), st.text(max_size=30)),
    statement=st.one_of(st.none(), anything),
    source_title=st.one_of(st.none(), st.text(max_size=30)),
)
def test_normalize_entry_never_raises(
    title: str | None, link: str | None, content: str | None, summary: str | None, author: str,
    guid: str | None, statement: str | None, source_title: str | None,
) -> None:
    entry = ParsedEntry(
        guid=guid, title=title, link=link, content_html=content, summary_html=summary,
        authors=(Person(author),), links=(Link(href=link or "", rel="via"),),
        rights=RawRights(statement=statement, license_urls=(link or "",), dc_source=link),
        source=SourceFeedInfo(title=source_title, link=link) if source_title is not None else None,
    )
    result = normalize_entry(entry, FEED, SOURCE)
    assert isinstance(result.content_html, str) and isinstance(result.title, str) and result.title
    assert len(result.summary) <= 400
    assert clean_body(result.content_html).html == result.content_html


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(anything)
def test_sanitize_told_controls_are_stripped_gives_the_same(html: str) -> None:
    """clean_body strips control characters once, then tells sanitize not to scan again."""
    stripped = strip_controls(html)
    assert strip_controls(stripped) == stripped
    assert sanitize(stripped, "https://feed.example/a/", controls_stripped=True) == sanitize(
        html, "https://feed.example/a/"
    )
