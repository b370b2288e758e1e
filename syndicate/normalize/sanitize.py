"""HTML sanitizing with nh3 and an explicit allowlist.

What survives is listed here as data: :data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`
and :data:`URL_ATTRIBUTES`. Everything else goes: scripts and styles (with their
content, as do iframes, objects, embeds, forms and their controls), event handlers,
``style``/``class``/``id`` attributes, and every URL whose scheme is not http, https or
mailto (``javascript:``, ``data:``, ``vbscript:`` … in any URL attribute). Links get
``rel="noopener noreferrer"``; relative URLs are resolved against a base; tracking
parameters are removed; Cloudflare's e-mail-protection links are dropped.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import nh3

from syndicate.normalize.text import strip_controls
from syndicate.normalize.urls import SAFE_SCHEMES, clean_url

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol",
        "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "del": {"cite"},
    "img": {"src", "alt", "title", "width", "height"},
    "ins": {"cite"},
    "ol": {"start"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_ATTRIBUTES: frozenset[str] = frozenset({"href", "src", "cite"})
# removed together with everything inside them
CLEAN_CONTENT_TAGS: frozenset[str] = frozenset(
    {
        "applet", "audio", "button", "canvas", "embed", "form", "frame", "frameset", "iframe", "input", "math",
        "noembed", "noframes", "noscript", "object", "option", "script", "select", "style", "svg", "template",
        "textarea", "title", "video",
    }
)  # fmt: skip
LINK_REL = "noopener noreferrer"
_NUMERIC = frozenset({"width", "height", "colspan", "rowspan", "start"})
_EMAIL_PROTECTION = "/cdn-cgi/l/email-protection"


@lru_cache(maxsize=8192)
def _clean_attribute_url(value: str, base: str | None) -> str | None:
    """A URL attribute's value as kept (pure, so remembered: the same links recur across passes)."""
    if _EMAIL_PROTECTION in value:
        return None
    url = clean_url(value, base)
    if url is None:
        return None
    scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    return url


def _as_lxml_writes(url: str) -> str:
    """``url`` as lxml's HTML serializer writes an ``href``/``src``: leading whitespace dropped,
    spaces, control characters and non-ASCII percent-encoded (UTF-8).

    The cleaning pass (:mod:`syndicate.normalize.body`) serializes with lxml; writing the URL
    that way from the start lets a body come out of its first pass unchanged.
    """
    url = url.lstrip(" \t\n\r\f")
    if url.isascii() and url.isprintable() and " " not in url:
        return url
    return "".join(c if " " < c < "\x7f" else "".join(f"%{b:02X}" for b in c.encode("utf-8", "replace")) for c in url)


_current = threading.local()  # the base URL of the sanitize call running on this thread


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in URL_ATTRIBUTES:
        url = _clean_attribute_url(value, getattr(_current, "base", None))
        return _as_lxml_writes(url) if url is not None and attribute != "cite" else url
    if attribute in _NUMERIC:
        digits = value.strip().removesuffix("px")
        return digits if digits.isdigit() and len(digits) <= 6 else None
    return value


@lru_cache(maxsize=2)
def _cleaner(*, filtered: bool = True) -> nh3.Cleaner:
    """nh3's sanitizer, built once (building it costs more than cleaning a paragraph); the base
    URL reaches its attribute filter through a thread-local, so one cleaner serves every base.
    ``filtered=False``: the same allowlist without the attribute filter (see :func:`resanitize`)."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter if filtered else None,
        url_schemes=set(SAFE_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )


def sanitize(html: str, base: str | None = None, *, controls_stripped: bool = False) -> str:
    """``html`` reduced to the allowlist, URLs resolved against ``base`` and cleaned.

    ``controls_stripped``: the caller has already passed ``html`` through ``strip_controls``
    (which is idempotent), so it is not scanned again.
    """
    if not html:
        return ""
    _current.base = base
    try:
        return _cleaner().clean(html if controls_stripped else strip_controls(html))
    finally:
        _current.base = None


def resanitize(html: str) -> str:
    """:func:`sanitize` for markup made only of what :func:`sanitize` gave (re-serialized, parts
    removed): the allowlist again, without the attribute filter.

    The filter is idempotent — a kept URL or number filtered again is unchanged, which cleaning
    a cleaned body relies on anyway (``tests/normalize/test_properties.py``) — so running it again
    would change nothing; skipping it saves a Python call per attribute.
    """
    if not html:
        return ""
    return _cleaner(filtered=False).clean(strip_controls(html))


def visible_text(html: str) -> str:
    """The text an HTML5 parser shows for ``html`` (what :func:`sanitize` never lets grow)."""
    import html as html_module

    if not html:
        return ""
    stripped = nh3.clean(strip_controls(html), tags=set(), clean_content_tags=set(CLEAN_CONTENT_TAGS))
    return html_module.unescape(stripped)
