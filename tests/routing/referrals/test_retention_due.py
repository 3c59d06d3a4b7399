"""Records due for deletion: the purge's own rules, read ahead; what the page calls
overdue is exactly what the purge deletes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import audit
from routing.referrals.lifecycle import SYSTEM
from routing.referrals.models import Child, Referral
from routing.referrals.retention import RetentionPolicy, purge, years_before
from routing.referrals.retention_due import due_for_deletion
from services.accounts.models import LoginAttempt
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral

NOW = datetime(2026, 11, 30, 10, 0)
POLICY = RetentionPolicy()


def _closed(db: Session, cast: Cast, at: datetime) -> Referral:
    referral = sent_referral(db, cast, make_service(db, cast.provider), now=at)
    ops.withdraw_referral(db, referral, actor(cast.staff), at, "No longer needed")
    db.flush()
    return referral


def test_it_lists_each_childs_record_with_the_day_it_falls_due(
    db: Session, cast: Cast
) -> None:
    overdue = _closed(db, cast, years_before(NOW, 6) - timedelta(days=3))
    soon = _closed(db, cast, years_before(NOW, 6) + timedelta(days=12))
    later = _closed(db, cast, years_before(NOW, 6) + timedelta(days=45))
    still_open = sent_referral(db, cast, make_service(db, cast.provider),
                               now=years_before(NOW, 8))
    db.commit()
    report = due_for_deletion(db, POLICY, NOW)
    due = {record.child_id: record for record in report.records}
    assert set(due) == {overdue.child_id, soon.child_id}
    assert due[overdue.child_id].overdue and not due[soon.child_id].overdue
    assert due[soon.child_id].due.date() == (NOW + timedelta(days=12)).date()
    assert due[overdue.child_id].due.date() == (NOW - timedelta(days=3)).date()
    assert later.child_id not in due and still_open.child_id not in due
    assert report.records_due == 2 and report.child_ids == [overdue.child_id, soon.child_id]

    # What the page calls overdue is what the purge deletes now; the rest waits.
    assert purge(db, POLICY, NOW).children == 1
    db.commit()
    assert db.get(Child, overdue.child_id) is None
    assert db.get(Child, soon.child_id) is not None


def test_it_counts_other_records_by_the_day_they_fall_due(db: Session) -> None:
    db.add_all([
        LoginAttempt(email_hash="a" * 64, remote_addr="10.0.0.1", at=NOW - timedelta(days=95)),
        LoginAttempt(email_hash="b" * 64, remote_addr="10.0.0.2",
                     at=NOW - timedelta(days=80, hours=1)),
        LoginAttempt(email_hash="c" * 64, remote_addr="10.0.0.3",
                     at=NOW - timedelta(days=80, hours=3)),
        LoginAttempt(email_hash="d" * 64, remote_addr="10.0.0.4", at=NOW - timedelta(days=30)),
    ])
    audit(db, SYSTEM, "child_viewed", years_before(NOW, 7) + timedelta(days=2), child_id=1)
    db.commit()
    report = due_for_deletion(db, POLICY, NOW)
    kinds = {kind.key: kind for kind in report.kinds}
    attempts = kinds["login_attempts"]
    assert attempts.overdue == 1
    assert [(day.day, day.count) for day in attempts.days] == [
        ((NOW + timedelta(days=10)).date(), 2)]
    assert attempts.coming == 2
    assert [(day.day, day.count) for day in kinds["audit_rows"].days] == [
        (date(2026, 12, 2), 1)]
    assert kinds["drafts"].overdue == 0 and not kinds["drafts"].days
    assert purge(db, POLICY, NOW).login_attempts == attempts.overdue
