"""Concerns and safeguarding stops in the lead's queue: recording, matching a child,
messages without names, decisions, and a stop that a later "no" cannot undo."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as referral_ops
from routing.referrals.audit import AuditEvent
from routing.referrals.children import ChildDetails, ConfirmMatch
from routing.referrals.models import Child, RequestStatus
from routing.referrals.outbox import OutboxMessage
from routing.safeguarding import operations as ops
from routing.safeguarding.models import ConcernKind, Decision, SafeguardingEvent
from services.accounts.models import Role, User
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft, sent_referral

NOW = datetime(2026, 11, 30, 10, 0)  # a Monday
UPN = "B801200005001"


def _concern(**changes: object) -> ops.ConcernInput:
    base = ops.ConcernInput(kind="whereabouts_unknown", first_name="Kai",
                            last_known_address="Flat 2, 10 Deane Road, Bolton",
                            details="Not seen since half term; the flat is empty.")
    return replace(base, **changes)  # type: ignore[arg-type]


def _raise(db: Session, cast: Cast, data: ops.ConcernInput, same: bool | None = None,
           user: User | None = None):  # type: ignore[no-untyped-def]
    return ops.raise_concern(db, cast.school.id, actor(user or cast.staff), data, same,
                             secrets.token_urlsafe(24), NOW)


def _messages(db: Session) -> list[OutboxMessage]:
    return list(db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_it_records_a_concern_knowing_only_a_first_name_and_a_last_known_address(
    db: Session, cast: Cast
) -> None:
    item = _raise(db, cast, _concern())
    assert (item.kind, item.child_id, item.school_id) == (
        ConcernKind.WHEREABOUTS_UNKNOWN, None, cast.school.id)
    assert item.reference.startswith("SG-") and item.open
    (event,) = db.execute(select(SafeguardingEvent)).scalars()
    assert event.summary == "Recorded: Whereabouts unknown" and event.actor_id == cast.staff.id
    actions = db.execute(select(AuditEvent.action).where(AuditEvent.actor_id == cast.staff.id))
    assert "safeguarding_raised" in set(actions.scalars())
    (message,) = _messages(db)
    assert (message.recipient, message.template, message.reference) == (
        cast.dsl.email, "safeguarding_item", item.reference)
    assert message.link_path == f"/safeguarding/items/{item.id}"


@pytest.mark.parametrize("first_name", ["Kai", "Zoë-Mae"])
def test_it_the_leads_message_holds_a_reference_and_a_link_but_no_name(
    db: Session, cast: Cast, first_name: str
) -> None:
    _raise(db, cast, _concern(first_name=first_name, last_name="Okonkwo-Smith",
                              date_of_birth=date(2014, 2, 3)))
    draft = complete_draft(db, cast, {"MHW": make_service(db, cast.provider)},
                           first_name=first_name)
    draft.status = RequestStatus.DRAFT
    referral_ops.stop_for_safeguarding(db, draft, actor(cast.staff), NOW)
    messages = _messages(db)
    assert [m.template for m in messages] == ["safeguarding_item", "safeguarding_item"]
    for message in messages:
        text = " ".join(str(getattr(message, column)) for column in
                        ("recipient", "template", "reference", "service_name", "link_path"))
        for name in (first_name, "Okonkwo", "Jones", "2014"):
            assert name.lower() not in text.lower()


def test_it_tells_the_coordinator_when_the_school_has_no_safeguarding_lead(
    db: Session, cast: Cast
) -> None:
    ops.raise_concern(db, cast.other_school.id, actor(cast.other_staff), _concern(), None,
                      secrets.token_urlsafe(24), NOW)
    assert [(m.recipient, m.template) for m in _messages(db)] == [
        (cast.coordinator.email, "safeguarding_item")]


@pytest.mark.parametrize(("changes", "fields"), [
    ({"first_name": "", "last_name": ""}, {"first_name"}),
    ({"last_known_address": "", "known_school": ""}, {"known_school"}),
    ({"kind": "safeguarding_stop"}, {"kind"}),
    ({"kind": "nonsense", "details": " "}, {"kind", "details"}),
    ({"date_of_birth": date(2099, 1, 1)}, {"date_of_birth"}),
    ({"date_unreadable": True}, {"date_of_birth"}),
    ({"upn": "B80120000500X", "nhs_number": "123"}, {"upn", "nhs_number"}),
    ({"home_postcode": "BL1"}, {"home_postcode"}),
])
def test_it_refuses_a_concern_with_a_message_for_each_field(
    db: Session, cast: Cast, changes: dict[str, object], fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _raise(db, cast, _concern(**changes))
    assert set(refused.value.errors) == fields


def test_it_a_school_name_alone_is_enough_to_find_the_child(db: Session, cast: Cast) -> None:
    item = _raise(db, cast, _concern(kind="not_on_roll", last_known_address="",
                                     known_school="St Peter's, Farnworth"))
    assert item.known_school == "St Peter's, Farnworth" and item.kind is ConcernKind.NOT_ON_ROLL


def _child(db: Session, cast: Cast, **changes: object) -> Child:
    child = Child(first_name="Ava", last_name="Khan", date_of_birth=date(2015, 3, 14),
                  school_id=cast.school.id, home_postcode="BL1 1SE", upn=UPN)
    for key, value in changes.items():
        setattr(child, key, value)
    db.add(child)
    db.flush()
    return child


def test_it_links_a_child_by_upn_only_when_confirmed_and_never_changes_their_record(
    db: Session, cast: Cast
) -> None:
    child = _child(db, cast)
    typed = _concern(first_name="Eva", last_name="Kahn", upn=UPN, home_postcode="bl2 2ju")
    with pytest.raises(ConfirmMatch) as asked:
        _raise(db, cast, typed)
    assert asked.value.match.child.id == child.id
    with pytest.raises(InvalidInput) as refused:  # "different child" with their UPN
        _raise(db, cast, typed, same=False)
    assert set(refused.value.errors) == {"upn"}
    item = _raise(db, cast, typed, same=True)
    assert item.child_id == child.id
    db.refresh(child)
    assert (child.first_name, child.last_name, child.home_postcode, child.upn) == (
        "Ava", "Khan", "BL1 1SE", UPN)
    assert (item.first_name, item.home_postcode) == ("Eva", "BL2 2JU")


def test_it_a_name_alone_never_matches_a_record(db: Session, cast: Cast) -> None:
    _child(db, cast, upn=None)
    item = _raise(db, cast, _concern(first_name="Ava", last_name="Khan"))
    assert item.child_id is None


def test_it_a_probable_match_by_name_birth_and_postcode_is_asked_about(
    db: Session, cast: Cast
) -> None:
    child = _child(db, cast, upn=None)
    typed = _concern(first_name="ava", last_name="KHAN", date_of_birth=date(2015, 3, 14),
                     home_postcode="BL11SE")
    with pytest.raises(ConfirmMatch):
        _raise(db, cast, typed)
    assert _raise(db, cast, typed, same=False).child_id is None
    assert _raise(db, cast, typed, same=True).child_id == child.id


def test_it_a_repeated_submit_records_one_concern(db: Session, cast: Cast) -> None:
    key = secrets.token_urlsafe(24)
    first = ops.raise_concern(db, cast.school.id, actor(cast.staff), _concern(), None, key, NOW)
    again = ops.raise_concern(db, cast.school.id, actor(cast.staff), _concern(), None, key, NOW)
    assert first.id == again.id and len(_messages(db)) == 1


def _decision(**changes: object) -> ops.DecisionInput:
    base = ops.DecisionInput(decision="front_door", front_door_on=NOW.date(),
                             front_door_reference="MASH-4471")
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "fields"), [
    ({"decision": ""}, {"decision"}),
    ({"front_door_on": None}, {"front_door_on"}),
    ({"date_unreadable": True}, {"front_door_on"}),
    ({"front_door_on": NOW.date() + timedelta(days=1)}, {"front_door_on"}),
    ({"front_door_on": NOW.date() - timedelta(days=400)}, {"front_door_on"}),
    ({"decision": "no_further_action", "note": "  "}, {"note"}),
])
def test_it_refuses_an_incomplete_decision(
    db: Session, cast: Cast, changes: dict[str, object], fields: set[str]
) -> None:
    item = _raise(db, cast, _concern())
    with pytest.raises(InvalidInput) as refused:
        ops.decide(db, item, actor(cast.dsl), _decision(**changes), NOW)
    assert set(refused.value.errors) == fields
    assert item.decision is None


def test_it_records_a_front_door_handover_once_then_its_outcome(db: Session, cast: Cast) -> None:
    item = _raise(db, cast, _concern())
    later = NOW + timedelta(hours=2)
    ops.decide(db, item, actor(cast.dsl), _decision(), later)
    assert (item.decision, item.decided_at, item.front_door_reference) == (
        Decision.FRONT_DOOR, later, "MASH-4471")
    with pytest.raises(InvalidInput, match="already recorded"):
        ops.decide(db, item, actor(cast.dsl), _decision(decision="in_school"), later)
    assert item.decision is Decision.FRONT_DOOR
    with pytest.raises(InvalidInput):
        ops.add_front_door_outcome(db, item, actor(cast.dsl), "", " ", later)
    ops.add_front_door_outcome(db, item, actor(cast.dsl), "", "Strategy meeting held",
                               later + timedelta(days=3))
    assert (item.front_door_reference, item.front_door_outcome) == (
        "MASH-4471", "Strategy meeting held")
    summaries = [e.summary for e in item.events]
    assert summaries == ["Recorded: Whereabouts unknown",
                         f"Decision: {Decision.FRONT_DOOR.label}", "Front door update"]
    assert "MASH-4471" in item.events[1].note
    actions = set(db.execute(select(AuditEvent.action)).scalars())
    assert {"safeguarding_decided", "safeguarding_outcome"} <= actions


def test_it_no_further_action_keeps_its_reason_and_has_no_front_door_details(
    db: Session, cast: Cast
) -> None:
    item = _raise(db, cast, _concern())
    ops.decide(db, item, actor(cast.dsl),
               _decision(decision="no_further_action", note="Family moved; new school told"),
               NOW)
    assert (item.decision_note, item.front_door_on, item.front_door_reference) == (
        "Family moved; new school told", None, "")
    with pytest.raises(InvalidInput):
        ops.add_front_door_outcome(db, item, actor(cast.dsl), "X", "Y", NOW)


def test_it_a_stop_stays_in_the_queue_whatever_a_later_form_answers(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    earlier = sent_referral(db, cast, service)  # the child has a record
    draft = referral_ops.start_request(db, secrets.token_hex(8), cast.staff.id,
                                       cast.school.id, NOW)
    child = earlier.child
    details = ChildDetails(child.first_name, child.last_name, child.date_of_birth,
                           child.home_postcode)
    referral_ops.save_child(db, draft, details, True, NOW)
    referral_ops.stop_for_safeguarding(db, draft, actor(cast.staff), NOW)
    item = ops.item_for_draft(db, draft)
    assert item is not None and item.child_id == child.id
    assert item.kind is ConcernKind.SAFEGUARDING_STOP
    # The stopped form cannot be answered again.
    with pytest.raises(InvalidInput):
        referral_ops.clear_safeguarding(draft, NOW, actor(cast.staff))
    # A new form for the same child answering "no" leaves the stop open, on record.
    again = referral_ops.start_request(db, secrets.token_hex(8), cast.staff.id,
                                       cast.school.id, NOW)
    referral_ops.save_child(db, again, details, True, NOW)
    assert ops.open_items_for_draft(db, again) == [item]
    referral_ops.clear_safeguarding(again, NOW + timedelta(minutes=5), actor(cast.staff))
    db.refresh(item)
    assert item.open
    assert item.events[-1].summary == "A later referral form answered 'no' to significant harm"
    assert item.events[-1].actor_id == cast.staff.id


def test_it_a_stop_without_a_record_is_found_by_name_and_birth_on_a_new_form(
    db: Session, cast: Cast
) -> None:
    details = ChildDetails("Noah", "Price", date(2016, 5, 1), "BL1 1SE")
    first = referral_ops.start_request(db, secrets.token_hex(8), cast.staff.id,
                                       cast.school.id, NOW)
    referral_ops.save_child(db, first, details, None, NOW)
    referral_ops.stop_for_safeguarding(db, first, actor(cast.staff), NOW)
    again = referral_ops.start_request(db, secrets.token_hex(8), cast.staff.id,
                                       cast.school.id, NOW)
    referral_ops.save_child(db, again, replace(details, first_name="NOAH"), None, NOW)
    (item,) = ops.open_items_for_draft(db, again)
    assert item.request_id == first.id and item.child_id is None
    # Another school's form for a child of the same name sees nothing of it.
    elsewhere = referral_ops.start_request(db, secrets.token_hex(8), cast.other_staff.id,
                                           cast.other_school.id, NOW)
    referral_ops.save_child(db, elsewhere, details, None, NOW)
    assert ops.open_items_for_draft(db, elsewhere) == []


def test_it_only_active_leads_of_the_school_are_told(db: Session, cast: Cast) -> None:
    from tests.factories import make_user

    second = make_user(db, Role.SAFEGUARDING_LEAD, cast.school.organisation)
    gone = make_user(db, Role.SAFEGUARDING_LEAD, cast.school.organisation)
    gone.active = False
    make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation)
    _raise(db, cast, _concern())
    assert sorted(m.recipient for m in _messages(db)) == sorted([cast.dsl.email, second.email])
