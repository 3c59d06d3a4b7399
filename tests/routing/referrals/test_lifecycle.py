"""Lifecycle, capacity, child records, safeguarding, idempotency and the stuck report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import capacity
from routing.referrals import operations as ops
from routing.referrals.children import ChildDetails, clean_details
from routing.referrals.lifecycle import ALLOWED, TransitionRefused
from routing.referrals.models import (
    Referral,
    ReferralEvent,
    ReferralRequest,
    RequestStatus,
    Status,
)
from routing.referrals.outbox import OutboxMessage
from routing.referrals.stuck import StuckItem, StuckKind, StuckScope, stuck_report
from services.db import utcnow
from services.errors import AlreadyDone, InvalidInput
from services.listings import Capacity
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft, sent_referral


def _free(db: Session, service_id: int) -> int:
    return db.execute(
        select(Capacity.free_places).where(Capacity.service_id == service_id)
    ).scalar_one()


def test_it_sending_a_form_makes_one_referral_per_service_and_tells_the_provider(
    db: Session, cast: Cast
) -> None:
    one = make_service(db, cast.provider, needs=("MHW",))
    two = make_service(db, cast.other_provider, needs=("HOUSING",))
    one.contact_email = "team@provider.test"
    draft = complete_draft(db, cast, {"MHW": one, "HOUSING": two})
    referrals = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
                                 declared=True)
    assert [r.status for r in referrals] == [Status.SENT, Status.SENT]
    assert {r.service_id for r in referrals} == {one.id, two.id}
    message = db.execute(select(OutboxMessage)).scalars().one()
    assert message.recipient == "team@provider.test"
    assert message.reference == referrals[0].reference
    assert "Sam" not in f"{message.reference}{message.service_name}{message.link_path}"


def test_it_submitting_the_same_form_twice_makes_one_referral(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {"MHW": service})
    first = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    again = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    assert [r.id for r in first] == [r.id for r in again]
    assert db.execute(select(func.count(Referral.id))).scalar_one() == 1


def test_it_starting_the_form_twice_with_one_key_makes_one_draft(db: Session, cast: Cast) -> None:
    a = ops.start_request(db, "k" * 20, cast.staff.id, cast.school.id, utcnow())
    b = ops.start_request(db, "k" * 20, cast.staff.id, cast.school.id, utcnow())
    assert a.id == b.id


def test_it_safeguarding_stop_sends_nothing_and_records_that_it_stopped(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {"MHW": service})
    draft.status = RequestStatus.DRAFT
    ops.stop_for_safeguarding(db, draft, actor(cast.staff), utcnow())
    with pytest.raises(InvalidInput):
        ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    assert db.execute(select(func.count(Referral.id))).scalar_one() == 0
    # No provider hears of it; the school's safeguarding lead is told, and only them.
    messages = db.execute(select(OutboxMessage)).scalars().all()
    assert [(m.recipient, m.template) for m in messages] == [
        (cast.dsl.email, "safeguarding_item")]
    stopped = db.get(ReferralRequest, draft.id)
    assert stopped is not None and stopped.safeguarding_stopped_at is not None


@pytest.mark.parametrize("to", list(Status))
def test_it_makes_only_allowed_transitions_from_sent(db: Session, cast: Cast, to: Status) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    if to in ALLOWED[Status.SENT]:
        ops.lifecycle_move = None  # documents that move() is the only path
        from routing.referrals.lifecycle import move

        move(db, referral, to, actor(cast.manager), utcnow())
        assert referral.status is to
    else:
        from routing.referrals.lifecycle import move

        with pytest.raises(TransitionRefused):
            move(db, referral, to, actor(cast.manager), utcnow())


def test_it_every_change_writes_an_event_with_who_and_from_and_to(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    ops.accept_referral(db, referral, actor(cast.manager), utcnow())
    db.flush()
    events = db.execute(
        select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.id)
    ).scalars().all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (Status.DRAFT, Status.SENT), (Status.SENT, Status.OPENED),
        (Status.OPENED, Status.ACCEPTED),
    ]
    assert events[-1].actor_id == cast.manager.id
    assert events[-1].organisation_id == cast.provider.id


def test_it_events_cannot_be_changed(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.flush()
    event = db.execute(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id))
    first = event.scalars().first()
    assert first is not None
    first.reason = "rewritten"
    with pytest.raises(ValueError, match="cannot be changed"):
        db.flush()
    db.rollback()


def test_it_a_declined_or_closed_referral_cannot_be_accepted(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    ops.decline_referral(db, referral, actor(cast.manager), utcnow(), "not_eligible", "Too old")
    with pytest.raises(TransitionRefused):
        ops.accept_referral(db, referral, actor(cast.manager), utcnow())


def test_it_accepting_with_no_place_wait_lists_and_says_so(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=0)
    referral = sent_referral(db, cast, service, opened=True)
    outcome = ops.accept_referral(db, referral, actor(cast.manager), utcnow())
    assert not outcome.accepted and outcome.position == 1
    assert "no free places" in outcome.message
    assert referral.status is Status.WAITLISTED


def test_it_closing_frees_the_place_for_the_highest_risk_on_the_wait_list(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=1)
    holder = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, holder, actor(cast.manager), utcnow())
    low = sent_referral(db, cast, service, risk="low", opened=True)
    ops.accept_referral(db, low, actor(cast.manager), utcnow() - timedelta(days=3))
    high = sent_referral(db, cast, service, risk="high", opened=True)
    ops.accept_referral(db, high, actor(cast.manager), utcnow())
    db.flush()
    assert _free(db, service.id) == 0
    offered = ops.close_referral(db, holder, actor(cast.manager), utcnow(), "support_completed")
    assert offered is high and high.status is Status.ACCEPTED
    assert low.status is Status.WAITLISTED
    assert _free(db, service.id) == 0


def test_it_offers_a_freed_place_to_an_urgent_referral_before_a_higher_risk_one(
    db: Session, cast: Cast
) -> None:
    """What the form promises: urgent needs first, then risk, then time waiting."""
    service = make_service(db, cast.provider, free_places=1)
    holder = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, holder, actor(cast.manager), utcnow())
    risky = sent_referral(db, cast, service, risk="high", opened=True)
    ops.accept_referral(db, risky, actor(cast.manager), utcnow() - timedelta(days=5))
    urgent = sent_referral(db, cast, service, risk="low", urgent=True, opened=True)
    ops.accept_referral(db, urgent, actor(cast.manager), utcnow())
    waiting_longer = sent_referral(db, cast, service, risk="high", opened=True)
    ops.accept_referral(db, waiting_longer, actor(cast.manager), utcnow() - timedelta(days=1))
    db.flush()
    assert urgent.urgent and not risky.urgent
    positions = [capacity.waitlist_position(db, r) for r in (urgent, risky, waiting_longer)]
    assert positions == [1, 2, 3]
    offered = ops.close_referral(db, holder, actor(cast.manager), utcnow(), "support_completed")
    assert offered is urgent and urgent.status is Status.ACCEPTED
    assert risky.status is Status.WAITLISTED


def test_it_withdrawing_an_accepted_referral_gives_the_place_back(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=1)
    referral = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, referral, actor(cast.manager), utcnow())
    ops.withdraw_referral(db, referral, actor(cast.staff), utcnow(), "Family moved")
    db.flush()
    assert _free(db, service.id) == 1


def test_it_rerouting_a_declined_need_sends_it_to_another_service_once(
    db: Session, cast: Cast
) -> None:
    first = make_service(db, cast.provider)
    second = make_service(db, cast.other_provider)
    referral = sent_referral(db, cast, first, opened=True)
    ops.decline_referral(db, referral, actor(cast.manager), utcnow(), "no_capacity", "Full")
    with pytest.raises(InvalidInput):
        ops.reroute_need(db, referral, first.id, actor(cast.staff), utcnow())
    onward = ops.reroute_need(db, referral, second.id, actor(cast.staff), utcnow())
    assert onward.status is Status.SENT and onward.need_codes == referral.need_codes
    # A second re-route is a double submit: already done, nothing more made.
    with pytest.raises(AlreadyDone):
        ops.reroute_need(db, referral, second.id, actor(cast.staff), utcnow())


def test_it_invalid_upn_and_nhs_numbers_are_refused() -> None:
    details = ChildDetails("Sam", "Jones", date(2015, 1, 1), "BL1 1SE", "B801200005002",
                           "9434765918")
    with pytest.raises(InvalidInput) as error:
        clean_details(details, date(2025, 1, 1))
    assert set(error.value.errors) == {"upn", "nhs_number"}


def test_it_valid_identifiers_are_normalised() -> None:
    details = ChildDetails("Sam", "Jones", date(2015, 1, 1), "bl11se", "b801200005001",
                           "943 476 5919")
    clean = clean_details(details, date(2025, 1, 1))
    assert (clean.upn, clean.nhs_number, clean.home_postcode) == (
        "B801200005001", "9434765919", "BL1 1SE")


def _listed(report: dict[StuckKind, list[StuckItem]], kind: StuckKind) -> list[int]:
    return [item.referral.id for item in report[kind] if item.referral is not None]


def test_it_stuck_report_counts_working_days_not_calendar_days(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider)
    # Sent on Wednesday 24 December 2025: Christmas, Boxing Day and a weekend follow.
    sent_at = utcnow().replace(year=2025, month=12, day=24, hour=10)
    referral = sent_referral(db, cast, service, now=sent_at)
    db.flush()
    on_31st = sent_at.replace(day=31)
    assert not any(stuck_report(db, StuckScope(on_31st, 5)).values())  # 3 working days
    new_year = sent_at.replace(year=2026, month=1, day=2)
    assert not any(stuck_report(db, StuckScope(new_year, 5)).values())  # 4: New Year
    on_5th = sent_at.replace(year=2026, month=1, day=5)
    report = stuck_report(db, StuckScope(on_5th, 5))
    assert _listed(report, StuckKind.NOT_OPENED) == [referral.id]
    assert report[StuckKind.NOT_OPENED][0].waited == 5


def test_it_stuck_report_finds_declines_long_waits_and_unsupported_children(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=0, typical_wait_days=10)
    declined = sent_referral(db, cast, service, opened=True)
    ops.decline_referral(db, declined, actor(cast.manager), utcnow(), "other", "No")
    waiting = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, waiting, actor(cast.manager), utcnow() - timedelta(days=20))
    db.flush()
    report = stuck_report(db, StuckScope(utcnow()))
    assert _listed(report, StuckKind.DECLINED_NO_ONWARD) == [declined.id]
    assert _listed(report, StuckKind.LONG_WAIT) == [waiting.id]
    assert [i.child_id for i in report[StuckKind.UNSUPPORTED_CHILD]] == [declined.child_id]
