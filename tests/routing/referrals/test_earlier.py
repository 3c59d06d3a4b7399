"""A child who moves school, below HTTP: existence, requests, grants, refusals, audit."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent
from routing.referrals.children import ChildDetails
from routing.referrals.earlier import (
    DetailsRequest,
    RequestState,
    active_grant,
    decide_details,
    earlier_referrals,
    request_details,
)
from routing.referrals.models import Referral, Status
from routing.referrals.outbox import OutboxMessage
from services.db import utcnow
from services.errors import AlreadyDone, InvalidInput
from services.listings import Service
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import FAMILY, actor, complete_draft


def moved_child(db: Session, cast: Cast) -> tuple[Referral, Referral, Service]:
    """The first school's referral of a child, and the new school's of the same child."""
    service = make_service(db, cast.provider, name="Calm Minds", needs=("MHW",))
    draft = complete_draft(db, cast, {"MHW": service}, first_name="Maya")
    (earlier,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)
    now = utcnow()
    new = ops.start_request(db, secrets.token_hex(8), cast.other_staff.id,
                            cast.other_school.id, now)
    ops.save_child(db, new, ChildDetails("Maya", "Jones", date(2015, 3, 14), "BL1 1SE"),
                   True, now)
    ops.save_step(db, new, "needs", {"needs": ["MHW"], "family_wants": "Settle in"}, now)
    ops.save_step(db, new, "profile", {"strengths": "Netball"}, now)
    ops.save_step(db, new, "risk", {f"{k}_level": "low" for k in ops.RISK_KINDS}, now)
    ops.clear_safeguarding(new, now)
    ops.save_step(db, new, "consent", {"lawful_basis": "public_task", "family_agreed": "no"},
                  now)
    ops.save_step(db, new, "urgency", {"urgent": []}, now)
    ops.save_step(db, new, "family", FAMILY, now)
    ops.save_step(db, new, "contact", {"person": "carer-0", "ways": ["phone"],
                                       "times": "After 4pm"}, now)
    ops.choose_providers(db, new, {"MHW": service.id}, now)
    (later,) = ops.refer_family(db, new, new.send_key, actor(cast.other_staff), now, declared=True)
    assert later.child_id == earlier.child_id
    db.flush()
    return earlier, later, service


def test_it_shows_a_new_school_that_earlier_referrals_exist(db: Session, cast: Cast) -> None:
    earlier, later, service = moved_child(db, cast)

    (group,) = earlier_referrals(db, later.child_id, [cast.other_school.id], utcnow())
    assert group.holder_school_id == cast.school.id
    assert [(r.id, r.service, r.status) for r in group.referrals] == [
        (earlier.id, service.name, Status.SENT)]
    assert group.latest is None and not group.granted
    # The earlier school sees the new school's referral the same way.
    (back,) = earlier_referrals(db, later.child_id, [cast.school.id], utcnow())
    assert [r.id for r in back.referrals] == [later.id]


def test_it_tells_the_earlier_schools_lead_and_audits_the_request(
    db: Session, cast: Cast
) -> None:
    _, later, _ = moved_child(db, cast)
    made = request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                           actor(cast.other_staff), "She joined us in September", "k1",
                           utcnow())
    again = request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                            actor(cast.other_staff), "She joined us in September", "k1",
                            utcnow())
    assert again.id == made.id and made.state is RequestState.PENDING

    (message,) = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == "details_requested")).scalars()
    assert message.recipient == cast.dsl.email
    assert message.reference == made.reference
    assert message.link_path == f"/referrals/details-requests/{made.id}"
    assert "Maya" not in message.service_name
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "details_requested",
        AuditEvent.subject_id == made.reference)).scalar_one().child_id == later.child_id
    with pytest.raises(AlreadyDone):
        request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                        actor(cast.other_staff), "Again", "k2", utcnow())


def test_it_refuses_a_request_without_a_reason_or_about_no_earlier_referral(
    db: Session, cast: Cast
) -> None:
    _, later, _ = moved_child(db, cast)
    with pytest.raises(InvalidInput) as blank:
        request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                        actor(cast.other_staff), "  ", "", utcnow())
    assert "reason" in blank.value.errors
    with pytest.raises(InvalidInput):
        request_details(db, later.child_id, cast.other_school.id, cast.other_school.id,
                        actor(cast.other_staff), "Own school", "", utcnow())


def test_it_grants_for_a_time_and_refuses_only_with_a_reason(db: Session, cast: Cast) -> None:
    _, later, _ = moved_child(db, cast)
    now = utcnow()
    first = request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                            actor(cast.other_staff), "Eating worries", "", now)
    with pytest.raises(InvalidInput):
        decide_details(db, first, actor(cast.dsl), False, "", now, 30)
    decide_details(db, first, actor(cast.dsl), False, "Ask the family first", now, 30)
    assert first.state is RequestState.REFUSED and first.expires_at is None
    assert active_grant(db, later.child_id, cast.school.id, [cast.other_school.id], now) is None
    with pytest.raises(AlreadyDone):
        decide_details(db, first, actor(cast.dsl), True, "", now, 30)

    second = request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                             actor(cast.other_staff), "The family agreed", "", now)
    decide_details(db, second, actor(cast.dsl), True, "", now, 30)
    assert active_grant(db, later.child_id, cast.school.id, [cast.other_school.id],
                        now + timedelta(days=29)) is second
    assert active_grant(db, later.child_id, cast.school.id, [cast.other_school.id],
                        now + timedelta(days=30, seconds=1)) is None
    # Only the school that asked is granted.
    assert active_grant(db, later.child_id, cast.school.id, [cast.school.id], now) is None
    actions = {row.action for row in db.execute(select(AuditEvent).where(
        AuditEvent.subject_type == "details_request")).scalars()}
    assert {"details_requested", "details_granted", "details_refused"} <= actions
    told = [m.template for m in db.execute(select(OutboxMessage).where(
        OutboxMessage.recipient == cast.other_staff.email)).scalars()]
    assert told.count("details_refused") == 1 and told.count("details_granted") == 1


def test_it_puts_the_requests_in_subject_access_and_purges_them_with_the_child(
    db: Session, cast: Cast
) -> None:
    from routing.referrals.models import Child
    from routing.referrals.retention import RetentionPolicy, purge, years_before
    from routing.referrals.subject_access import subject_access

    earlier, later, _ = moved_child(db, cast)
    now = utcnow()
    made = request_details(db, later.child_id, cast.school.id, cast.other_school.id,
                           actor(cast.other_staff), "Eating worries", "", now)
    document = subject_access(db, later.child_id, now).as_json()
    (asked,) = [s for s in document["sections"] if s["title"].startswith("Schools' requests")]
    assert asked["items"][0]["Reference"] == made.reference
    assert asked["items"][0]["Why"] == "Eating worries"
    (referrals,) = [s for s in document["sections"] if s["title"] == "Referrals"]
    assert "Safeguarding notes" not in referrals["items"][0]["Shown to the service"]

    for referral in (earlier, later):
        ops.withdraw_referral(db, referral, actor(cast.staff if referral is earlier
                                                   else cast.other_staff), now, "Not needed")
    db.commit()
    child_id = later.child_id
    purge(db, RetentionPolicy(), years_before(now, -6) + timedelta(days=1))
    db.commit()
    assert db.get(Child, child_id) is None
    assert db.execute(select(DetailsRequest)).first() is None
