"""URL hygiene: tracking parameters out, relative links resolved, hosts compared.

The tracking parameters are data (:data:`TRACKING_PARAMS`, :data:`TRACKING_PREFIXES`):
add a name there when a new one shows up in the wild. Every function is pure and
never raises on odd input (a URL it cannot understand comes back unchanged).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# exact query parameter names (lower-cased) that only track the reader
TRACKING_PARAMS: frozenset[str] = frozenset(
    sorted(
        {
            "__hsfp",
            "__hssc",
            "__hstc",
            "_ga",
            "_gl",
            "_hsenc",
            "_hsmi",
            "cmpid",
            "dclid",
            "fbclid",
            "gbraid",
            "gclid",
            "gclsrc",
            "hsctatracking",
            "igshid",
            "mc_cid",
            "mc_eid",
            "mkt_tok",
            "msclkid",
            "oly_anon_id",
            "oly_enc_id",
            "ref_src",
            "ref_url",
            "s_cid",
            "twclid",
            "ttclid",
            "vero_conv",
            "vero_id",
            "wbraid",
            "wickedid",
            "xtor",
            "yclid",
        }
    )
)
# parameter name prefixes (lower-cased) that only track the reader
TRACKING_PREFIXES: tuple[str, ...] = ("pk_", "utm_")

# URL-valued schemes a body may link to; everything else (javascript:, data:, vbscript:, ...) is dropped
SAFE_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# the common case clean_url returns unchanged: an absolute http(s) URL in printable ASCII, without
# spaces or brackets, and with no query or fragment (the only parts it may strip), and not "http:////…"
# (no host and a path starting "//", which urlunsplit writes back with two slashes fewer)
_PLAIN_PREFIXES = ("http://", "https://")
_PLAIN_HTTP = re.compile(r"https?://(?!//)[!$&'()*+,\-./0-9:;=@A-Z_a-z~%]+")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """``url`` without tracking query parameters (and without an ``#xtor=``-style tracking fragment)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking_param(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, doseq=True, quote_via=quote, safe="/:@!$'()*+,;")
    fragment = parts.fragment
    if fragment and "=" in fragment and all(is_tracking_param(p.split("=", 1)[0]) for p in fragment.split("&")):
        fragment = ""
    try:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))
    except ValueError:
        return url


def clean_url(url: str | None, base: str | None = None) -> str | None:
    """An absolute, safe, tracking-free URL, or None when ``url`` is empty or not safe to link to.

    Relative URLs are resolved against ``base``; a relative URL with no base stays relative.
    Only http, https and mailto survive.
    """
    if not url:
        return None
    if url.startswith(_PLAIN_PREFIXES) and _PLAIN_HTTP.fullmatch(url):
        return url  # absolute http(s), no query or fragment: what _cleaned gives (a test holds them equal)
    return _cleaned(url, base)


def _cleaned(url: str, base: str | None) -> str | None:
    url = _CONTROL.sub("", url)
    text = _SPACE.sub("", url) if "\n" in url or "\t" in url else url.strip()
    if not text:
        return None
    try:
        if base and not urlsplit(text).scheme:
            text = urljoin(base, text)
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    if scheme in ("http", "https"):
        return strip_tracking(text)
    return text


def is_absolute_http(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def host_of(url: str | None) -> str | None:
    """The lower-cased host without ``www.``; None when there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(a: str | None, b: str | None) -> bool:
    """True when both URLs are on the same host (``www.`` ignored)."""
    host_a, host_b = host_of(a), host_of(b)
    return host_a is not None and host_a == host_b


def is_site_root(url: str | None) -> bool:
    """True for a home page (``https://example.com/``): it names an outlet, not an article."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return True
    return parts.path in ("", "/") and not parts.query


def match_form(url: str) -> str:
    """The form two URLs of one article share: https, no ``www.``, no fragment, no trailing slash,
    no tracking parameters, lower-cased host. Used for matching keys only, never shown."""
    cleaned = strip_tracking(url.strip())
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return cleaned
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if scheme == "http":
        scheme = "https"
    path = parts.path.rstrip("/") or ""
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return urlunsplit((scheme, host, path, query, ""))
