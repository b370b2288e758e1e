"""A total time budget for one fetch, measured on the monotonic clock.

A read timeout alone does not bound a request: a server that sends one byte a
second never lets a single read time out. :class:`Deadline` is the budget every
step (waiting for a connection, each attempt, each redirect, each read, the
back-off between retries) draws from; :mod:`syndicate.fetch.transport` shuts the
socket down when it runs out, so even a blocked read returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from syndicate.fetch.exceptions import DeadlineExceededError


class Deadline:
    """``seconds`` of wall time from :meth:`start` (or from creation when ``start=True``)."""

    def __init__(self, seconds: float, *, start: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = float(seconds)
        self._clock = clock
        self._started: float | None = clock() if start else None

    def start(self) -> None:
        """Start the clock (once; later calls do nothing)."""
        if self._started is None:
            self._started = self._clock()

    @property
    def started(self) -> bool:
        return self._started is not None

    def remaining(self) -> float:
        """Seconds left (the whole budget while not started, never negative)."""
        if self._started is None:
            return self.seconds
        return max(0.0, self.seconds - (self._clock() - self._started))

    @property
    def expired(self) -> bool:
        return self._started is not None and self.remaining() <= 0.0

    def check(self) -> None:
        """Raise :class:`DeadlineExceededError` when the budget is spent."""
        if self.expired:
            raise DeadlineExceededError(self.message())

    def timeouts(self, connect: float, read: float) -> tuple[float, float]:
        """``(connect, read)`` timeouts for one request, clipped to the time left."""
        self.check()
        left = self.remaining()
        return (min(connect, left), min(read, left))

    def message(self) -> str:
        return f"no complete response within the {format_seconds(self.seconds)} deadline"


def format_seconds(seconds: float) -> str:
    """``2.0`` → ``"2s"``, ``0.5`` → ``"0.5s"``, ``90`` → ``"90s"``."""
    return f"{seconds:g}s"
