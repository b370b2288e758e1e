"""The fetch stage: sources in, :class:`~syndicate.models.FetchResult` out.

``Fetcher`` is what the pipeline uses; the SSRF helpers and the capped,
deadline-bound body reader are shared with modules that make their own
requests (WebSub hubs, crosspost targets).
"""

from __future__ import annotations

from syndicate.fetch.body import read_capped
from syndicate.fetch.deadline import Deadline
from syndicate.fetch.exceptions import (
    BlockedAddressError,
    DeadlineExceededError,
    ResponseTooLargeError,
    UnsupportedEncodingError,
)
from syndicate.fetch.fetcher import Fetcher
from syndicate.fetch.guard import check_url_allowed, is_public_address
from syndicate.fetch.rules import parse_retry_after, user_agent
from syndicate.fetch.transport import build_session, guarded

__all__ = [
    "BlockedAddressError",
    "Deadline",
    "DeadlineExceededError",
    "Fetcher",
    "ResponseTooLargeError",
    "UnsupportedEncodingError",
    "build_session",
    "check_url_allowed",
    "guarded",
    "is_public_address",
    "parse_retry_after",
    "read_capped",
    "user_agent",
]
