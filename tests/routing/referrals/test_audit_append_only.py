"""The audit is append-only in the database: no UPDATE, no DELETE, except the purge's
deletion of rows older than its permit's cut-off (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent, AuditPurgePermit, audit, purge_audit_before
from routing.referrals.lifecycle import SYSTEM

NOW = datetime(2026, 3, 2, 9, 0)


def _rows(db: Session, *ages_in_days: int) -> None:
    for age in ages_in_days:
        audit(db, SYSTEM, "child_viewed", NOW - timedelta(days=age), child_id=7)
    db.commit()


def _count(db: Session) -> int:
    return int(db.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_it_refuses_to_update_an_audit_row(db: Session) -> None:
    _rows(db, 1)
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(update(AuditEvent).values(actor_name="Someone else"))
        db.flush()
    db.rollback()
    assert db.execute(select(AuditEvent.actor_name)).scalar_one() == "Family Hub"


def test_it_refuses_to_delete_an_audit_row(db: Session) -> None:
    _rows(db, 1, 4000)
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(delete(AuditEvent))
    db.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(text("DELETE FROM audit_event WHERE id = 1"))
    db.rollback()
    assert _count(db) == 2


def test_it_the_purge_deletes_only_rows_older_than_its_cut_off(db: Session) -> None:
    _rows(db, 1, 100, 3000, 4000)
    assert purge_audit_before(db, NOW - timedelta(days=2555)) == 2
    db.commit()
    assert _count(db) == 2
    # The permit does not outlive the purge's transaction.
    assert db.execute(select(func.count()).select_from(AuditPurgePermit)).scalar_one() == 0


def test_it_a_permit_lets_through_only_rows_older_than_it(db: Session) -> None:
    _rows(db, 1, 4000)
    db.add(AuditPurgePermit(before=NOW - timedelta(days=10)))
    db.flush()
    with pytest.raises(DatabaseError, match="append-only"):
        db.execute(delete(AuditEvent))  # the newer row is not covered
    db.rollback()
    assert _count(db) == 2
