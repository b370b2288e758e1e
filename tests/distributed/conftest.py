"""Fixtures for the scale-out tests: real PostgreSQL and Redis (skipped when absent), a webhook
receiver, the real WordPress when ../shared/tools is there."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.distributed.receiver import WebhookReceiver
from tests.distributed.services import create_database, reserve_rabbitmq_vhost, reserve_redis_db, wordpress


@pytest.fixture
def pg_url() -> Iterator[str]:
    made = create_database()
    if made is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (CI starts it); skipping the scale-out test")
    url, drop = made
    try:
        yield url
    finally:
        from sqlalchemy import create_engine

        create_engine(url).dispose()
        drop()


def _reserved(reserve: Callable[[], tuple[str, Callable[[], None]] | None], absent: str) -> Iterator[str]:
    """The URL ``reserve`` gives, released after the test; the test is skipped when it gives none."""
    reserved = reserve()
    if reserved is None:
        pytest.skip(absent)
    url, release = reserved
    try:
        yield url
    finally:
        release()


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from _reserved(reserve_redis_db,
                         "Redis is not reachable on 127.0.0.1:6379 (or has no free database); skipping")


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """A RabbitMQ vhost of this test's own (its queues and its workers' remote control)."""
    yield from _reserved(reserve_rabbitmq_vhost,
                         "RabbitMQ is not reachable on 127.0.0.1:5672 (or rabbitmqctl is missing); skipping")


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
def wp() -> dict[str, str] | None:
    """The real WordPress when ../shared/tools is there, else None (that part of the test is skipped)."""
    return wordpress()
