"""One rule for tests that need a real service (PostgreSQL, Redis, RabbitMQ, WordPress, Ghost, SMTP,
a browser): outside CI a missing service skips the test, with the reason on record; in CI
(``CI=true``, set by the CI runner for ``.ci/run``) it fails the test, because CI starts every
service the suite needs and a service that is missing there is a broken run, not a pass.

Use :func:`require_service` wherever a test or fixture finds its service unreachable; never call
``pytest.skip`` for a missing service directly.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

SERVICES = ("PostgreSQL", "Redis", "RabbitMQ", "WordPress", "Ghost", "SMTP", "browser")


class ServiceUnavailable(Exception):
    """A service a test needs could not be reached or started; the message says why."""


def in_ci() -> bool:
    """True when the tests run in CI (``CI`` set to true/1/yes, as CI runners do)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_service(name: str, reason: str) -> NoReturn:
    """The service ``name`` is missing: skip the test (outside CI) or fail it (in CI), saying why."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}: one of {', '.join(SERVICES)}")
    message = f"{name} is not available: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: CI must start {name}, so its absence fails the run)", pytrace=False)
    pytest.skip(message)
