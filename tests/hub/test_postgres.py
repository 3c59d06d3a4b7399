"""PostgreSQL connections (hub.postgres): reads outside a transaction until the first
write or lock, records of reads committed without waiting for the disk, and a ping
only for a connection that sat idle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hub import postgres
from routing.referrals.audit import AuditEvent, audit
from routing.referrals.lifecycle import SYSTEM
from services.locking import lock_row
from services.organisations import Organisation, OrganisationKind

NOW = datetime(2025, 3, 3, 9, 30)


@pytest.fixture
def pg(db: Session) -> Session:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's driver already begins at the first write")
    return db


def _driver(db: Session) -> Any:
    return db.connection().connection.driver_connection


def _organisation(name: str) -> Organisation:
    return Organisation(name=name, kind=OrganisationKind.VOLUNTARY)


def test_it_reads_outside_a_transaction_until_the_first_write(pg: Session) -> None:
    pg.execute(select(Organisation.id)).all()
    assert _driver(pg).info.transaction_status is TransactionStatus.IDLE
    pg.add(_organisation("ZZ1"))
    pg.flush()
    assert _driver(pg).info.transaction_status is TransactionStatus.INTRANS
    # What the write's transaction holds is undone whole, reads after it included.
    assert pg.execute(select(func.count()).select_from(Organisation)).scalar_one() == 1
    pg.rollback()
    assert pg.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0


def test_it_holds_a_row_lock_in_a_transaction_until_the_commit(pg: Session) -> None:
    organisation = _organisation("ZZ2")
    pg.add(organisation)
    pg.commit()
    lock_row(pg, organisation)
    assert _driver(pg).info.transaction_status is TransactionStatus.INTRANS
    with pg.get_bind().connect() as other, pytest.raises(OperationalError):
        other.execute(select(Organisation.id).where(Organisation.id == organisation.id)
                      .with_for_update(nowait=True))
    pg.commit()
    with pg.get_bind().connect() as other:
        assert other.execute(select(Organisation.id).where(Organisation.id == organisation.id)
                             .with_for_update(nowait=True)).scalar_one() == organisation.id


def test_it_commits_records_of_reads_without_waiting_for_the_disk(pg: Session) -> None:
    seen: list[str] = []

    def probe(conn: Connection) -> None:  # runs after hub.postgres's own hook
        seen.append(conn.connection.driver_connection.execute(
            "SHOW synchronous_commit").fetchone()[0])

    def durable_by_default(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # The test databases default to not waiting (tests/conftest.py); production
        # waits unless told otherwise, and that is what hub.postgres must keep.
        dbapi_connection.execute("SET synchronous_commit TO on")

    engine = pg.get_bind()
    pg.close()
    engine.dispose()
    event.listen(engine, "checkout", durable_by_default)
    event.listen(engine, "commit", probe)
    try:
        audit(pg, SYSTEM, "record_viewed", NOW)  # a read recorded: nothing else
        pg.commit()
        audit(pg, SYSTEM, "record_viewed", NOW)  # with a change: that waits for the disk
        pg.add(_organisation("ZZ3"))
        pg.commit()
        pg.add(_organisation("ZZ4"))
        pg.commit()
    finally:
        event.remove(engine, "commit", probe)
        event.remove(engine, "checkout", durable_by_default)
    assert seen == ["off", "on", "on"]
    with engine.connect() as other:  # committed, as another connection sees them
        assert other.execute(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "record_viewed")).scalar_one() == 2
        assert other.execute(select(func.count()).select_from(Organisation)).scalar_one() == 2


def test_it_replaces_a_connection_the_server_dropped_while_idle(
    pg: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = _driver(pg).info.backend_pid
    pg.commit()  # back to the pool
    url = pg.get_bind().url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE", 0.0)
    assert pg.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0
    assert _driver(pg).info.backend_pid != dropped
