"""Fixtures for the scale-out tests: real PostgreSQL, Redis and WordPress, a webhook receiver.

A missing service skips the test outside CI and fails it in CI (tests/helpers/services.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.distributed.receiver import WebhookReceiver
from tests.distributed.services import create_database, reserve_rabbitmq_vhost, reserve_redis_db, wordpress
from tests.helpers.services import ServiceUnavailable, require_service


@pytest.fixture
def pg_url() -> Iterator[str]:
    made = create_database()
    if made is None:
        require_service("PostgreSQL", "nothing answers on 127.0.0.1:5432 as postgres or root (.ci/run starts it)")
    url, drop = made
    try:
        yield url
    finally:
        from sqlalchemy import create_engine

        create_engine(url).dispose()
        drop()


def _reserved(
    reserve: Callable[[], tuple[str, Callable[[], None]] | None], service: str, absent: str
) -> Iterator[str]:
    """The URL ``reserve`` gives, released after the test; a missing service skips it (fails it in CI)."""
    reserved = reserve()
    if reserved is None:
        require_service(service, absent)
    url, release = reserved
    try:
        yield url
    finally:
        release()


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from _reserved(reserve_redis_db, "Redis",
                         "nothing answers on 127.0.0.1:6379, or it has no free database (.ci/run starts it)")


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """A RabbitMQ vhost of this test's own (its queues and its workers' remote control)."""
    yield from _reserved(reserve_rabbitmq_vhost, "RabbitMQ",
                         "nothing answers on 127.0.0.1:5672, or rabbitmqctl is missing (.ci/run starts it)")


@pytest.fixture(scope="session")
def run_token() -> str:
    """Different in every test session (WordPress keeps posts), the same within one."""
    return "r" + uuid.uuid4().hex[:8]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture(scope="session")
def wp() -> dict[str, str]:
    """The real WordPress (../shared/tools/wordpress-up.sh): WP_URL, WP_USER, WP_APP_PASSWORD.

    Never None: a test that asks for WordPress either gets it or is skipped (failed in CI) on record."""
    try:
        return wordpress()
    except ServiceUnavailable as missing:
        require_service("WordPress", str(missing))
