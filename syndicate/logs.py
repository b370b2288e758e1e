"""Logging: readable lines on a terminal, one JSON object per event with ``--log-format json``.

Structured fields travel as ``extra={"ev_name": value}``; every record passes the
redacting filter, so no registered secret reaches a log.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from syndicate.redact import RedactingFilter


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key.startswith("ev_"):
                data[key[3:]] = value
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, default=str, ensure_ascii=False)


# sd-daemon(3) priorities: a line on a journald stream that starts with "<N>" is logged at priority N
_JOURNAL_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class _JournalPriority(logging.Formatter):
    """Prefix each line with its priority, so that ``journalctl -p warning`` shows problems only."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        priority = _JOURNAL_PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 4)
        return f"<{priority}>" + self.inner.format(record)


def stderr_is_journal() -> bool:
    """Whether stderr is the journald stream systemd connected (``$JOURNAL_STREAM`` is its dev:inode)."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    try:
        stat = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return stream == f"{stat.st_dev}:{stat.st_ino}"


class _ReportedBySummary(logging.Filter):
    """Per-source fetch failures: the command's summary prints each once, so the log does not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING or getattr(record, "ev_event", None) != "fetch"


def leave_fetch_failures_to_summary() -> None:
    for handler in logging.getLogger("syndicate").handlers:
        handler.addFilter(_ReportedBySummary())


def setup_logging(fmt: str = "text", verbosity: int = 0) -> None:
    """Configure the ``syndicate`` logger once (stderr)."""
    level = (
        logging.ERROR
        if verbosity < 0
        else logging.WARNING
        if verbosity == 0
        else (logging.INFO if verbosity == 1 else logging.DEBUG)
    )
    root = logging.getLogger("syndicate")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    formatter: logging.Formatter = (
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(_JournalPriority(formatter) if stderr_is_journal() else formatter)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    # a pass outlasting a tick is normal: APScheduler's "skipped: maximum number of running
    # instances reached" is not news for the operator
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
