"""Plain text and microblog posts (``crosspost/render.py``: ``html_to_text``, ``fit_microblog``,
``_truncate``, ``weighted_length``), exactly: what gives way first when a Mastodon post is too long."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from syndicate.crosspost.render import _excerpt_text, _truncate, fit_microblog, html_to_text, weighted_length

URL = "https://original.example/a-very-long-path/article"
BLOCK = f"“Title” by Jane Writer, first published by Original Outlet. CC BY 4.0.\n{URL}\nVia Republisher."
TITLE = "A fairly long headline about ferries and frozen fares in the harbour town"
EXCERPT = "An excerpt of the article."
CREDIT = "“Title” by Jane Writer, first published by Original Outlet. CC BY 4.0."


@pytest.mark.parametrize(
    ("limit", "post"),
    [
        (220, f"{TITLE}\n\n{EXCERPT}\n\n{BLOCK}"),  # everything fits (214)
        (214, f"{TITLE}\n\n{EXCERPT}\n\n{BLOCK}"),  # exactly
        (213, f"{TITLE}\n\n{BLOCK}"),  # the excerpt gives way first
        (186, f"{TITLE}\n\n{BLOCK}"),
        (185, f"{TITLE}\n\n{CREDIT}\n{URL}"),  # then the republisher line
        (150, f"A fairly long headline about ferries and frozen fares…\n\n{CREDIT}\n{URL}"),  # then the title
        (120, f"A fairly long headline about…\n\n{CREDIT[:-6]}…\n{URL}"),
        (90, f"A fairly long headline about…\n\n“Title” by Jane Writer, first publ…\n{URL}"),  # the longest text line
        (60, f"A fairly long headline about…\n\n“Tit…\n{URL}"),
        (40, f"A fairly long…\n\n{URL}"),  # only the link is left: the title gives way below 30
        (30, f"A…\n\n{URL}"),
    ],
)
def test_what_gives_way_in_a_microblog_post(limit: int, post: str) -> None:
    text = fit_microblog(TITLE, BLOCK, limit, EXCERPT)
    assert text == post
    assert weighted_length(text) <= limit and URL in text  # the link to the original is never cut


def test_microblog_lines_and_cuts() -> None:
    assert fit_microblog("T", "line one\n\n  \nline two", 100) == "T\n\nline one\nline two"  # blank lines dropped
    assert fit_microblog("Title here", "x" * 80 + "\nhttps://a.example/p\n" + "y" * 60, 90) == (
        "Title here\n\nhttps://a.example/p\n" + "y" * 53 + "…")  # the longest line goes first, then cut
    assert fit_microblog("Title here", "ab\nhttps://a.example/p\ncd", 30) == "Titl…\n\nhttps://a.example/p"
    assert fit_microblog("Short", BLOCK, 500) == f"Short\n\n{BLOCK}"  # no excerpt
    link = "https://a.example/p"
    assert fit_microblog("Title here", f"x\n{link}", 27) == f"x\n{link}"  # a one-letter line is never cut
    assert fit_microblog("Title here", f"abcdefgh\n{link}", 39) == f"Title here\n\nab…\n{link}"  # 2 letters kept
    assert fit_microblog("Title here", f"abc defgh\n{link}", 41) == f"Title here\n\nabc…\n{link}"  # no space before …
    assert fit_microblog("Title here", link, 26) == link  # room for 1: no title at all
    assert fit_microblog("Title here", link, 27) == f"T…\n\n{link}"  # room for 2
    tiny = fit_microblog("Title", "https://original.example/x", 10)  # not even the link fits: cut as text
    assert tiny.endswith("…") and len(tiny) <= 10


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("one two three four", 100, "one two three four"),
        ("one two three four", 18, "one two three four"),
        ("one two three four", 17, "one two three…"),
        ("one two three four", 9, "one two…"),
        ("one two three four", 8, "one two…"),
        ("one two three four", 7, "one…"),
        ("onetwothree", 5, "onet…"),  # one word too long: cut inside it
        ("onetwothree", 1, "…"),
        ("onetwothree", 0, "…"),
        ("https://x.example/very/long/url and more", 25, "https://x.example/very/long/url…"),  # a URL weighs 23
        ("", 3, ""),
        ("one\ntwo three", 10, "one\ntwo…"),  # cut at spaces only: line breaks stay
    ],
)
def test_truncate(text: str, limit: int, cut: str) -> None:
    assert _truncate(text, limit) == cut


def test_weighted_length_counts_every_url_as_23() -> None:
    assert weighted_length("") == 0 and weighted_length("abc") == 3
    assert weighted_length("https://x.example/") == 23
    long_url = "http://y.example/" + "b" * 40
    assert weighted_length(f"see https://x.example/a and {long_url} end") == 4 + 23 + 5 + 23 + 4


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("", ""),
        ("  ", ""),
        ("<p>One  two</p><p>Three<br>four</p><ul><li>a</li><li>b</li></ul><blockquote>q</blockquote><pre>x\ny</pre>",
         "One two\n\nThree four\n\na\n\nb\n\nq\n\nx y"),
        ("plain <b>bold</b> text", "plain bold text"),
        ("<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6>end", "a\n\nb\n\nc\n\nd\n\ne\n\nf\n\nend"),
        ("<p>a<br/>b<br>c</p>", "a b c"),  # a line break inside a paragraph is a space
        ("a<br>b", "a b"),
        ("<P>caps</P><P>two</P>", "caps\n\ntwo"),
        ("<p> </p><p>after an empty paragraph</p>", "after an empty paragraph"),
        ("<b>a</b>\n<i>b</i>", "a b"),  # only blocks end a paragraph
        ("<p>a<br></p>", "a"),
        ("<pre>code</pre>after", "code\n\nafter"),  # pre is a block
        # text next to a block is a paragraph of its own on both sides; words never run together
        ("tail<h2>Head</h2>x", "tail\n\nHead\n\nx"),
        ("<div>d1</div><div>d2</div>", "d1\n\nd2"),
        ("x<ul><li>one</li><li>two</li></ul>y", "x\n\none\n\ntwo\n\ny"),
        ("<b>bold</b><p>para</p>", "bold\n\npara"),
        ("a<hr>b", "a\n\nb"),
        ("<figure><img src='i.png'><figcaption>cap</figcaption></figure>after", "cap\n\nafter"),
        ("<table><tr><th>h1</th><th>h2</th></tr><tr><td>1</td><td>2</td></tr></table>", "h1 h2\n\n1 2"),
        ("<section><p>s</p></section><footer>f</footer>", "s\n\nf"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_an_excerpt_without_a_summary_is_the_body_s_text() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crosspost"))
    from crosspost_helpers import make_article

    assert _excerpt_text(make_article(summary="")) == "First paragraph of the article. Second paragraph."
