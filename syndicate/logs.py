"""Logging: readable lines on a terminal, one JSON object per event with ``--log-format json``.

Structured fields travel as ``extra={"ev_name": value}``; every record passes the
redacting filter, so no registered secret reaches a log.
"""

from __future__ import annotations

import json
import logging
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
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    # a pass outlasting a tick is normal: APScheduler's "skipped: maximum number of running
    # instances reached" is not news for the operator
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
