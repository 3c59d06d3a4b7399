"""The children missing education register: a missing-education concern opens or joins a
case, actions and status changes, days missing, the register's school scope, and the
stuck lists "not traced", "every provider declined" and "not decided past the service's
response time", each with a frozen clock and working days."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as referral_ops
from routing.referrals.audit import AuditEvent
from routing.referrals.stuck import StuckKind, StuckScope, stuck_counts, stuck_page
from routing.safeguarding import cme
from routing.safeguarding import operations as ops
from routing.safeguarding.cme_models import CaseAction, CaseStatus, MissingEducationCase
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral
from tests.routing.safeguarding.support import concern, make_upn

# Friday 4 December 2026, 15:30.
FRIDAY = datetime(2026, 12, 4, 15, 30)


def _case(db: Session, item_id: int) -> MissingEducationCase:
    found = db.execute(select(MissingEducationCase).where(
        MissingEducationCase.item_id == item_id)).scalar_one_or_none()
    assert found is not None
    return found


def _act(db: Session, cast: Cast, case: MissingEducationCase, at: datetime, status: str = "",
         council: str = "", key: str | None = None) -> CaseAction:
    return cme.record_action(
        db, case, actor(cast.dsl),
        cme.ActionInput(note="Home visit: nobody in", done_on=at.date(), status=status,
                        destination_council=council),
        key or secrets.token_urlsafe(24), at)


def test_it_opens_a_case_from_a_missing_education_concern_and_joins_later_ones(
    db: Session, cast: Cast
) -> None:
    pupil = make_upn(1)
    first = concern(db, cast.staff, cast.school.id, FRIDAY, pupil_number=pupil)
    case = _case(db, first.id)
    assert (case.status, case.school_id, case.upn, case.missing_since) == (
        CaseStatus.REPORTED, cast.school.id, pupil, FRIDAY.date())
    assert [a.summary for a in case.actions] == [f"Reported from concern {first.reference}"]
    assert any("missing-education register" in e.summary for e in first.events)
    # Another school's concern about the same pupil joins the open case: one child, one case.
    later = concern(db, cast.other_staff, cast.other_school.id, FRIDAY + timedelta(days=3),
                    kind="not_on_roll", pupil_number=pupil)
    assert db.execute(select(MissingEducationCase)).scalars().all() == [case]
    assert cme.case_for_item(db, later) == case
    assert cme.open_case_from_item(db, later, actor(cast.dsl), FRIDAY) == (case, False)
    assert len(db.execute(select(CaseAction).where(CaseAction.case_id == case.id)).all()) == 2
    # A wellbeing concern is not missing education: no case until the lead puts it there.
    worry = concern(db, cast.staff, cast.school.id, FRIDAY, kind="wellbeing",
                    first_name="Ava", last_name="Lowe")
    assert cme.case_for_item(db, worry) is None
    opened, made = cme.open_case_from_item(db, worry, actor(cast.dsl), FRIDAY)
    assert made and opened.item_id == worry.id and opened != case
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "cme_case_opened")).scalars().all()


def test_it_records_actions_and_stops_the_days_missing_once_traced(
    db: Session, cast: Cast
) -> None:
    case = _case(db, concern(db, cast.staff, cast.school.id, FRIDAY).id)
    monday = FRIDAY + timedelta(days=3)
    _act(db, cast, case, monday, status="tracing")
    assert case.status is CaseStatus.TRACING and case.traced_at is None
    assert case.days_missing(date(2026, 12, 14)) == 10
    with pytest.raises(InvalidInput) as refused:
        _act(db, cast, case, monday, status="moved_out")
    assert "destination_council" in refused.value.errors
    found = FRIDAY + timedelta(days=6)
    _act(db, cast, case, found, status="moved_out", council="Wigan Council")
    assert (case.status, case.destination_council, case.traced_at) == (
        CaseStatus.MOVED_OUT, "Wigan Council", found)
    assert case.days_missing(date(2027, 1, 30)) == 6  # stopped when traced
    steps = [(a.from_status, a.to_status, a.actor_name) for a in case.actions]
    assert steps[1:] == [(CaseStatus.REPORTED, CaseStatus.TRACING, cast.dsl.name),
                         (CaseStatus.TRACING, CaseStatus.MOVED_OUT, cast.dsl.name)]
    # A repeated submit records once; a future date and an empty note are refused.
    again = _act(db, cast, case, found, key="k" * 20)
    assert _act(db, cast, case, found, key="k" * 20).id == again.id
    with pytest.raises(InvalidInput) as late:
        cme.record_action(db, case, actor(cast.dsl), cme.ActionInput(
            note="", done_on=found.date() + timedelta(days=1)), secrets.token_urlsafe(24),
            found)
    assert set(late.value.errors) == {"note", "done_on"}
    assert len(case.actions) == 4
    again.note = "changed"
    with pytest.raises(ValueError):
        db.flush()
    db.rollback()


def test_it_lists_cases_not_traced_in_time_by_working_days_and_school(
    db: Session, cast: Cast
) -> None:
    ours = _case(db, concern(db, cast.staff, cast.school.id, FRIDAY).id)
    theirs = _case(db, concern(db, cast.other_staff, cast.other_school.id, FRIDAY,
                               first_name="Zac", last_name="Hill").id)

    def listed(now: datetime, days: int = 2, schools: tuple[int, ...] | None = None
               ) -> list[int]:
        scope = StuckScope(now, school_ids=schools, cme_days=days)
        shown = stuck_page(db, scope, StuckKind.CME_NOT_TRACED.value)
        return [i.cme.case.id for i in shown.sections[StuckKind.CME_NOT_TRACED] if i.cme]

    # Two working days from Friday 15:30 is Tuesday 15:30 (the weekend skipped).
    assert listed(datetime(2026, 12, 8, 15, 29)) == []
    assert listed(datetime(2026, 12, 8, 15, 30)) == [ours.id, theirs.id]
    assert listed(datetime(2026, 12, 8, 15, 30), days=3) == []
    assert listed(datetime(2026, 12, 8, 15, 30), schools=(cast.school.id,)) == [ours.id]
    assert "2 working days" in StuckKind.CME_NOT_TRACED.rule(StuckScope(FRIDAY, cme_days=2))
    # Traced: off the list; the register keeps it among the traced.
    _act(db, cast, ours, datetime(2026, 12, 7, 9, 0), status="found_on_roll")
    assert listed(datetime(2026, 12, 9, 9, 0)) == [theirs.id]
    mine = cme.register(db, (cast.school.id,), datetime(2026, 12, 9, 9, 0), 2)
    assert ([e.case for e in mine.open], [e.case for e in mine.traced]) == ([], [ours])
    everyone = cme.register(db, None, datetime(2026, 12, 9, 9, 0), 2)
    assert [e.case for e in everyone.open] == [theirs] and everyone.open[0].overdue


def test_it_lists_a_need_every_provider_declined(db: Session, cast: Cast) -> None:
    first = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    draft = first.request
    assert draft is not None
    referral_ops.decline_referral(db, first, actor(cast.manager), FRIDAY, "no_capacity", "Full")
    second = referral_ops.reroute_need(db, first, make_service(db, cast.other_provider).id,
                                       actor(cast.staff), FRIDAY)
    db.flush()
    scope = StuckScope(FRIDAY)
    assert stuck_counts(db, scope)[StuckKind.EVERY_PROVIDER_DECLINED] == 0  # one still open
    referral_ops.open_referral(db, second, actor(cast.other_manager), FRIDAY)
    referral_ops.decline_referral(db, second, actor(cast.other_manager), FRIDAY,
                                  "not_eligible", "Too old")
    db.flush()
    (item,) = stuck_page(db, scope, StuckKind.EVERY_PROVIDER_DECLINED.value).sections[
        StuckKind.EVERY_PROVIDER_DECLINED]
    assert (item.child_id, [r.id for r in item.referrals]) == (first.child_id,
                                                              [first.id, second.id])
    assert item.need_code  # the need's name
    assert stuck_counts(db, StuckScope(FRIDAY, school_ids=(cast.other_school.id,)))[
        StuckKind.EVERY_PROVIDER_DECLINED] == 0


def test_it_uses_the_services_response_time_for_opened_and_not_decided(
    db: Session, cast: Cast
) -> None:
    started = datetime(2026, 11, 30, 10, 0)  # Monday
    quick = make_service(db, cast.provider, name="Quick")
    quick.response_working_days = 2
    slow = make_service(db, cast.provider, name="Slow")
    fast = sent_referral(db, cast, quick, opened=True, now=started)
    default = sent_referral(db, cast, slow, opened=True, now=started)
    db.flush()

    def listed(now: datetime, decide_days: int = 5) -> list[tuple[int, int | None]]:
        scope = StuckScope(now, decide_days=decide_days)
        return [(i.referral.id, i.typical) for i in stuck_page(
            db, scope, StuckKind.NOT_DECIDED.value).sections[StuckKind.NOT_DECIDED]
            if i.referral]

    assert listed(datetime(2026, 12, 1, 18, 0)) == []  # Tuesday: one working day
    assert listed(datetime(2026, 12, 2, 0, 1)) == [(fast.id, 2)]  # Wednesday: two
    assert listed(datetime(2026, 12, 7, 0, 1)) == [(fast.id, 2), (default.id, 5)]
    assert listed(datetime(2026, 12, 4, 0, 1), decide_days=4) == [(fast.id, 2),
                                                                   (default.id, 4)]
    assert stuck_counts(db, StuckScope(datetime(2026, 12, 2, 0, 1)))[
        StuckKind.NOT_DECIDED] == 1


def test_it_links_a_concern_to_a_child_record_later_with_confirmation(
    db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    child = referral.child
    item = concern(db, cast.staff, cast.school.id, FRIDAY, first_name=child.first_name,
                   last_name=child.last_name)
    case = _case(db, item.id)
    assert item.child_id is None
    assert ops.link_candidates(db, item, (cast.school.id,)) == [child]
    assert ops.link_candidates(db, item, (cast.other_school.id,)) == []
    with pytest.raises(InvalidInput):
        ops.link_child(db, item, child, False, actor(cast.dsl), FRIDAY)
    ops.link_child(db, item, child, True, actor(cast.dsl), FRIDAY)
    assert (item.child_id, case.child_id) == (child.id, child.id)
    assert (child.first_name, child.last_name) == (referral.child.first_name,
                                                   referral.child.last_name)
    assert item.events[-1].summary == "Linked to the child's record"
    assert [a.case_id for a in cme.child_actions(db, child.id, MissingEducationCase.id > 0)
            ] == [case.id]
    (audited,) = db.execute(select(AuditEvent).where(
        AuditEvent.action == "safeguarding_child_linked")).scalars()
    assert (audited.child_id, audited.actor_id) == (child.id, cast.dsl.id)
    with pytest.raises(InvalidInput):
        ops.link_child(db, item, child, True, actor(cast.dsl), FRIDAY)
