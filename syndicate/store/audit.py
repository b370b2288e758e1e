"""The audit trail: every change a person makes (from the desk or the CLI), with who, when, what and why.

:func:`record` writes inside the caller's transaction, so a change and its audit row commit together.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from syndicate.models import rfc3339
from syndicate.redact import scrub
from syndicate.store.codec import aware
from syndicate.store.schema import audit

MAX_REASON = 2000


def cli_actor() -> str:
    """Who a change made from the command line is recorded as: ``cli:<login>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def record(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    clean = " ".join(reason.split())[:MAX_REASON] if reason else None
    conn.execute(
        insert(audit).values(
            at=at, actor=actor, action=action, subject=subject, reason=scrub(clean) if clean else None, detail=detail
        )
    )


def list_audit(engine: Engine, *, limit: int | None = None, subject: str | None = None) -> list[dict[str, Any]]:
    """The audit trail as JSON-ready rows, newest first."""
    query = select(audit).order_by(audit.c.at.desc(), audit.c.id.desc())
    if subject is not None:
        query = query.where(audit.c.subject == subject)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [
            {
                "at": rfc3339(aware(row.at)),
                "actor": row.actor,
                "action": row.action,
                "subject": row.subject,
                "reason": row.reason,
                "detail": row.detail,
            }
            for row in conn.execute(query)
        ]
