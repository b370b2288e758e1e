"""Leases in the database: the lock that keeps two daemons (or two schedulers) off one database.

A lease has a holder (``host:pid:start:token``, see :mod:`syndicate.ownership`) and an
expiry; the holder renews it while alive. Another process may take it when it has
expired, or at once when the holder is a dead process on the same host (its pid gone,
or reused by a process that started at another time). Works the same on SQLite and
PostgreSQL, so standby schedulers on other machines take over when one dies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from syndicate.ownership import describe_owner, new_owner, owner_state
from syndicate.store.codec import aware
from syndicate.store.schema import leases


@dataclass
class Lease:
    engine: Engine
    name: str
    ttl: float = 30.0
    holder: str = ""

    def __post_init__(self) -> None:
        if not self.holder:
            self.holder = str(new_owner())

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
        return owner_state(holder) == "dead"


def describe_holder(holder: str) -> str:
    return describe_owner(holder)
