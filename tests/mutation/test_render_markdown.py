"""Article HTML as Markdown (``crosspost/render.py`` ``html_to_markdown``, ``md_escape``): what
Markdown targets (files, Discourse) receive, element by element, exactly."""

from __future__ import annotations

import pytest

from syndicate.crosspost.render import html_to_markdown, md_escape


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("", ""),
        ("  \n ", ""),
        ("<p>Hello <strong>bold</strong> and <b>b</b>, <em>em</em> <i>i</i>.</p><p>Second\n   para</p>",
         "Hello **bold** and **b**, *em* *i*.\n\nSecond para"),
        ("<h1>Title</h1><h2>Sub</h2><h3>Three</h3><h4>Four</h4><h5>five</h5><h6>six</h6>",
         "# Title\n\n## Sub\n\n### Three\n\n#### Four\n\n##### five\n\n###### six"),
        ("<p><strong> </strong><em> </em>x</p>", "x"),  # empty emphasis is dropped
        ("<p>a<b>b</b>c</p>", "a**b**c"),
        ('<p><a href="https://x.example/a">link</a> <a>no href</a></p>', "[link](https://x.example/a) no href"),
        ('<p><img src="https://x.example/i.png" alt="A *star*"> <img alt="none"> <img src="s.png"></p>',
         "![A \\*star\\*](https://x.example/i.png) ![](s.png)"),
        ("line one<br>line two", "line one  \nline two"),
        ("<p>use <code>a*b_c</code> here</p>", "use `a*b_c` here"),
        ("<pre>\n\ncode *x*\n  indented\n\n</pre>", "```\ncode *x*\n  indented\n```"),
        ("<pre>\n  indented first\n</pre>", "```\n  indented first\n```"),  # only line breaks trimmed
        ("<pre>Xray X</pre>", "```\nXray X\n```"),
        ("<blockquote>one\ntwo  </blockquote>", "> one\n> two"),
        ("<blockquote><p>quoted one</p><p>quoted two</p></blockquote>", "> quoted one\n>\n>\n>\n> quoted two"),
        ("<ul><li>one</li><li>two <em>x</em></li>text<!-- c --></ul><ol><li>first</li><li>second</li></ol>",
         "- one\n- two *x*\n\n1. first\n2. second"),
        ("<ol><li>a</li><li>b</li><li>c</li></ol>", "1. a\n2. b\n3. c"),
        ("<UL><LI>up</LI></UL>", "- up"),
        ("<p>a</p><hr><p>b</p>", "a\n\n---\n\nb"),
        ("<div>a\n  b <b>c</b></div>", "a\n  b **c**"),  # a div keeps its inner line breaks
        ("<div>  in a div <span>span</span>\n\n\n\n</div>tail <!-- comment -->after", "in a div span\n\ntail after"),
        ("<p>x</p>\n\n\n<p>y</p>", "x\n\ny"),  # never more than one blank line
        ("<p>chars \\ ` * _ [ ] < > # | end</p>", "chars \\\\ \\` \\* \\_ \\[ \\] \\< \\> \\# \\| end"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_md_escape() -> None:
    assert md_escape("a\\b`c*d_e[f]g<h>i#j|k") == "a\\\\b\\`c\\*d\\_e\\[f\\]g\\<h\\>i\\#j\\|k"
    assert md_escape(12) == "12"
    assert md_escape("plain (text) {ok} ~ ! ? -") == "plain (text) {ok} ~ ! ? -"
