"""The retention purge, with a frozen clock: what goes, what stays, the counts, dry run."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent, audit
from routing.referrals.lifecycle import SYSTEM
from routing.referrals.models import (
    Child,
    ProgressAttempt,
    ProgressLink,
    Referral,
    ReferralEvent,
    ReferralRequest,
)
from routing.referrals.outbox import OutboxMessage
from routing.referrals.retention import RetentionPolicy, purge, years_before
from services.accounts.models import LoginAttempt
from tests.clock import MovableClock
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft, issue_link, sent_referral

START = datetime(2019, 1, 10, 9, 0)
POLICY = RetentionPolicy()


def _count(db: Session, model: type) -> int:
    return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def _withdrawn(db: Session, cast: Cast, at: datetime) -> Referral:
    referral = sent_referral(db, cast, make_service(db, cast.provider), now=at)
    ops.withdraw_referral(db, referral, actor(cast.staff), at, "No longer needed")
    db.flush()
    return referral


def test_it_deletes_a_childs_records_six_years_after_the_last_referral_closed(
    db: Session, cast: Cast, clock: MovableClock
) -> None:
    old = _withdrawn(db, cast, START)
    issue_link(db, old.child_id, cast.staff, START)
    recent = _withdrawn(db, cast, START + timedelta(days=400))
    still_open = sent_referral(db, cast, make_service(db, cast.provider), now=START)
    db.commit()
    old_child, recent_child, open_child = old.child_id, recent.child_id, still_open.child_id
    now = years_before(START, -6) + timedelta(days=1)
    counts = purge(db, POLICY, now)
    db.commit()
    assert counts.children == 1 and counts.referrals == 1 and counts.progress_links == 1
    assert counts.referral_events >= 2
    assert db.get(Child, old_child) is None
    assert db.get(Child, recent_child) is not None
    assert db.get(Child, open_child) is not None
    assert _count(db, ReferralEvent) > 0
    assert _count(db, ProgressLink) == 0
    assert db.execute(select(func.count()).select_from(ReferralEvent).where(
        ReferralEvent.child_id == old_child)).scalar_one() == 0


def test_it_deletes_unsent_forms_untouched_for_thirty_days(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    stale = complete_draft(db, cast, {"MHW": service}, now=START)
    fresh = complete_draft(db, cast, {"MHW": service}, now=START + timedelta(days=25))
    db.commit()
    stale_id, fresh_id, fresh_child = stale.id, fresh.id, fresh.child_id
    counts = purge(db, POLICY, START + timedelta(days=31))
    db.commit()
    # An unsent form keeps the child's details in its answers: no child record to purge.
    assert counts.drafts == 1 and counts.children == 0
    assert db.get(ReferralRequest, stale_id) is None
    assert db.get(ReferralRequest, fresh_id) is not None
    assert fresh_child is None


def test_it_deletes_attempts_after_ninety_days_and_blanks_delivered_messages(
    db: Session, cast: Cast
) -> None:
    db.add_all([
        LoginAttempt(email_hash="a" * 64, remote_addr="10.0.0.1", at=START),
        LoginAttempt(email_hash="b" * 64, remote_addr="10.0.0.2", at=START + timedelta(days=80)),
        ProgressAttempt(token_hash="c" * 64, remote_hash="d" * 64, at=START),
        OutboxMessage(created_at=START, recipient="x@example.test", template="t",
                      reference="FH-1", service_name="S", link_path="/r/1", sent_at=START),
        OutboxMessage(created_at=START, recipient="y@example.test", template="t",
                      reference="FH-2", service_name="S", link_path="/r/2"),
    ])
    db.commit()
    counts = purge(db, POLICY, START + timedelta(days=91))
    db.commit()
    assert counts.login_attempts == 1 and counts.progress_attempts == 1
    assert counts.messages_anonymised == 1
    recipients = set(db.execute(select(OutboxMessage.recipient)).scalars())
    # Not yet delivered (and not given up): still needed to send it.
    assert recipients == {"", "y@example.test"}


def test_it_deletes_audit_rows_only_past_the_audit_period_and_records_the_purge(
    db: Session, cast: Cast
) -> None:
    audit(db, SYSTEM, "child_viewed", START, child_id=1)
    audit(db, SYSTEM, "child_viewed", START + timedelta(days=3000), child_id=1)
    db.commit()
    now = years_before(START, -7) + timedelta(days=1)
    counts = purge(db, POLICY, now)
    db.commit()
    assert counts.audit_rows == 1
    actions = list(db.execute(select(AuditEvent.action).where(
        AuditEvent.action.in_(["child_viewed", "retention_purge"])).order_by(AuditEvent.id)
    ).scalars())
    assert actions == ["child_viewed", "retention_purge"]


def test_it_the_dry_run_counts_but_changes_nothing(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    db.add(LoginAttempt(email_hash="a" * 64, remote_addr="10.0.0.1", at=START))
    db.commit()
    clock.set(START + timedelta(days=91))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would purge:" in dry.output and "login attempts 1" in dry.output
    assert _count(db, LoginAttempt) == 1
    real = runner.invoke(args=["retention", "purge"])
    assert "Purged:" in real.output and "login attempts 1" in real.output
    db.expire_all()
    assert _count(db, LoginAttempt) == 0
    assert db.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "retention_purge")).scalar_one() == 1


def test_it_years_before_handles_the_leap_day() -> None:
    assert years_before(datetime(2028, 2, 29, 12), 6) == datetime(2022, 2, 28, 12)


def test_it_blanks_a_family_links_number_and_link_even_if_never_sent(db: Session) -> None:
    db.add_all([
        OutboxMessage(created_at=START, recipient="07700900982", channel="sms",
                      template="progress_link", reference="", service_name="A school",
                      link_path="/progress/secret", sent_at=START),
        # Notify not set up: never tried, but a secret link must not wait forever.
        OutboxMessage(created_at=START, recipient="parent@example.com",
                      template="progress_link", reference="", service_name="A school",
                      link_path="/progress/other-secret"),
        OutboxMessage(created_at=START + timedelta(days=80), recipient="07700900123",
                      channel="sms", template="progress_link", reference="",
                      service_name="A school", link_path="/progress/recent"),
    ])
    db.commit()
    counts = purge(db, POLICY, START + timedelta(days=91))
    db.commit()
    assert counts.messages_anonymised == 2
    kept = set(db.execute(select(OutboxMessage.recipient, OutboxMessage.link_path)).all())
    assert kept == {("", ""), ("07700900123", "/progress/recent")}


def test_it_keeps_a_child_on_the_missing_education_register_and_unlinks_attendance(
    db: Session, cast: Cast
) -> None:
    from routing.safeguarding import cme
    from routing.safeguarding.attendance import COLUMNS, import_attendance
    from routing.safeguarding.cme_models import AttendanceRecord
    from tests.routing.safeguarding.support import concern, make_upn

    on_register = _withdrawn(db, cast, START)
    with_figures = _withdrawn(db, cast, START)
    item = concern(db, cast.staff, cast.school.id, START, kind="wellbeing")
    item.child_id = on_register.child_id
    cme.open_case_from_item(db, item, actor(cast.dsl), START)
    with_figures.child.upn = make_upn(7)
    db.flush()
    row = f"{make_upn(7)},Sam,Jones,2015-03-14,{cast.school.urn},100,0,20,Autumn 1"
    import_attendance(db, f"{','.join(COLUMNS)}\n{row}\n".encode(), "a.csv",
                      actor(cast.dsl), None, START)
    db.commit()
    kept, gone = on_register.child_id, with_figures.child_id
    purge(db, POLICY, years_before(START, -6) + timedelta(days=1))
    db.commit()
    assert db.get(Child, kept) is not None and db.get(Child, gone) is None
    (record,) = db.execute(select(AttendanceRecord)).scalars()
    assert (record.child_id, record.upn) == (None, make_upn(7))


def test_it_keeps_a_form_a_safeguarding_stop_was_raised_from_and_still_purges_the_rest(
    db: Session, cast: Cast
) -> None:
    # A form stopped at "may be at risk of significant harm" is held by the lead's
    # queue item (the item points at the form). The purge used to try to delete it
    # with the other stale drafts and failed on that reference, every night.
    from routing.safeguarding.operations import record_stop

    service = make_service(db, cast.provider)
    stopped = complete_draft(db, cast, {"MHW": service}, now=START)
    record_stop(db, stopped, actor(cast.staff), START)
    stale = complete_draft(db, cast, {"MHW": service}, now=START)
    db.commit()
    stopped_id, stale_id = stopped.id, stale.id
    counts = purge(db, POLICY, START + timedelta(days=31))
    db.commit()
    assert counts.drafts == 1
    assert db.get(ReferralRequest, stopped_id) is not None
    assert db.get(ReferralRequest, stale_id) is None


def test_it_keeps_a_child_whose_sent_form_a_safeguarding_stop_holds(
    db: Session, cast: Cast
) -> None:
    # The stop was raised before the child had a record (the item names no child), and
    # the form went on to be sent: the child's record holds the form the safeguarding
    # record points at, so it is kept as safeguarding records are.
    from routing.referrals.retention import why_kept
    from routing.safeguarding.models import SafeguardingItem
    from routing.safeguarding.operations import record_stop

    referral = _withdrawn(db, cast, START)
    form = db.get(ReferralRequest, referral.request_id)
    assert form is not None
    item = record_stop(db, form, actor(cast.staff), START)
    item.child_id = None
    db.commit()
    child_id = referral.child_id
    assert any("safeguarding" in words for words in why_kept(db, child_id))
    counts = purge(db, POLICY, years_before(START, -6) + timedelta(days=1))
    db.commit()
    assert counts.children == 0
    assert db.get(Child, child_id) is not None
    assert db.get(SafeguardingItem, item.id) is not None
