"""Hostile documents and servers, and the check that no active content reaches an output.

The documents are built here (most are too big or too odd to keep as files);
the lists of attributes, schemes, CSS tricks and handlers are data in
``tests/data/reliability/hostile_html.json``.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import time
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

DATA = Path(__file__).resolve().parents[1] / "data" / "reliability" / "hostile_html.json"
RSS_HEAD = '<?xml version="1.0" encoding="utf-8"?>'


@cache
def vocabulary() -> dict[str, Any]:
    return dict(json.loads(DATA.read_text(encoding="utf-8")))


def rss(title: str, items: list[tuple[str, str, str]], *, head: str = RSS_HEAD, doctype: str = "") -> bytes:
    """An RSS 2.0 document; ``items`` are (title, link, description XML text, already escaped as wanted)."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 01 Sep 2026 10:00:00 GMT</pubDate><description>{d}</description></item>"
        for t, link, d in items
    )
    return (
        f"{head}{doctype}<rss version=\"2.0\"><channel><title>{title}</title><link>https://{title}.example/</link>"
        f"<description>x</description>{body}</channel></rss>"
    ).encode()


def escaped(markup: str) -> str:
    return html.escape(markup, quote=False)


# -- parser attacks -------------------------------------------------------------------------


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return rss("laughs", [("&lol9;", "https://laughs.example/1", "&lol9;")], doctype=f"<!DOCTYPE rss [{entities}]>")


def quadratic_blowup() -> bytes:
    entity = "A" * 50_000
    return rss(
        "quadratic",
        [("q", "https://quadratic.example/1", "&a;" * 10_000)],
        doctype=f'<!DOCTYPE rss [<!ENTITY a "{entity}">]>',
    )


def external_entities(canary_url: str) -> bytes:
    doctype = (
        f'<!DOCTYPE rss [<!ENTITY passwd SYSTEM "file:///etc/passwd"><!ENTITY canary SYSTEM "{canary_url}">'
        f'<!ENTITY % remote SYSTEM "{canary_url}?param"> %remote;]>'
    )
    return rss("xxe", [("&passwd;", "https://xxe.example/1", "&passwd;&canary;")], doctype=doctype)


def xinclude(canary_url: str) -> bytes:
    return (
        RSS_HEAD + '<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel><title>xi</title>'
        "<link>https://xinclude.example/</link><description>x</description><item><title>t</title>"
        "<link>https://xinclude.example/1</link><guid>https://xinclude.example/1</guid>"
        f'<description><xi:include href="file:///etc/passwd" parse="text"/><xi:include href="{canary_url}"/>'
        "</description></item></channel></rss>"
    ).encode()


