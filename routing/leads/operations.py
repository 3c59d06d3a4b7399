"""Lead practitioner use cases: who may lead, appoint one (with the family's agreement),
hand over to another person with a note, and end the role. Each takes a Session and
``now``, never commits, and raises InvalidInput (keyed by form field) with a message for
the user.

Every change writes a LeadEvent (the child's timeline) and an audit row; the person
who becomes lead is told by a message holding a reference and a link, never a name.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from routing.referrals.outbox import queue_notice
from services.accounts.models import SCHOOL_ROLES, Role, User
from services.errors import InvalidInput
from services.lengths import TEXT_LIMITS
from services.locking import lock_row
from services.schools import School

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I confusion
# Stands in for a service's name in the message: says what the link is about, no more.
MESSAGE_SUBJECT = "Lead practitioner"
MESSAGE_TEMPLATE = "lead_practitioner"
AGREEMENT_LIMIT = 300
PHONE_LIMIT = 50
NOTE_LIMIT = TEXT_LIMITS["lead_event.note"]
# A UK or international phone number as people write it: digits, spaces, brackets, dashes.
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,30}$")


def new_reference() -> str:
    return "LP-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def caseload_path(child_id: int) -> str:
    """The lead's page for the child: the link in messages (an id, never a name)."""
    return f"/caseload/children/{child_id}"


def _school_organisation_id(session: Session, child: Child) -> int:
    return int(session.execute(
        select(School.organisation_id).where(School.id == child.school_id)).scalar_one())


def may_lead(session: Session, user: User, child: Child) -> bool:
    """Whether ``user`` may be the child's lead practitioner: an active account of a
    member of staff at the child's school, a hub worker (coordinator) or a link worker."""
    if not user.active:
        return False
    if user.role in (Role.COORDINATOR, Role.LINK_WORKER):
        return True
    return user.role in SCHOOL_ROLES and user.organisation_id == _school_organisation_id(
        session, child)


def eligible_leads(session: Session, child: Child) -> list[User]:
    """Everyone who may lead for the child, by name: staff at the child's school, hub
    workers and link workers (active accounts only)."""
    school_org = _school_organisation_id(session, child)
    return list(session.execute(
        select(User)
        .where(User.active.is_(True),
               or_(User.role.in_((Role.COORDINATOR, Role.LINK_WORKER)),
                   User.role.in_(SCHOOL_ROLES) & (User.organisation_id == school_org)))
        .options(selectinload(User.organisation))
        .order_by(User.name, User.id)
    ).scalars())


