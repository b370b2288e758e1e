"""WebSub discovery (W3C Recommendation §4) and the URL comparisons a push is checked with (pure).

§4: the subscriber checks the HTTP ``Link`` headers first; only when they name no hub does it
look at the document's own links (Atom ``<link>``, RSS ``<atom:link>``, JSON Feed ``hubs`` /
``feed_url``). The hub and the topic (``rel="self"``) are taken as a pair from the same place,
so a feed whose headers say hub A / self X and whose document says hub B / self Y is
subscribed at A for X.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from syndicate.parse.http_links import parse_link_header

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Advertised:
    """The hub and topic one response advertises; ``topic`` None means "the URL fetched"."""

    hub: str | None
    topic: str | None
    where: str  # "headers", "document" or "" (no hub anywhere)


def links_in_header(value: str | None, base: str) -> tuple[list[str], list[str]]:
    """(hubs, selves) a ``Link`` header names, absolute, in header order."""
    pairs = parse_link_header(value or "", base)
    return [href for rel, href in pairs if rel == "hub"], [href for rel, href in pairs if rel == "self"]


def discover(
    headers: Mapping[str, str], base: str, document_hubs: Sequence[str], document_self: str | None
) -> Advertised:
    """The hub and topic to subscribe to: from the ``Link`` headers if they name a hub, else the document's.

    ``headers`` have lower-cased names; ``base`` is the URL the response came from. The document's
    lists may also hold what the parser took from the headers; they are read only when the headers
    name no hub, and then the document is all there is.
    """
    header_hubs, header_selves = links_in_header(headers.get("link"), base)
    if header_hubs:
        return Advertised(header_hubs[0], header_selves[0] if header_selves else None, "headers")
    if document_hubs:
        return Advertised(document_hubs[0], document_self, "document")
    return Advertised(None, document_self, "")


def normalized(url: str) -> str:
    """``url`` as RFC 3986 §6.2.2–6.2.3 compare it: scheme and host lower-cased, the default port and
    the fragment dropped, an empty path written ``/``. Anything unparsable is returned as given."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def same_url(a: str, b: str) -> bool:
    return normalized(a) == normalized(b)


def same_origin(a: str, b: str) -> bool:
    """Same scheme, host and port (a hub that moved by a 307/308 redirect on its own host stays one hub)."""
    first, second = urlsplit(normalized(a)), urlsplit(normalized(b))
    return (first.scheme, first.netloc) == (second.scheme, second.netloc)
