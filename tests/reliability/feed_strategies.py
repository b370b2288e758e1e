"""Hypothesis strategies for whole feed documents, and the pipeline check the fuzzers run on them.

:func:`feed_documents` draws RSS 2.0, Atom 1.0 and JSON Feed documents from
random parts: odd text (controls, surrogate references, bidi marks, entities),
weird HTML (unclosed tags, script URLs in every attribute, CSS expressions,
deep nesting), dates valid and not, URLs absolute, relative and hostile, and
sometimes a broken document. :func:`check_pipeline` drives one document
through parse → normalize → merge → render and raises ``AssertionError`` for
any property broken. ``tests/reliability/test_fuzz_pipeline.py`` runs it in
CI; ``bench/fuzz.py`` runs it for as long as you like (and under atheris).
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from hypothesis import strategies as st
from lxml import etree

from tests.reliability.hostile import unsafe_markup, unsafe_url

TAGS = ["p", "a", "img", "div", "span", "em", "b", "i", "script", "style", "iframe", "table", "tr", "td", "ul", "li",
        "h1", "h2", "blockquote", "pre", "code", "br", "hr", "form", "svg", "math", "video", "audio", "source",
        "object", "embed", "figure", "figcaption", "sup", "textarea", "button", "input", "select", "noscript",
        "template", "base", "meta", "link", "body", "html", "head", "title", "xmp", "plaintext", "frameset"]
ATTRS = ["href", "src", "srcset", "action", "formaction", "poster", "data", "cite", "background", "style",
         "onclick", "onerror", "onload", "class", "id", "title", "alt", "width", "rel", "target", "lang", "dir",
         "xlink:href", "xmlns", "content", "http-equiv"]
VALUES = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:x", "&#106;avascript:x", "data:text/html,x",
          "vbscript:x", "expression(alert(1))", "width: expression(alert(1))", "url(javascript:x)",
          "https://ok.example/a?utm_source=x&id=1", "/relative/path", "//proto.example/x", "#frag", "mailto:a@b.c",
          "x\"y", "'", "<", "&amp;", "100%", "", "\u202e", "http://[::1]/", "http://169.254.169.254/latest/"]
WORDS = ["Share this", "© 2026 Example Corp. All rights reserved.", "Originally published at Example News.",
         "By Jane Doe", "Subscribe to our newsletter.", "&amp;", "&lt;b&gt;", "&nbsp;", "&#0;", "&#xD800;",
         "&#xDFFF;", "&#x1F600;", "&bogus;", "]]>", "<![CDATA[", "\u00a0", "\u200b", "\u202e", "\ufeff", "\ufffe",
         "ü", "é", "中文", "עברית", "<", ">", "&", '"', "'", "\t", "\n", "\r"]
DATES = ["Tue, 01 Sep 2026 10:00:00 GMT", "2026-09-01T10:00:00Z", "2026-09-01T10:00:00+14:00", "1970-01-01T00:00:00Z",
         "9999-12-31T23:59:59Z", "0000-00-00", "yesterday", "", "Mon, 31 Feb 2026 25:61:00 XYZ",
         "2026-13-45T99:99:99Z", "Sat, 01 Jan 0001 00:00:00 GMT"]
URLS = ["https://site.example/a", "https://site.example/a?utm_medium=rss&fbclid=1", "/relative", "relative",
        "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "http://[::1]:80/x", "https://xn--e1a.example/",
        "https://site.example/%zz", "https://site.example/" + "a" * 300, "", " https://site.example/space ",
        "https://user:pass@site.example/x", "ftp://site.example/", "https://site.example/ü/?q=ü#f"]

controls = st.sampled_from([chr(c) for c in (*range(0, 32), 0x7F, 0x85, 0xFFFE, 0xFFFF)])
text = st.one_of(st.sampled_from(WORDS), st.text(max_size=20), controls)


@st.composite
def html_fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 3 if depth < 4 else 1))
        if kind <= 1:
            parts.append(draw(text))
            continue
        tag = draw(st.sampled_from(TAGS))
        attrs = "".join(
            f' {draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from(VALUES))}"' for _ in range(draw(st.integers(0, 3)))
        )
        inner = draw(html_fragments(depth + 1))
        close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
        parts.append(f"<{tag}{attrs}>{inner}{close}")
    if draw(st.integers(0, 20)) == 0:  # now and then, a deep one
        n = draw(st.integers(50, 400))
        parts.append("<div>" * n + "deep" + "</div>" * draw(st.integers(0, n)))
    return "".join(parts)


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str
    date: str
    body: str
    author: str
    tags: tuple[str, ...]
    rights: str


items = st.builds(
    Item,
    title=st.one_of(text, html_fragments()),
    link=st.sampled_from(URLS),
    guid=st.one_of(st.sampled_from(URLS), st.text(max_size=12)),
    date=st.sampled_from(DATES),
    body=html_fragments(),
    author=text,
    tags=st.lists(text, max_size=3).map(tuple),
    rights=st.one_of(st.just(""), st.sampled_from(["CC BY 4.0", "© 2026 X. All rights reserved.",
                                                  "https://creativecommons.org/licenses/by-nc-nd/4.0/"]), text),
)


def _xml_text(value: str, mode: int) -> str:
    """Text for an XML element: escaped (0), CDATA (1) or raw — possibly breaking the document (2)."""
    if mode == 0:
        return html.escape(value, quote=False)
    if mode == 1:
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return value


def _rss(title: str, entries: list[Item], mode: int) -> str:
    body = "".join(
        f"<item><title>{_xml_text(i.title, mode)}</title><link>{html.escape(i.link)}</link>"
        f"<guid>{html.escape(i.guid)}</guid><pubDate>{html.escape(i.date)}</pubDate>"
        f"<dc:creator>{_xml_text(i.author, mode)}</dc:creator>"
        + "".join(f"<category>{_xml_text(t, mode)}</category>" for t in i.tags)
        + (f"<dc:rights>{_xml_text(i.rights, mode)}</dc:rights>" if i.rights else "")
        + f"<description>{_xml_text(i.body, mode)}</description>"
        f"<content:encoded>{_xml_text(i.body, 1 if mode == 0 else mode)}</content:encoded></item>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{_xml_text(title, mode)}</title><link>https://site.example/</link><description>d</description>"
        f"{body}</channel></rss>"
    )


def _atom(title: str, entries: list[Item], mode: int) -> str:
    body = "".join(
        f"<entry><title type=\"html\">{_xml_text(i.title, mode)}</title><link href=\"{html.escape(i.link)}\"/>"
        f"<id>{html.escape(i.guid)}</id><updated>{html.escape(i.date)}</updated>"
        f"<author><name>{_xml_text(i.author, mode)}</name></author>"
        + "".join(f'<category term="{html.escape(t)}"/>' for t in i.tags)
        + (f"<rights>{_xml_text(i.rights, mode)}</rights>" if i.rights else "")
        + f'<content type="html">{_xml_text(i.body, mode)}</content></entry>'
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{_xml_text(title, mode)}</title><id>urn:fuzz</id><updated>2026-09-01T10:00:00Z</updated>"
        f'<link href="https://site.example/"/>{body}</feed>'
    )


def _json(title: str, entries: list[Item]) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": "https://site.example/",
            "items": [
                {
                    "id": i.guid,
                    "url": i.link,
                    "title": i.title,
                    "content_html": i.body,
                    "date_published": i.date,
                    "authors": [{"name": i.author}],
                    "tags": list(i.tags),
                }
                for i in entries
            ],
        }
    )


@st.composite
def feed_documents(draw: st.DrawFn) -> tuple[str, bytes]:
    """``(format, body)``: a random feed document, usually well-formed, sometimes not."""
    fmt = draw(st.sampled_from(["rss", "atom", "json"]))
    title = draw(text)
    entries = draw(st.lists(items, max_size=5))
    mode = draw(st.sampled_from([0, 0, 0, 1, 2]))
    if fmt == "json":
        doc = _json(title, entries)
    else:
        doc = _rss(title, entries, mode) if fmt == "rss" else _atom(title, entries, mode)
    body = doc.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 10)) == 0:  # a cut-off download
        body = body[: draw(st.integers(0, len(body)))]
    return fmt, body


# -- the pipeline check --------------------------------------------------------------------------

CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


def check_pipeline(fmt: str, body: bytes) -> int:
    """parse → normalize → merge → render → read back; returns the number of articles. Raises on a broken property."""
    from syndicate.config import OutputConfig, Settings, SourceConfig
    from syndicate.dedupe import merge_copies
    from syndicate.errors import ParseError
    from syndicate.normalize import normalize_entry
    from syndicate.outputs import render_feed
    from syndicate.parse import parse_feed

    source = SourceConfig(name="fuzz", url="https://site.example/feed")
    try:
        feed = parse_feed(body, {"content-type": CONTENT_TYPES[fmt]}, "https://site.example/feed")
    except ParseError:
        return 0
    normalized = [normalize_entry(entry, feed, source) for entry in feed.entries]
    for entry in normalized:
        _assert_clean(entry.content_html, entry.url, entry.copy_url)
        again = normalize_entry(_as_parsed(entry), feed, source)
        assert again.content_html == entry.content_html, ("normalization is not idempotent", entry.content_html,
                                                          again.content_html)
    first_seen = datetime(2026, 9, 1, tzinfo=UTC)
    articles = [
        merge_copies(hashlib.sha256(f"{i}:{e.url}".encode()).hexdigest()[:16], [e], first_seen)
        for i, e in enumerate(normalized)
    ]
    settings = Settings()
    output = OutputConfig(name="fuzz", title="Fuzz")
    for out_fmt in ("atom", "rss", "json"):
        document = render_feed(output, out_fmt, articles, settings=settings)  # type: ignore[arg-type]
        _assert_valid(out_fmt, document, len(articles))
    return len(articles)


def _as_parsed(entry: Any) -> Any:
    """A normalized entry fed back as a parsed one (what a reader of our own output would give us)."""
    from syndicate.models import ParsedEntry

    return ParsedEntry(
        guid=entry.guid,
        title=entry.title,
        link=entry.copy_url,
        published=entry.published,
        updated=entry.updated,
        content_html=entry.content_html,
        summary_html=None,
        tags=entry.tags,
        language=entry.language,
        raw_hash=entry.raw_hash,
    )


def _assert_clean(content: str, *urls: str | None) -> None:
    problems = unsafe_markup(content)
    assert not problems, ("active content survived normalization", problems, content[:300])
    for url in urls:
        assert not unsafe_url(url), ("a script URL became the article's URL", url)


def _assert_valid(fmt: str, document: bytes, count: int) -> None:
    if fmt == "json":
        doc = json.loads(document)
        assert len(doc["items"]) == count, (len(doc["items"]), count)
        return
    etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    parsed = feedparser.parse(document)
    assert not parsed.bozo, (fmt, parsed.get("bozo_exception"))
    assert len(parsed.entries) == count, (fmt, len(parsed.entries), count)