def current_lead(session: Session, child_id: int) -> LeadPractitioner | None:
    """The child's lead practitioner now, or None."""
    return session.execute(
        select(LeadPractitioner)
        .where(LeadPractitioner.child_id == child_id, LeadPractitioner.ended_at.is_(None))
        .order_by(LeadPractitioner.started_at.desc(), LeadPractitioner.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def history(session: Session, child_id: int) -> list[LeadEvent]:
    """Every appointment, handover and ending for the child, oldest first."""
    return list(session.execute(
        select(LeadEvent).where(LeadEvent.child_id == child_id)
        .order_by(LeadEvent.at, LeadEvent.id)
    ).scalars())


@dataclass(frozen=True)
class AppointInput:
    """The appointment form as typed."""

    user_id: int | None
    family_agreed: bool
    family_agreement: str = ""
    phone: str = ""
    note: str = ""


def _phone(value: str, errors: dict[str, str]) -> str:
    phone = value.strip()
    if len(phone) > PHONE_LIMIT:
        errors["phone"] = f"Enter a phone number of {PHONE_LIMIT} characters or fewer"
    elif phone and not _PHONE.match(phone):
        errors["phone"] = "Enter a phone number, like 01204 333 444 or +44 7700 900 123"
    return phone


def _note(value: str, errors: dict[str, str], field: str, missing: str) -> str:
    note = value.strip()
    if not note:
        errors[field] = missing
    elif len(note) > NOTE_LIMIT:
        errors[field] = f"Enter {NOTE_LIMIT:,} characters or fewer"
    return note


def _chosen(session: Session, user_id: int | None, child: Child,
            errors: dict[str, str]) -> User | None:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        errors["user_id"] = "Choose who will be the lead practitioner"
        return None
    if not may_lead(session, user, child):
        errors["user_id"] = ("Choose a member of staff at the child's school, a hub worker "
                             "or a link worker")
        return None
    return user


def _summary(user: User) -> str:
    return f"{user.name} ({user.role.label}, {user.organisation.name})"


def _record(session: Session, lead: LeadPractitioner, actor: Actor, now: datetime,
            action: str, summary: str, note: str) -> None:
    session.add(LeadEvent(
        lead_id=lead.id, child_id=lead.child_id, at=now, actor_id=actor.user_id,
        actor_name=actor.name, organisation_name=actor.organisation_name,
        summary=summary[:300], note=note))
    # The audit names the record, never the note's words (they may be personal).
    audit(session, actor, action, now, lead.child_id, subject_type="lead_practitioner",
          subject_id=lead.id, detail=f"{lead.reference}: user {lead.user_id}")


def _tell(session: Session, lead: LeadPractitioner, user: User, actor: Actor,
          now: datetime) -> None:
    """Tell the new lead, unless they made the change themselves."""
    if user.id != actor.user_id:
        queue_notice(session, user.email, MESSAGE_TEMPLATE, lead.reference, MESSAGE_SUBJECT,
                     caseload_path(lead.child_id), now)


def appoint_lead(
    session: Session, child: Child, data: AppointInput, actor: Actor, start_key: str,
    now: datetime,
) -> LeadPractitioner:
    """Make the chosen person the child's lead practitioner, with the family's agreement
    recorded, and tell them.

    A repeated submit with the same ``start_key`` returns the lead already appointed.
    Raises InvalidInput keyed by field: no person or one who may not lead, the family's
    agreement not confirmed or not described, a malformed phone, or a child who already
    has a lead (hand over instead).
    """
    existing = session.execute(
        select(LeadPractitioner).where(LeadPractitioner.start_key == start_key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    # One appointment at a time per child: a second request waits here, then sees the first.
    lock_row(session, child)
    errors: dict[str, str] = {}
    user = _chosen(session, data.user_id, child, errors)
    if not data.family_agreed:
        errors["family_agreed"] = ("A child has a lead practitioner only if the family "
                                   "agrees: confirm that they do")
    agreement = data.family_agreement.strip()
    if not agreement:
        errors["family_agreement"] = "Say who in the family agreed, and how"
    elif len(agreement) > AGREEMENT_LIMIT:
        errors["family_agreement"] = f"Enter {AGREEMENT_LIMIT} characters or fewer"
    phone = _phone(data.phone, errors)
    note = data.note.strip()
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Enter {NOTE_LIMIT:,} characters or fewer"
    if current_lead(session, child.id) is not None:
        errors["user_id"] = ("The child already has a lead practitioner: hand over to the new "
                             "person instead")
    if errors or user is None:
        raise InvalidInput(errors)
    lead = LeadPractitioner(
        reference=new_reference(), child_id=child.id, user_id=user.id, phone=phone,
        family_agreement=agreement, started_at=now, started_by_id=actor.user_id,
        started_by_name=actor.name, start_key=start_key)
    session.add(lead)
    session.flush()
    why = f"The family agreed: {agreement}" + (f". {note}" if note else "")
    _record(session, lead, actor, now, "lead_appointed",
            f"Lead practitioner appointed: {_summary(user)}", why)
    _tell(session, lead, user, actor, now)
    return lead


def hand_over(
    session: Session, lead: LeadPractitioner, to_user_id: int | None, note: str, phone: str,
    actor: Actor, now: datetime,
) -> LeadPractitioner:
    """End ``lead`` and make another person the child's lead practitioner, with a note
    for them; the family's agreement carries over. The new lead is told.

    Raises InvalidInput keyed by field: the role already ended, no person, the same
    person, one who may not lead, no handover note, or a malformed phone.
    """
    lock_row(session, lead)
    errors: dict[str, str] = {}
    if lead.ended_at is not None:
        raise InvalidInput({"user_id": "This lead practitioner's role has already ended"})
    user = _chosen(session, to_user_id, lead.child, errors)
    if user is not None and user.id == lead.user_id:
        errors["user_id"] = "Choose someone other than the current lead practitioner"
    text = _note(note, errors, "note", "Write a handover note for the new lead practitioner")
    new_phone = _phone(phone, errors)
    if errors or user is None:
        raise InvalidInput(errors)
    successor = LeadPractitioner(
        reference=new_reference(), child_id=lead.child_id, user_id=user.id, phone=new_phone,
        family_agreement=lead.family_agreement, started_at=now, started_by_id=actor.user_id,
        started_by_name=actor.name)
    session.add(successor)
    session.flush()
    lead.ended_at, lead.ended_by_name = now, actor.name
    lead.end_reason, lead.handed_to_id = f"Handed over: {text}", successor.id
    _record(session, successor, actor, now, "lead_handed_over",
            f"Lead practitioner handed over from {lead.user.name} to {_summary(user)}", text)
    _tell(session, successor, user, actor, now)
    return successor


def end_lead(
    session: Session, lead: LeadPractitioner, reason: str, actor: Actor, now: datetime
) -> None:
    """End the child's lead practitioner role (the family no longer wants one, support
    finished, the child moved away), with the reason.

    Raises InvalidInput keyed by field: no reason, or the role already ended.
    """
    lock_row(session, lead)
    if lead.ended_at is not None:
        raise InvalidInput({"reason": "This lead practitioner's role has already ended"})
    errors: dict[str, str] = {}
    text = _note(reason, errors, "reason", "Say why the lead practitioner role is ending")
    if errors:
        raise InvalidInput(errors)
    lead.ended_at, lead.ended_by_name, lead.end_reason = now, actor.name, text
    _record(session, lead, actor, now, "lead_ended",
            f"Lead practitioner role ended: {lead.user.name} no longer leads", text)


UNAVAILABLE_TEMPLATE = "lead_practitioner_unavailable"


def tell_schools_lead_unavailable(session: Session, user: User, now: datetime) -> int:
    """After ``user`` was deactivated or moved: for each child they still lead for but
    may no longer, tell the child's school's safeguarding leads (the coordinators when
    it has none) so someone hands over. A reference and the lead page, never a name.
    Returns how many children are affected."""
    from routing.safeguarding.operations import school_lead_addresses

    leads = session.execute(
        select(LeadPractitioner).where(LeadPractitioner.user_id == user.id,
                                       LeadPractitioner.ended_at.is_(None))
        .options(selectinload(LeadPractitioner.child))
    ).scalars().all()
    affected = [lead for lead in leads if not may_lead(session, user, lead.child)]
    for lead in affected:
        for address in school_lead_addresses(session, lead.child.school_id):
            queue_notice(session, address, UNAVAILABLE_TEMPLATE, lead.reference,
                         MESSAGE_SUBJECT, caseload_path(lead.child_id), now)
    return len(affected)
