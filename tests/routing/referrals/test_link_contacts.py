"""Sending the family's progress link to a contact the family record already holds:
offered by key, never by address; a typed address is used once and never saved; the
record is never changed from the send form."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import family
from routing.referrals.audit import AuditEvent
from routing.referrals.family_models import Carer, CarerChange
from routing.referrals.link_delivery import (
    TYPED,
    LinkRecipient,
    known_contacts,
    send_link,
)
from routing.referrals.models import Referral
from routing.referrals.outbox import OutboxMessage
from services.db import utcnow
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral


@pytest.fixture
def referral(db: Session, cast: Cast) -> Referral:
    """A sent referral whose family record holds Jo Jones (mother, mobile 07700 900982)."""
    return sent_referral(db, cast, make_service(db, cast.provider))


def _add(db: Session, cast: Cast, referral: Referral, name: str, **fields: str) -> Carer:
    return family.add_carer(db, referral.child, {
        "carer-name": name, "carer-relationship": fields.pop("relationship", "Father"),
        "carer-parental_responsibility": "yes", **{f"carer-{k}": v for k, v in fields.items()}},
        actor(cast.staff), utcnow())


def _record(db: Session) -> list[tuple[object, ...]]:
    return [(c.id, c.name, c.phone, c.email, c.updated_at) for c in
            db.execute(select(Carer).order_by(Carer.id)).scalars()]


def test_it_offers_each_email_and_mobile_of_carers_who_may_be_contacted(
    db: Session, cast: Cast, referral: Referral
) -> None:
    dad = _add(db, cast, referral, "Lee Jones", phone="01204 332000",
               email="Lee.Jones@Example.com")
    _add(db, cast, referral, "Ann Jones", relationship="Grandmother", phone="07700 900123",
         do_not_contact="yes", do_not_contact_reason="Court order")
    contacts = known_contacts(db, referral.child_id)
    assert [(c.name, c.channel, c.address) for c in contacts] == [
        ("Jo Jones", "sms", "07700900982"), ("Lee Jones", "email", "Lee.Jones@example.com")]
    assert contacts[0].label == "Text message to Jo Jones (Mother), 07700 900982"
    assert contacts[1].key == f"carer-{dad.id}-email"  # a key, not the address
    assert all("@" not in c.key and "0770" not in c.key for c in contacts)
    assert known_contacts(db, 10**9) == []


def _send(db: Session, cast: Cast, referral: Referral, recipient: LinkRecipient) -> str:
    link, token = issue_link(db, referral.child_id, cast.staff)
    return send_link(db, link, token, recipient, cast.school.name, actor(cast.staff),
                     utcnow(), secrets.token_urlsafe(24), known_contacts(db, referral.child_id))


def test_it_sends_to_the_chosen_contact_without_changing_the_record(
    db: Session, cast: Cast, referral: Referral
) -> None:
    (mother,) = known_contacts(db, referral.child_id)
    before = _record(db)
    how = _send(db, cast, referral, LinkRecipient("", "", "", True, contact=mother.key))
    assert how == "text message"
    (message,) = db.execute(select(OutboxMessage)).scalars()
    assert (message.recipient, message.channel) == ("07700900982", "sms")
    assert _record(db) == before
    (event,) = db.execute(select(AuditEvent).where(
        AuditEvent.action == "progress_link_sent")).scalars()
    assert event.detail == "by text message, to a contact on the family record"
    assert (event.subject_type, event.subject_id) == ("carer", mother.key.split("-")[1])
    assert "0770" not in str(vars(event)) and "Jo Jones" not in str(vars(event))


def test_it_sends_to_a_typed_address_once_and_never_saves_it(
    db: Session, cast: Cast, referral: Referral
) -> None:
    before = _record(db)
    changes = db.execute(select(func.count()).select_from(CarerChange)).scalar_one()
    how = _send(db, cast, referral, LinkRecipient("email", "aunt@example.com", "", True,
                                                  contact=TYPED))
    assert how == "email"
    (message,) = db.execute(select(OutboxMessage)).scalars()
    assert message.recipient == "aunt@example.com"
    assert _record(db) == before
    assert db.execute(select(func.count()).select_from(CarerChange)).scalar_one() == changes
    assert known_contacts(db, referral.child_id)[0].address == "07700900982"


@pytest.mark.parametrize(("recipient", "field"), [
    (LinkRecipient("", "", "", True), "contact"),  # nothing chosen, nothing typed
    (LinkRecipient("", "", "", True, contact="carer-999999-sms"), "contact"),
    (LinkRecipient("", "", "", True, contact=TYPED), "channel"),
])
def test_it_refuses_no_choice_or_a_contact_not_offered(
    db: Session, cast: Cast, referral: Referral, recipient: LinkRecipient, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _send(db, cast, referral, recipient)
    assert field in refused.value.errors
    assert db.execute(select(OutboxMessage)).first() is None


def test_it_refuses_a_contact_marked_do_not_contact_since_the_form_was_shown(
    db: Session, cast: Cast, referral: Referral
) -> None:
    (mother,) = known_contacts(db, referral.child_id)
    carer = db.get(Carer, int(mother.key.split("-")[1]))
    assert carer is not None
    carer.do_not_contact, carer.do_not_contact_reason = True, "Asked not to be contacted"
    db.flush()
    with pytest.raises(InvalidInput) as refused:
        _send(db, cast, referral, LinkRecipient("", "", "", True, contact=mother.key))
    assert "family record has changed" in refused.value.errors["contact"]
    assert db.execute(select(OutboxMessage)).first() is None
