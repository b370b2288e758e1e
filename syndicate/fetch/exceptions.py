"""The fetch stage's own failures, all :class:`~syndicate.errors.FetchError` subclasses.

They never leave :meth:`Fetcher.fetch` (which turns every expected failure into a
``FetchResult``); other modules that use :func:`read_capped` or the guarded session
may catch them.
"""

from __future__ import annotations

from syndicate.errors import BlockedAddressError, FetchError

__all__ = ["BlockedAddressError", "DeadlineExceededError", "ResponseTooLargeError", "UnsupportedEncodingError"]


class DeadlineExceededError(FetchError):
    """The total time allowed for one fetch (retries included) ran out."""


class ResponseTooLargeError(FetchError):
    """The body (as sent, or once decompressed) is larger than ``max_bytes``."""


class UnsupportedEncodingError(FetchError):
    """The server used a ``Content-Encoding`` we did not offer and cannot decode."""
