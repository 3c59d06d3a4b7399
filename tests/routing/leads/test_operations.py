"""Appointing, handing over and ending a child's lead practitioner: who may lead, what is
recorded (events, audit), and who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.leads import operations as ops
from routing.leads.caseload import caseload
from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals import operations as referral_ops
from routing.referrals.audit import AuditEvent
from routing.referrals.models import Child
from routing.referrals.outbox import OutboxMessage
from routing.referrals.stuck import StuckKind, StuckScope
from services.accounts.models import Role, User
from services.db import utcnow
from services.errors import InvalidInput
from services.organisations import OrganisationKind
from tests.factories import Cast, make_org, make_service, make_user
from tests.routing.referrals.helpers import actor, sent_referral


def _link_worker(db: Session, cast: Cast) -> User:
    return make_user(db, Role.LINK_WORKER, cast.other_provider, "link@example.test",
                     "Lina Worker")


def _appoint(
    db: Session, cast: Cast, child: Child, user: User, **changes: object
) -> LeadPractitioner:
    data = ops.AppointInput(user_id=user.id, family_agreed=True,
                            family_agreement="Mum, at a meeting in school", phone="01204 333 444")
    data = ops.AppointInput(**{**data.__dict__, **changes})  # type: ignore[arg-type]
    return ops.appoint_lead(db, child, data, actor(cast.staff), f"key-{user.id}-{child.id}",
                            utcnow())


def _messages(db: Session, recipient: str) -> list[OutboxMessage]:
    return list(db.execute(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient,
        OutboxMessage.template == ops.MESSAGE_TEMPLATE)).scalars())


def _audits(db: Session, action: str, child_id: int) -> list[AuditEvent]:
    return list(db.execute(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.child_id == child_id)).scalars())


def test_it_appoints_a_link_worker_records_it_and_tells_them_without_names(
    db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    lead = _appoint(db, cast, referral.child, worker)
    assert ops.current_lead(db, referral.child_id) is lead
    (event,) = ops.history(db, referral.child_id)
    assert "Lina Worker (Link worker" in event.summary
    assert event.actor_name == cast.staff.name
    assert "Mum, at a meeting in school" in event.note
    (row,) = _audits(db, "lead_appointed", referral.child_id)
    assert row.actor_id == cast.staff.id and row.subject_type == "lead_practitioner"
    assert "Mum" not in row.detail
    (message,) = _messages(db, worker.email)
    assert message.reference == lead.reference
    assert message.link_path == f"/caseload/children/{referral.child_id}"
    text = f"{message.reference} {message.service_name} {message.link_path}"
    assert referral.child.first_name not in text and referral.child.last_name not in text


def test_it_appoints_once_for_a_double_click(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    first = _appoint(db, cast, referral.child, worker)
    assert _appoint(db, cast, referral.child, worker) is first
    assert len(ops.history(db, referral.child_id)) == 1


def test_it_needs_the_familys_agreement_and_says_who_agreed(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    with pytest.raises(InvalidInput) as refused:
        _appoint(db, cast, referral.child, cast.staff, family_agreed=False, family_agreement="")
    assert set(refused.value.errors) == {"family_agreed", "family_agreement"}
    assert ops.current_lead(db, referral.child_id) is None


@pytest.mark.parametrize("field, value", [
    ("family_agreement", "x" * 301), ("note", "x" * 5001), ("phone", "call me"),
    ("phone", "0" * 51)])
def test_it_refuses_over_long_or_malformed_input_without_cutting_it(
    db: Session, cast: Cast, field: str, value: str
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    with pytest.raises(InvalidInput) as refused:
        _appoint(db, cast, referral.child, cast.staff, **{field: value})
    assert field in refused.value.errors


def test_it_lets_only_the_childs_school_staff_hub_workers_and_link_workers_lead(
    db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    child = referral.child
    assert ops.may_lead(db, cast.staff, child) and ops.may_lead(db, cast.dsl, child)
    assert ops.may_lead(db, cast.coordinator, child)
    assert ops.may_lead(db, _link_worker(db, cast), child)
    assert not ops.may_lead(db, cast.other_staff, child)
    assert not ops.may_lead(db, cast.manager, child)
    with pytest.raises(InvalidInput) as refused:
        _appoint(db, cast, child, cast.other_staff)
    assert "user_id" in refused.value.errors
    assert {u.id for u in ops.eligible_leads(db, child)} >= {cast.staff.id, cast.coordinator.id}
    assert cast.other_staff.id not in {u.id for u in ops.eligible_leads(db, child)}


def test_it_refuses_a_second_lead_and_asks_for_a_handover(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    _appoint(db, cast, referral.child, cast.staff)
    with pytest.raises(InvalidInput) as refused:
        _appoint(db, cast, referral.child, cast.dsl)
    assert "hand over" in refused.value.errors["user_id"]


def test_it_hands_over_with_a_note_records_both_and_tells_the_new_lead(
    db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    lead = _appoint(db, cast, referral.child, cast.staff)
    worker = _link_worker(db, cast)
    with pytest.raises(InvalidInput) as refused:
        ops.hand_over(db, lead, worker.id, "  ", "", actor(cast.staff), utcnow())
    assert "note" in refused.value.errors
    with pytest.raises(InvalidInput):
        ops.hand_over(db, lead, cast.staff.id, "Same person", "", actor(cast.staff), utcnow())
    successor = ops.hand_over(db, lead, worker.id, "Mum prefers texts after 4pm", "",
                              actor(cast.staff), utcnow())
    assert lead.ended_at is not None and lead.handed_to_id == successor.id
    assert ops.current_lead(db, referral.child_id) is successor
    assert successor.family_agreement == lead.family_agreement
    events = ops.history(db, referral.child_id)
    assert [e.note for e in events][-1] == "Mum prefers texts after 4pm"
    assert "handed over from" in events[-1].summary
    assert len(_audits(db, "lead_handed_over", referral.child_id)) == 1
    assert len(_messages(db, worker.email)) == 1


def test_it_ends_the_role_with_a_reason_once(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    lead = _appoint(db, cast, referral.child, cast.dsl)
    with pytest.raises(InvalidInput) as refused:
        ops.end_lead(db, lead, "", actor(cast.staff), utcnow())
    assert "reason" in refused.value.errors
    ops.end_lead(db, lead, "The family no longer wants a lead", actor(cast.staff), utcnow())
    assert ops.current_lead(db, referral.child_id) is None
    with pytest.raises(InvalidInput):
        ops.end_lead(db, lead, "Again", actor(cast.staff), utcnow())
    assert len(_audits(db, "lead_ended", referral.child_id)) == 1
    assert ops.history(db, referral.child_id)[-1].note == "The family no longer wants a lead"


def test_its_events_cannot_be_changed(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    _appoint(db, cast, referral.child, cast.staff)
    (event,) = db.execute(select(LeadEvent)).scalars()
    event.note = "rewritten"
    with pytest.raises(ValueError):
        db.flush()
    db.rollback()


def test_the_caseload_lists_open_referrals_what_is_stuck_and_last_activity(
    db: Session, cast: Cast
) -> None:
    now = utcnow()
    long_ago = now - timedelta(days=30)
    service = make_service(db, cast.provider)
    stuck = sent_referral(db, cast, service, now=long_ago)
    fresh = sent_referral(db, cast, make_service(db, cast.provider), now=now)
    other = sent_referral(db, cast, make_service(db, cast.provider), now=now)
    worker = _link_worker(db, cast)
    _appoint(db, cast, stuck.child, worker)
    _appoint(db, cast, fresh.child, worker)
    _appoint(db, cast, other.child, cast.staff)
    declined = sent_referral(db, cast, make_service(db, cast.provider), now=now)
    referral_ops.open_referral(db, declined, actor(cast.manager), now)
    referral_ops.decline_referral(db, declined, actor(cast.manager), now, "no_capacity",
                                  "Full until spring")
    _appoint(db, cast, declined.child, worker)
    db.flush()
    entries = caseload(db, worker.id, StuckScope(now))
    assert {e.child.id for e in entries} == {stuck.child_id, fresh.child_id, declined.child_id}
    by_child = {e.child.id: e for e in entries}
    assert [line.stuck for line in by_child[stuck.child_id].stuck] == [StuckKind.NOT_OPENED]
    assert by_child[fresh.child_id].stuck == ()
    assert [line.referral.id for line in by_child[fresh.child_id].open_referrals] == [fresh.id]
    assert by_child[declined.child_id].open_referrals == ()
    assert [line.stuck for line in by_child[declined.child_id].stuck] == [
        StuckKind.DECLINED_NO_ONWARD]
    # Stuck first; the last activity is the latest event the lead can see.
    assert entries[-1].child.id == fresh.child_id
    assert by_child[stuck.child_id].last_activity >= long_ago


def test_a_link_worker_must_belong_to_an_organisation_that_employs_them(
    db: Session, cast: Cast
) -> None:
    from services.accounts.operations import role_fits_organisation

    assert role_fits_organisation(Role.LINK_WORKER, cast.school.organisation) is not None
    assert role_fits_organisation(
        Role.LINK_WORKER, make_org(db, "Link Up Bolton", OrganisationKind.VOLUNTARY)) is None


def test_subject_access_includes_the_lead_practitioner_history(db: Session, cast: Cast) -> None:
    from routing.referrals.subject_access import subject_access

    referral = sent_referral(db, cast, make_service(db, cast.provider))
    lead = _appoint(db, cast, referral.child, cast.staff)
    ops.end_lead(db, lead, "Support finished", actor(cast.staff), utcnow())
    document = subject_access(db, referral.child_id, utcnow()).as_json()
    (section,) = [s for s in document["sections"] if s["title"].startswith("Lead practitioner")]
    assert [item["Why"] for item in section["items"]][-1] == "Support finished"
    assert section["items"][0]["By"]["redact_before_release"]
