"""The parse stage: feed bytes → :class:`~syndicate.models.ParsedFeed`.

``parse_feed`` picks a back end by sniffing the bytes and the content type:

* JSON Feed 1.0/1.1 → :mod:`syndicate.parse.jsonfeed` (feedparser 6.0 has none);
* everything else (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF) →
  :mod:`syndicate.parse.feedparser_adapter`, after :mod:`syndicate.parse.hardening`
  has defused the DOCTYPE, with :mod:`syndicate.parse.extras` recovering what
  feedparser loses;
* but first :mod:`syndicate.parse.fast` (lxml, ~10x faster) tries well-formed, ordinary
  RSS 2.0 / Atom 1.0 / RSS 1.0 documents and builds the same ParsedFeed; it declines
  anything it does not fully handle, and feedparser reads those.

It raises :class:`~syndicate.errors.ParseError` (one line, worded to follow
"not a feed: ") only when the bytes are not a feed at all; a partly broken
feed keeps its good entries and says what was wrong in ``ParsedFeed.warnings``.

Shared with every back end: :mod:`~syndicate.parse.common` (guid fallback,
``raw_hash``, caps), :mod:`~syndicate.parse.text` (every output string is
stripped of characters XML cannot carry), :mod:`~syndicate.parse.people`,
:mod:`~syndicate.parse.dates`, :mod:`~syndicate.parse.http_links`.
"""

from __future__ import annotations

from collections.abc import Mapping

from syndicate.errors import ParseError
from syndicate.models import ParsedFeed
from syndicate.parse.fast import parse_fast
from syndicate.parse.feedparser_adapter import parse_xml
from syndicate.parse.hardening import MAX_DOCUMENT_BYTES
from syndicate.parse.jsonfeed import looks_like_json, parse_json

__all__ = ["parse_feed"]


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Parse feed bytes fetched from ``url`` (``headers``: response headers, lower-cased names)."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("parse_feed takes the response body as bytes")
    data = bytes(body)
    if not data.strip():
        raise ParseError("the document is empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(f"document larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if looks_like_json(data, lowered):
        return parse_json(data, url)
    fast = parse_fast(data, lowered, url)  # declines (None) whatever it does not fully handle
    if fast is not None:
        return fast
    return parse_xml(data, lowered, url)
