"""At most ``per_host`` requests in flight to one host, across all threads of a fetcher."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from syndicate.fetch.exceptions import DeadlineExceededError


class HostSlots:
    """One semaphore per host name, created on first use."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def _semaphore(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self.per_host)
            return slot

    @contextmanager
    def hold(self, host: str, timeout: float | None = None) -> Iterator[None]:
        """Wait for a free slot on ``host`` (at most ``timeout`` seconds; None waits as long as it takes)."""
        slot = self._semaphore(host.lower())
        if not slot.acquire(timeout=timeout):
            raise DeadlineExceededError(f"no free connection slot for {host} before the deadline")
        try:
            yield
        finally:
            slot.release()
