"""The store: migrations, the version check that skips them, leases."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.script import ScriptDirectory

from syndicate.daemon.lease import Lease
from syndicate.store.db import alembic_config, current_revision, head_revision, open_engine, table_names


def test_head_revision_matches_alembic(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert current_revision(engine) == head_revision()
    assert {"articles", "copies", "deliveries", "sources", "leases"} <= set(table_names(engine))
    engine.dispose()
    # a second open sees the database at head and does not migrate again
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert current_revision(engine) == head_revision()


def test_wal_mode(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        # a checkpoint every ~40 MB of WAL (fewer copies of pages many commits rewrite), the file capped at 64 MB
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 64 * 2**20


def test_lease_excludes_a_second_holder_and_frees_on_release(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    first = Lease(engine, "daemon", ttl=30)
    second = Lease(engine, "daemon", ttl=30)
    assert first.acquire()
    assert not second.acquire()
    assert first.renew()
    first.release()
    assert second.acquire()
    assert not first.renew()


def test_lease_of_a_dead_process_on_this_host_is_taken_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    open_engine(url).dispose()
    pid = os.fork()
    if pid == 0:  # the child takes the lease and dies without releasing it
        Lease(open_engine(url), "daemon", ttl=300).acquire()
        os._exit(0)
    engine = open_engine(url)
    os.waitpid(pid, 0)
    holder = Lease(engine, "daemon").current_holder()
    assert holder is not None and f":{pid}:" in holder[0]
    assert Lease(engine, "daemon", ttl=30).acquire()
