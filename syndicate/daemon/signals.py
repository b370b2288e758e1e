"""The signals every long-running syndicate process answers the same way."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("syndicate.daemon")


def install_signals(stop_event: threading.Event, on_reload: Callable[[], None], *, what: str) -> None:
    """SIGTERM/SIGINT set ``stop_event`` (the work in hand is finished); SIGHUP calls ``on_reload``."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s, finishing the work in hand, then stopping the %s", signal.Signals(signum).name, what)
        stop_event.set()

    def hup(_signum: int, _frame: FrameType | None) -> None:
        log.info("received SIGHUP, reloading the configuration")
        on_reload()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, hup)
