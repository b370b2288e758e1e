"""Leases in the database: the lock that keeps two daemons (or two schedulers) off one database.

A lease has a holder (``host:pid:token``) and an expiry; the holder renews it
while alive. Another process may take it when it has expired, or at once when
the holder is a dead process on the same host. Works the same on SQLite and
PostgreSQL, so standby schedulers on other machines take over when one dies.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from syndicate.store.codec import aware
from syndicate.store.schema import leases

HOST = socket.gethostname()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Lease:
    engine: Engine
    name: str
    ttl: float = 30.0
    holder: str = ""

    def __post_init__(self) -> None:
        if not self.holder:
            self.holder = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def current_holder(self) -> tuple[str, datetime] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(leases.c.holder, leases.c.expires_at).where(leases.c.name == self.name)).first()
        if row is None:
            return None
        expires = aware(row.expires_at)
        assert expires is not None
        return row.holder, expires

    def acquire(self) -> bool:
        """Take the lease if it is free, expired, or held by a dead process on this host."""
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=self.ttl)
        with self.engine.begin() as conn:
            row = conn.execute(select(leases.c.holder, leases.c.expires_at).where(leases.c.name == self.name)).first()
            if row is None:
                try:
                    conn.execute(
                        insert(leases).values(name=self.name, holder=self.holder, acquired_at=now, expires_at=expires)
                    )
                except IntegrityError:
                    return False
                return True
            holder, until = row.holder, aware(row.expires_at)
            if holder != self.holder and until is not None and until > now and not self._holder_dead(holder):
                return False
            done = conn.execute(
                update(leases)
                .where(and_(leases.c.name == self.name, leases.c.holder == holder))
                .values(holder=self.holder, acquired_at=now, expires_at=expires)
            )
            return bool(done.rowcount)

    def renew(self) -> bool:
        """Extend the lease; False when someone else holds it now."""
        expires = datetime.now(UTC) + timedelta(seconds=self.ttl)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(leases)
                .where(and_(leases.c.name == self.name, leases.c.holder == self.holder))
                .values(expires_at=expires)
            )
        return bool(done.rowcount)

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(leases).where(and_(leases.c.name == self.name, leases.c.holder == self.holder)))

    @staticmethod
    def _holder_dead(holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid_text = rest.split(":", 1)[0]
        if host != HOST or not pid_text.isdigit():
            return False
        return not _pid_alive(int(pid_text))


def describe_holder(holder: str) -> str:
    host, _, rest = holder.partition(":")
    pid = rest.split(":", 1)[0]
    return f"pid {pid} on {host}"