@cache
def gzip_bomb(uncompressed: int = 256 * 1024 * 1024) -> bytes:
    """``uncompressed`` bytes of feed-looking text that gzip to a few hundred KB."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as handle:
        handle.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title><description>')
        chunk = b"\0" * (1024 * 1024)
        for _ in range(uncompressed // len(chunk)):
            handle.write(chunk)
    return out.getvalue()


def dirty_text() -> bytes:
    """Broken UTF-8, control characters, lone surrogates (raw and as references), a BOM in the middle."""
    items = [
        ("Latin \xff\xfe as text", "https://dirty.example/1", "letters \xc3\x28 and \xa0\xa1 end"),
        ("Controls \x01\x02\x1b[31m red \x7f", "https://dirty.example/2", "nul \x00 bell \x07 vt \x0b"),
        ("Surrogates &#xD800; &#xDFFF;", "https://dirty.example/3", "refs &#55296; and &amp;#xDC00; end"),
        ("Zero width \u200b\u200e\u202e reversed", "https://dirty.example/4", "bom \ufeff inside &#xFFFE; &#x1;"),
    ]
    return rss("dirty", items)


def dirty_bytes() -> bytes:
    """The same, with invalid byte sequences the str layer cannot hold."""
    base = rss(
        "dirtybytes",
        [
            ("Broken UTF-8 BROKEN1", "https://dirtybytes.example/1", "caf BROKEN2 end"),
            ("Surrogate SURR", "https://dirtybytes.example/2", "nul CTRL ok"),
        ],
    )
    return (
        base.replace(b"BROKEN1", b"\xff\xfe\xc3")
        .replace(b"BROKEN2", b"\xc3\x28\xa0\xa1")
        .replace(b"SURR", b"\xed\xa0\x80\xed\xbf\xbf")
        .replace(b"CTRL", b"\x00\x01\x1b\x7f")
    )


def deep_nesting(depth: int = 60_000) -> bytes:
    markup = "<div>" * depth + "deep text" + "</div>" * depth
    return rss("deep", [("Deep", "https://deep.example/1", escaped(markup))])


def enormous_attributes() -> bytes:
    markup = (
        f'<p title="{"t" * 300_000}">Huge title</p><a href="https://big.example/{"a" * 200_000}">link</a>'
        f'<img src="https://big.example/i.png" alt="{"x" * 200_000}" class="{" c" * 50_000}">'
    )
    return rss("bigattrs", [("Big attributes", "https://bigattrs.example/1", escaped(markup))])


def active_content() -> bytes:
    """Every script scheme in every URL attribute, CSS expressions and event handlers: RSS, escaped HTML."""
    vocab = vocabulary()
    parts = []
    for tag, attribute in vocab["url_attributes"]:
        for scheme in vocab["schemes"]:
            value = scheme.replace('"', "&quot;")
            parts.append(f'<{tag} {attribute}="{value}">{tag} {attribute}</{tag}>')
    for css in vocab["css"]:
        parts.append(f'<p style="{css}">styled</p><div style="{css}">styled div</div>')
    parts.append("<style>body { background: url(javascript:alert(1)); width: expression(alert(1)) }</style>")
    for handler in vocab["handlers"]:
        parts.append(f'<p {handler}="alert(1)">handler {handler}</p><img src="https://ok.example/i.png" {handler}="x">')
    parts.append('<svg><a xlink:href="javascript:alert(1)"><text>svg</text></a><script>alert(1)</script></svg>')
    parts.append('<math><mi xlink:href="javascript:alert(1)">m</mi></math>')
    parts.append('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">')
    parts.append("<script>alert('script')</script><noscript><img src=x onerror=alert(1)></noscript>")
    parts.append('<a href="https://fine.example/ok">a fine link stays</a>')
    chunks = [parts[i : i + 60] for i in range(0, len(parts), 60)]
    items = [
        (f"Active content {n}", f"https://active.example/{n}", escaped("<p>Intro.</p>" + "".join(chunk)))
        for n, chunk in enumerate(chunks)
    ]
    return rss("active", items)


def active_atom() -> bytes:
    """Active content in Atom, as escaped HTML and as inline XHTML."""
    payload = (
        '<a href="javascript:alert(1)">x</a><img src="data:image/png;base64,AAAA" onerror="alert(1)">'
        '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>'
        '<video poster="javascript:alert(1)" src="javascript:alert(1)"></video>'
        '<p style="width:expression(alert(1))">s</p>'
    )
    xhtml = payload.replace("<video poster", "<video controls='controls' poster")
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>atom active</title>'
        '<id>urn:atom-active</id><updated>2026-09-01T10:00:00Z</updated><link href="https://atomactive.example/"/>'
        '<link rel="license" href="javascript:alert(1)"/><link rel="hub" href="javascript:alert(1)"/>'
        '<author><name>Feed Author</name><uri>javascript:alert(1)</uri></author>'
        '<entry><title>Escaped</title><id>urn:atom-active:1</id><updated>2026-09-01T10:00:00Z</updated>'
        '<author><name>Entry Author</name><uri>javascript:alert(1)</uri></author>'
        '<link rel="license" href="data:text/html,x"/><link rel="via" href="javascript:alert(1)"/>'
        '<source><title>Orig</title><id>urn:orig</id><link href="javascript:alert(1)"/>'
        '<link rel="self" href="javascript:alert(1)"/><link rel="license" href="javascript:alert(1)"/></source>'
        f'<link href="https://atomactive.example/1"/><content type="html">{escaped(payload)}</content></entry>'
        '<entry><title>Inline</title><id>urn:atom-active:2</id><updated>2026-09-01T10:00:00Z</updated>'
        '<link href="https://atomactive.example/2"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        f"{xhtml}</div></content></entry>"
        '<entry><title type="html">&lt;img src=x onerror=alert(1)&gt;Title</title><id>urn:atom-active:3</id>'
        '<updated>2026-09-01T10:00:00Z</updated><link href="javascript:alert(1)"/>'
        '<link rel="enclosure" href="javascript:alert(1)"/><summary>s</summary></entry></feed>'
    ).encode()


def active_rss_links() -> bytes:
    """Script URLs in every URL-bearing RSS element: link, comments, enclosure, source, licence, image."""
    return (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        b'xmlns:creativeCommons="http://backend.userland.com/creativeCommonsRssModule" '
        b'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>rss links</title>'
        b"<link>javascript:alert(1)</link><description>x</description>"
        b'<atom:link rel="self" href="javascript:alert(1)"/><atom:link rel="hub" href="javascript:alert(1)"/>'
        b"<creativeCommons:license>javascript:alert(1)</creativeCommons:license>"
        b"<image><url>javascript:alert(1)</url><title>i</title><link>javascript:alert(1)</link></image>"
        b"<item><title>Links</title><link>https://rsslinks.example/1</link><guid>https://rsslinks.example/1</guid>"
        b"<comments>javascript:alert(1)</comments>"
        b'<enclosure url="javascript:alert(1)" type="audio/mpeg" length="1"/>'
        b'<source url="javascript:alert(1)">Original</source>'
        b"<creativeCommons:license>data:text/html,x</creativeCommons:license>"
        b"<description>links</description></item>"
        b"<item><title>Script link</title><link>javascript:alert(1)</link><guid>rsslinks-2</guid>"
        b"<description>the link is a script</description></item></channel></rss>"
    )


def active_json() -> bytes:
    items = [
        {
            "id": "https://jsonactive.example/1",
            "url": "https://jsonactive.example/1",
            "title": "JSON active",
            "content_html": '<a href="javascript:alert(1)">x</a><iframe src="data:text/html,x"></iframe>'
            '<img src=x onerror=alert(1)><object data="javascript:alert(1)"></object>',
            "image": "javascript:alert(1)",
            "external_url": "javascript:alert(1)",
            "date_published": "2026-09-01T10:00:00Z",
            "authors": [{"name": "Item Author", "url": "javascript:alert(1)", "avatar": "javascript:alert(1)"}],
            "attachments": [{"url": "javascript:alert(1)", "mime_type": "text/html"}],
        },
        {
            "id": "https://jsonactive.example/2",
            "url": "data:text/html,<script>alert(1)</script>",
            "title": "JSON data url",
            "content_html": "<p>body</p>",
            "date_published": "2026-09-01T10:00:00Z",
        },
    ]
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "json active", "home_page_url":
         "javascript:alert(1)", "feed_url": "javascript:alert(1)", "icon": "data:image/png;base64,AAAA",
         "authors": [{"name": "Feed Author", "url": "javascript:alert(1)"}], "hubs": [{"type": "WebSub",
         "url": "javascript:alert(1)"}], "items": items}
    ).encode()


# -- hostile servers (raw handlers for World.route) ------------------------------------------


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A chunked body that never ends (until the client hangs up, or a minute passes)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<item><title>again</title></item>" * 2000
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    handler.wfile.write(f"{len(RSS_HEAD) + 40:x}\r\n".encode() + (RSS_HEAD + "<rss><channel>").encode().ljust(
        len(RSS_HEAD) + 40) + b"\r\n")
    stop = time.monotonic() + 60
    try:
        while time.monotonic() < stop:
            handler.wfile.write(frame)
    except OSError:
        return
    handler.close_connection = True


def trickle_one_byte_per_second(handler: BaseHTTPRequestHandler) -> None:
    body = rss("trickle", [("slow", "https://trickle.example/1", "s")])
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        for index in range(min(len(body), 120)):
            handler.wfile.write(body[index : index + 1])
            handler.wfile.flush()
            time.sleep(1.0)
    except OSError:
        return
    handler.close_connection = True


def huge_content_length(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(2 * 1024**3))
    handler.end_headers()
    try:
        handler.wfile.write(rss("huge", [("h", "https://huge.example/1", "h")]))
        handler.wfile.flush()
        time.sleep(5)
    except OSError:
        return
    handler.close_connection = True


def serve_bytes(body: bytes, content_type: str = "application/rss+xml; charset=utf-8",
                headers: dict[str, str] | None = None) -> Any:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            handler.wfile.write(body)
        except OSError:
            return

    return handle


# -- the check -------------------------------------------------------------------------------

_SCRIPT_SCHEMES = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_CSS_BAD = re.compile(r"expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|url\s*\(", re.I)


def unsafe_markup(fragment: str) -> list[str]:
    """What in an HTML fragment could run script or load active content (empty when clean)."""
    problems: list[str] = []
    if not fragment or not fragment.strip():
        return problems
    try:
        roots = lxml_html.fragments_fromstring(f"<div>{fragment}</div>")
    except (etree.ParserError, ValueError):
        return problems
    dangerous = set(vocabulary()["dangerous_tags"])
    url_attributes = {attribute for _, attribute in vocabulary()["url_attributes"]} | {"href", "content"}
    for root in roots:
        if not isinstance(root, etree._Element):
            continue
        for element in root.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            local = tag.rsplit("}", 1)[-1].lower()
            if local in dangerous:
                problems.append(f"<{local}> element")
            for name, value in element.attrib.items():
                lname = name.rsplit("}", 1)[-1].lower()
                compact = _INVISIBLE.sub("", html.unescape(value))
                if lname.startswith("on"):
                    problems.append(f"{local} {lname}= handler")
                elif lname == "style" and _CSS_BAD.search(compact):
                    problems.append(f"{local} style={value[:60]!r}")
                elif lname in url_attributes and (
                    _SCRIPT_SCHEMES.match(compact)
                    or re.search(r"(^|,|\s)(javascript|vbscript|data):", html.unescape(value), re.I)
                ):
                    problems.append(f"{local} {lname}={value[:60]!r}")
    return problems


def unsafe_url(value: str | None) -> bool:
    return bool(value) and bool(_SCRIPT_SCHEMES.match(_INVISIBLE.sub("", html.unescape(value or ""))))


ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def output_fragments(feeds_dir: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(html fragments, urls)`` of every output document, each with where it was found."""
    fragments: list[tuple[str, str]] = []
    urls: list[tuple[str, str]] = []
    for path in sorted(feeds_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        where = path.name
        if path.suffix == ".json":
            doc = json.loads(path.read_bytes())
            for key in ("home_page_url", "feed_url", "icon", "favicon"):
                urls.append((f"{where} {key}", str(doc.get(key) or "")))
            for item in doc.get("items", []):
                for key in ("content_html", "summary", "title"):
                    fragments.append((f"{where} {item.get('id')} {key}", str(item.get(key) or "")))
                for key in ("url", "external_url", "image", "banner_image"):
                    urls.append((f"{where} {item.get('id')} {key}", str(item.get(key) or "")))
                for attachment in item.get("attachments") or []:
                    urls.append((f"{where} attachment", str(attachment.get("url") or "")))
            continue
        root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for name in ("href", "url", "src", "uri"):
                if name in element.attrib:
                    urls.append((f"{where} <{element.tag}>", element.attrib[name]))
            if element.tag in (f"{ATOM}content", f"{ATOM}summary", f"{ATOM}title", f"{ATOM}rights",
                               "description", CONTENT, "title"):
                if element.get("type") == "xhtml":
                    text = "".join(etree.tostring(child, encoding="unicode") for child in element)
                else:
                    text = element.text or ""
                fragments.append((f"{where} <{element.tag}>", text))
            elif (
                element.tag in ("link", f"{ATOM}id", f"{ATOM}uri", "comments", "guid")
                and element.text
                and (element.tag != "guid" or element.get("isPermaLink") != "false")
            ):
                urls.append((f"{where} <{element.tag}>", element.text))
    return fragments, urls
