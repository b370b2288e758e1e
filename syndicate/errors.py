"""One exception root for everything syndicate raises on purpose.

    SyndicateError
    ├── ConfigError          the configuration file is wrong (exit 1, nothing done)
    ├── LockedError          another daemon/pass holds the database lock
    ├── FetchError           a source could not be fetched (carries source, url, status)
    │   └── BlockedAddressError  a URL resolved to a private/loopback address
    ├── ParseError           a document is not a feed at all
    ├── StoreError           the database refused (migrations, integrity)
    └── TargetError          a crosspost target failed (carries target, status, retry_after)
        ├── TransientTargetError   try again later (5xx, 429, timeouts)
        └── PermanentTargetError   do not retry (401, 403, 422, …)

Expected I/O errors are converted to these at stage edges; anything else is a
bug and crashes loudly. ``str(error)`` is always one line a user can act on and
never contains a secret.
"""

from __future__ import annotations


class SyndicateError(Exception):
    """Root of all deliberate errors."""


class ConfigError(SyndicateError):
    """The configuration is invalid. The message names the file, the key and the problem."""


class LockedError(SyndicateError):
    """Another process holds the lock this one needs."""


class FetchError(SyndicateError):
    def __init__(self, message: str, *, source: str | None = None, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.source = source
        self.url = url
        self.status = status


class BlockedAddressError(FetchError):
    """A URL resolved to an address syndicate refuses to contact (SSRF guard)."""


class ParseError(SyndicateError):
    """The bytes are not a feed in any format syndicate reads."""


class StoreError(SyndicateError):
    """The database could not be used."""


class TargetError(SyndicateError):
    def __init__(
        self,
        message: str,
        *,
        target: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.target = target
        self.status = status
        self.retry_after = retry_after


class TransientTargetError(TargetError):
    """The target may accept the same request later."""


class PermanentTargetError(TargetError):
    """The target will not accept this request; retrying is pointless."""
