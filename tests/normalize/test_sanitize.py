"""Sanitizing: the allowlist holds against the usual attack vectors; URLs are resolved and cleaned."""

from __future__ import annotations

import pytest

from syndicate.normalize.body import clean_body
from syndicate.normalize.sanitize import sanitize

BASE = "https://site.example/2024/05/post"

# (input, substrings that must not survive)
ATTACKS = [
    ('<script>alert(1)</script><p>ok</p>', ["<script", "alert"]),
    ('<p onclick="x()" onmouseover="y()">ok</p>', ["onclick", "onmouseover"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript"]),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', ["javascript"]),
    ('<a href="java&#x09;script:alert(1)">x</a>', ["script:"]),
    ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
    ('<img src="data:image/png;base64,AAAA">', ["data:"]),
    ('<img src="x" onerror="alert(1)">', ["onerror"]),
    ('<blockquote cite="javascript:alert(1)">q</blockquote>', ["javascript"]),
    ('<p style="background:url(javascript:alert(1))">x</p>', ["style", "javascript"]),
    ('<div style="width: expression(alert(1))">x</div>', ["expression", "style"]),
    ('<iframe src="https://evil.example/"></iframe>', ["iframe", "evil"]),
    ('<object data="x.swf"><param name="a" value="b"></object>', ["object", "param", "swf"]),
    ('<embed src="x.swf">', ["embed", "swf"]),
    ('<form action="https://evil.example/"><input name="q"><button>Go</button></form>', ["form", "input", "Go"]),
    ('<svg><script>alert(1)</script></svg>', ["svg", "alert"]),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ["math", "javascript"]),
    ('<style>p{color:red}</style><p>ok</p>', ["<style", "color"]),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', ["meta", "evil"]),
    ('<base href="https://evil.example/">', ["base", "evil"]),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', ["link", "evil"]),
    ('<p>x<!-- <script>alert(1)</script> --></p>', ["<!--", "alert"]),
    ('<a href="https://ok.example/" target="_blank" rel="opener">x</a>', ["target", "opener\""]),
    ('<p id="a" class="b" data-x="c">ok</p>', ["id=", "class=", "data-x"]),
    ('<noscript><img src="x" onerror="alert(1)"></noscript>', ["noscript", "onerror"]),
    ('<template><script>alert(1)</script></template>', ["template", "alert"]),
]


@pytest.mark.parametrize(("html", "forbidden"), ATTACKS)
def test_attack_vectors_are_removed(html: str, forbidden: list[str]) -> None:
    for out in (sanitize(html, BASE), clean_body(html, BASE).html):
        for needle in forbidden:
            assert needle.lower() not in out.lower(), out


def test_allowlisted_markup_survives() -> None:
    html = (
        '<h2>Head</h2><p><em>e</em> <strong>s</strong> <b>b</b> <i>i</i> <u>u</u> x<sup>2</sup> H<sub>2</sub>O</p>'
        '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote><pre><code>c</code></pre>'
        '<figure><img src="https://img.example/a.jpg" alt="a" title="t" width="10" height="20">'
        "<figcaption>cap</figcaption></figure>"
        '<table><thead><tr><th>h</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody></table>'
        "<hr><p>end<br>x</p>"
    )
    out = sanitize(html, BASE)
    for needle in ["<h2>", "<em>", "<strong>", "<b>", "<i>", "<u>", "<sup>", "<sub>", "<ul>", "<ol>", "<li>",
                   "<blockquote>", "<pre>", "<code>", "<figure>", "<figcaption>", 'alt="a"', 'width="10"',
                   'height="20"', 'title="t"', "<table>", "<th>", 'colspan="2"', "<hr>", "<br>"]:
        assert needle in out, needle


def test_links_get_rel_and_relative_urls_resolve_and_lose_tracking() -> None:
    out = sanitize('<a href="../about?utm_source=x&amp;id=3&amp;fbclid=y#top">a</a><img src="/i.png">', BASE)
    assert 'href="https://site.example/2024/about?id=3#top"' in out
    assert 'rel="noopener noreferrer"' in out
    assert 'src="https://site.example/i.png"' in out


def test_mailto_is_kept_and_cloudflare_email_links_are_dropped() -> None:
    out = sanitize('<a href="mailto:desk@site.example">m</a><a href="/cdn-cgi/l/email-protection#ab">e</a>', BASE)
    assert "mailto:desk@site.example" in out
    assert "cdn-cgi" not in out


def test_control_characters_and_lone_surrogates_are_stripped() -> None:
    out = clean_body("<p>a\x00b\x07c\x1bd\ud800e\ufeff\x85f</p>", BASE).html
    assert out == "<p>abcdef</p>"
