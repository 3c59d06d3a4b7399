"""Safeguarding use cases: record a concern, record a referral form's safeguarding stop,
the lead's decision and the front door's outcome, and tell the coordinator about items
not actioned in time. Each takes a Session and ``now``, never commits, and raises
InvalidInput (keyed by field) with a message for the user.

Every step writes a SafeguardingEvent (the item's and the child's timeline) and an
audit row, and the messages it queues carry a reference and a link, never a name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError
from stdnum.gb import nhs, upn

from routing.referrals.audit import audit
from routing.referrals.children import (
    ChildDetails,
    ChildMatch,
    MatchKind,
    confirmed_child_id,
    find_child,
    normalise_postcode,
)
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child, ReferralRequest
from routing.referrals.outbox import queue_notice
from routing.safeguarding.cme import MISSING_EDUCATION_KINDS, case_for_item, open_case_from_item
from routing.safeguarding.deadlines import due_at, raised_no_later_than
from routing.safeguarding.models import (
    CONCERN_KINDS,
    ConcernKind,
    Decision,
    SafeguardingEvent,
    SafeguardingItem,
)
from services.accounts.models import Role, User
from services.errors import InvalidInput
from services.schools import School

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I confusion
# Stands in for a service's name in the messages: says what the link is about, no more.
MESSAGE_SUBJECT = "Safeguarding lead's queue"
_LIMIT = 5000


def new_item_reference() -> str:
    return "SG-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class ConcernInput:
    """A concern as typed. Only a name, where the child might be found (a school or a
    last known address) and what worries the member of staff are required."""

    kind: str
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    home_postcode: str = ""
    upn: str = ""
    nhs_number: str = ""
    known_school: str = ""
    last_known_address: str = ""
    details: str = ""
    # The date of birth as typed was not a real date (the page could not read it).
    date_unreadable: bool = False



def _clean(data: ConcernInput, today: date) -> ConcernInput:
    errors: dict[str, str] = {}
    if data.kind not in {kind.value for kind in CONCERN_KINDS}:
        errors["kind"] = "Choose what the concern is about"
    first, last = data.first_name.strip()[:100], data.last_name.strip()[:100]
    if not (first or last):
        errors["first_name"] = "Enter the child's name (a first name is enough)"
    born = data.date_of_birth
    if data.date_unreadable:
        errors["date_of_birth"] = "Enter a real date of birth, or leave it blank"
    elif born is not None and born > today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif born is not None and born.year < today.year - 25:
        errors["date_of_birth"] = "Date of birth must be within the last 25 years"
    postcode = normalise_postcode(data.home_postcode) if data.home_postcode.strip() else ""
    if postcode and len(postcode) < 5:
        errors["home_postcode"] = "Enter a full postcode, like BL1 1SE, or leave it blank"
    school, address = data.known_school.strip()[:200], data.last_known_address.strip()[:_LIMIT]
    if not (school or address):
        errors["known_school"] = "Enter the child's school or their last known address"
    upn_value = nhs_value = ""
    if data.upn.strip():
        try:
            upn_value = upn.validate(data.upn)
        except ValidationError:
            errors["upn"] = "Enter a valid unique pupil number (13 characters), or leave it blank"
    if data.nhs_number.strip():
        try:
            nhs_value = nhs.validate(data.nhs_number)
        except ValidationError:
            errors["nhs_number"] = "Enter a valid 10-digit NHS number, or leave it blank"
    details = data.details.strip()[:_LIMIT]
    if not details:
        errors["details"] = "Describe what worries you and what you know"
    if errors:
        raise InvalidInput(errors)
    return ConcernInput(data.kind, first, last, born, postcode, upn_value, nhs_value, school,
                        address, details)


def _match(session: Session, data: ConcernInput) -> ChildMatch | None:
    """An existing record by the referral form's rules: the same UPN or NHS number, or
    the same name, date of birth and postcode (probable: staff confirm). With less
    than that a concern matches nobody: a name alone is never enough."""
    probable = bool(data.first_name and data.last_name and data.date_of_birth
                    and data.home_postcode)
    if not (data.upn or data.nhs_number or probable):
        return None
    match = find_child(session, ChildDetails(
        data.first_name, data.last_name, data.date_of_birth, data.home_postcode,
        data.upn, data.nhs_number))
    if match is not None and match.kind is MatchKind.PROBABLE and not probable:
        return None
    return match


def raise_concern(
    session: Session, school_id: int, actor: Actor, data: ConcernInput,
    same_child: bool | None, raise_key: str, now: datetime,
) -> SafeguardingItem:
    """Put a concern about a child in the school's safeguarding lead's queue and tell
    the lead. It is not a referral: no provider sees it.

    A repeated submit with the same ``raise_key`` returns the item already made. The
    child's existing record is linked when identifiers match or staff confirm a
    probable match, and never changed. Raises InvalidInput keyed by field (also for a
    "different child" that has another record's UPN or NHS number), ConfirmMatch when a
    record matches and ``same_child`` is None.
    """
    existing = session.execute(
        select(SafeguardingItem).where(SafeguardingItem.raise_key == raise_key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    clean = _clean(data, now.date())
    child_id = confirmed_child_id(_match(session, clean), same_child, clean.upn)
    item = SafeguardingItem(
        reference=new_item_reference(), kind=ConcernKind(clean.kind), school_id=school_id,
        raised_by_id=actor.user_id, raised_by_name=actor.name, raised_at=now,
        raise_key=raise_key, child_id=child_id, first_name=clean.first_name,
        last_name=clean.last_name, date_of_birth=clean.date_of_birth,
        home_postcode=clean.home_postcode, upn=clean.upn, nhs_number=clean.nhs_number,
        known_school=clean.known_school, last_known_address=clean.last_known_address,
        details=clean.details,
    )
    _open(session, item, actor, now)
    if item.kind in MISSING_EDUCATION_KINDS:
        open_case_from_item(session, item, actor, now)
    return item


def record_stop(
    session: Session, draft: ReferralRequest, actor: Actor, now: datetime
) -> SafeguardingItem:
    """A referral form stopped at "may be at risk of significant harm": the stop goes in
    the lead's queue, whatever any form says afterwards. One item per form."""
    existing = item_for_draft(session, draft)
    if existing is not None:
        return existing
    typed = draft.form.child
    item = SafeguardingItem(
        reference=new_item_reference(), kind=ConcernKind.SAFEGUARDING_STOP,
        school_id=draft.school_id, raised_by_id=actor.user_id, raised_by_name=actor.name,
        raised_at=now, request_id=draft.id,
        child_id=typed.existing_child_id or draft.child_id,
        first_name=typed.first_name, last_name=typed.last_name,
        date_of_birth=typed.date_of_birth, home_postcode=typed.home_postcode,
        upn=typed.upn, nhs_number=typed.nhs_number,
        details="The referral form was stopped: the member of staff answered that the "
                "child may be at risk of significant harm.",
    )
    _open(session, item, actor, now)
    return item


def _open(session: Session, item: SafeguardingItem, actor: Actor, now: datetime) -> None:
    session.add(item)
    session.flush()
    _event(session, item, actor, now, f"Recorded: {item.kind.label}")
    audit(session, actor, "safeguarding_raised", now, child_id=item.child_id)
    for address in school_lead_addresses(session, item.school_id):
        queue_notice(session, address, "safeguarding_item", item.reference, MESSAGE_SUBJECT,
                     f"/safeguarding/items/{item.id}", now)


def _event(session: Session, item: SafeguardingItem, actor: Actor, now: datetime,
           summary: str, note: str = "") -> None:
    session.add(SafeguardingEvent(
        item_id=item.id, child_id=item.child_id, at=now, actor_id=actor.user_id,
        actor_name=actor.name, organisation_name=actor.organisation_name,
        summary=summary[:300], note=note))


def _school_leads(school_id: int) -> list[ColumnElement[bool]]:
    organisation = select(School.organisation_id).where(School.id == school_id)
    return [User.role == Role.SAFEGUARDING_LEAD, User.organisation_id.in_(organisation)]


def school_lead_addresses(session: Session, school_id: int) -> list[str]:
    """Who is told of a safeguarding matter at a school: its active safeguarding leads,
    or every hub coordinator when it has none."""
    return (_emails(session, _school_leads(school_id))
            or _emails(session, _coordinators()))


def _coordinators() -> list[ColumnElement[bool]]:
    return [User.role == Role.COORDINATOR]


def _emails(session: Session, where: list[ColumnElement[bool]]) -> list[str]:
    return list(session.execute(
        select(User.email).where(User.active.is_(True), *where).order_by(User.id)
    ).scalars())


def open_items_about(
    session: Session, school_id: int, child_id: int | None, first_name: str, last_name: str,
    date_of_birth: date | None,
) -> list[SafeguardingItem]:
    """The school's open items about this child: linked to their record, or typed with
    the same name and date of birth."""
    same: list[ColumnElement[bool]] = []
    if child_id is not None:
        same.append(SafeguardingItem.child_id == child_id)
    if first_name and last_name and date_of_birth is not None:
        same.append(
            (func.lower(SafeguardingItem.first_name) == first_name.lower())
            & (func.lower(SafeguardingItem.last_name) == last_name.lower())
            & (SafeguardingItem.date_of_birth == date_of_birth))
    if not same:
        return []
    return list(session.execute(
        select(SafeguardingItem)
        .where(SafeguardingItem.school_id == school_id, SafeguardingItem.decision.is_(None),
               or_(*same))
        .order_by(SafeguardingItem.raised_at, SafeguardingItem.id)
    ).scalars())


def item_for_draft(session: Session, draft: ReferralRequest) -> SafeguardingItem | None:
    """The item a referral form's safeguarding stop made, if any."""
    return session.execute(
        select(SafeguardingItem).where(SafeguardingItem.request_id == draft.id)
    ).scalar_one_or_none()


def open_items_for_draft(session: Session, draft: ReferralRequest) -> list[SafeguardingItem]:
    """Open items about the child a referral form is for (shown on the form)."""
    typed = draft.form.child
    return open_items_about(session, draft.school_id, typed.existing_child_id or draft.child_id,
                            typed.first_name, typed.last_name, typed.date_of_birth)


def note_cleared_after_stop(
    session: Session, draft: ReferralRequest, actor: Actor, now: datetime
) -> None:
    """A form answered "no risk of significant harm" while a stop (or concern) about the
    same child is open: the open items stay open, and each records the answer."""
    for item in open_items_for_draft(session, draft):
        _event(session, item, actor, now,
               "A later referral form answered 'no' to significant harm",
               f"Referral form {draft.id}; this item stays open until the lead decides.")


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    note: str = ""
    front_door_on: date | None = None
    front_door_reference: str = ""
    front_door_outcome: str = ""
    date_unreadable: bool = False


def decide(
    session: Session, item: SafeguardingItem, actor: Actor, data: DecisionInput, now: datetime
) -> None:
    """The lead's decision, recorded once: a front door handover (the date, their
    reference and, when known, the outcome), handled in school, early help, or no
    further action with a reason.

    Raises InvalidInput keyed by field, or when a decision was already recorded (a
    second lead at the same moment, or a repeated submit).
    """
    errors: dict[str, str] = {}
    if data.decision not in Decision._value2member_map_:
        errors["decision"] = "Choose what you decided"
    chosen = Decision(data.decision) if not errors else None
    note = data.note.strip()[:_LIMIT]
    reference = data.front_door_reference.strip()[:100]
    outcome = data.front_door_outcome.strip()[:_LIMIT]
    when = data.front_door_on
    if chosen is Decision.FRONT_DOOR:
        if data.date_unreadable or when is None:
            errors["front_door_on"] = "Enter the date you contacted the front door"
        elif when > now.date():
            errors["front_door_on"] = "The date cannot be in the future"
        elif (now.date() - when).days > 366:
            errors["front_door_on"] = "The date must be within the last year"
    else:
        when, reference, outcome = None, "", ""
    if chosen is Decision.NO_FURTHER_ACTION and not note:
        errors["note"] = "Enter why no further action is needed"
    if errors:
        raise InvalidInput(errors)
    assert chosen is not None
    # The conditional UPDATE decides who records: a double click or a second lead at the
    # same moment finds the decision made and changes nothing.
    claimed = session.execute(
        update(SafeguardingItem)
        .where(SafeguardingItem.id == item.id, SafeguardingItem.decision.is_(None))
        .values(decision=chosen, decided_at=now, decided_by_name=actor.name,
                decision_note=note, front_door_on=when, front_door_reference=reference,
                front_door_outcome=outcome, version=SafeguardingItem.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(item)
    if claimed != 1:
        raise InvalidInput({"decision": f"{item.decided_by_name} already recorded a "
                                        "decision on this item"})
    summary = f"Decision: {chosen.label}"
    details = [note] if note else []
    if chosen is Decision.FRONT_DOOR:
        assert when is not None
        details.insert(0, f"Contacted on {when.day} {when:%B %Y}"
                          + (f", their reference {reference}" if reference else ""))
        if outcome:
            details.append(f"Outcome: {outcome}")
    _event(session, item, actor, now, summary, ". ".join(details))
    audit(session, actor, "safeguarding_decided", now, child_id=item.child_id)


def add_front_door_outcome(
    session: Session, item: SafeguardingItem, actor: Actor, reference: str, outcome: str,
    now: datetime,
) -> None:
    """Add the front door's reference or outcome after the handover (each addition goes
    on the timeline). Raises InvalidInput when the item was not handed over, or both
    are blank."""
    if item.decision is not Decision.FRONT_DOOR:
        raise InvalidInput({"front_door_outcome": "Only a front door handover has an outcome"})
    reference, outcome = reference.strip()[:100], outcome.strip()[:_LIMIT]
    if not (reference or outcome):
        raise InvalidInput({"front_door_outcome": "Enter the outcome or the front door's "
                                                  "reference"})
    said = []
    if reference:
        item.front_door_reference = reference
        said.append(f"their reference {reference}")
    if outcome:
        item.front_door_outcome = outcome
        said.append(f"outcome: {outcome}")
    _event(session, item, actor, now, "Front door update", "; ".join(said).capitalize())
    audit(session, actor, "safeguarding_outcome", now, child_id=item.child_id)


def escalate_overdue(
    session: Session, now: datetime, working_days: int, actor: Actor
) -> list[SafeguardingItem]:
    """Tell the hub coordinators, once per item, about items no lead has actioned within
    ``working_days`` working days; returns the items escalated now."""
    candidates = session.execute(
        select(SafeguardingItem)
        .where(SafeguardingItem.decision.is_(None), SafeguardingItem.escalated_at.is_(None),
               SafeguardingItem.raised_at <= raised_no_later_than(now, working_days))
        .order_by(SafeguardingItem.raised_at, SafeguardingItem.id)
    ).scalars()
    late = [item for item in candidates if due_at(item.raised_at, working_days) <= now]
    coordinators = _emails(session, _coordinators())
    for item in late:
        item.escalated_at = now
        _event(session, item, actor, now,
               f"Not actioned within {working_days} working "
               f"day{'s' if working_days != 1 else ''}: the hub coordinator was told")
        for address in coordinators:
            queue_notice(session, address, "safeguarding_overdue", item.reference,
                         MESSAGE_SUBJECT, f"/safeguarding/items/{item.id}", now)
    return late


def link_child(
    session: Session, item: SafeguardingItem, child: Child, confirmed: bool, actor: Actor,
    now: datetime,
) -> None:
    """Link an item recorded without a child record to ``child``'s record, once staff have
    confirmed it is the same child; the item's missing-education case follows. Neither
    record's details change. Raises InvalidInput when not confirmed or already linked."""
    if item.child_id is not None:
        raise InvalidInput({"child_id": "This item is already linked to a child's record"})
    if not confirmed:
        raise InvalidInput({"confirmed": "Confirm this is the same child"})
    item.child_id = child.id
    case = case_for_item(session, item)
    if case is not None and case.child_id is None:
        case.child_id = child.id
    _event(session, item, actor, now, "Linked to the child's record",
           f"Record of a child at {child.school.name} (date of birth: {child.born_words})")
    audit(session, actor, "safeguarding_child_linked", now, child_id=child.id,
          subject_type="safeguarding_item", subject_id=item.id)


def link_candidates(session: Session, item: SafeguardingItem,
                    school_ids: tuple[int, ...]) -> list[Child]:
    """Records an unlinked item could be about: the same UPN or NHS number anywhere, or
    at ``school_ids`` the same last name (and first name, when typed)."""
    if item.child_id is not None:
        return []
    same: list[ColumnElement[bool]] = []
    if item.upn:
        same.append(Child.upn == item.upn)
    if item.nhs_number:
        same.append(Child.nhs_number == item.nhs_number)
    if item.last_name and school_ids:
        name = [func.lower(Child.last_name) == item.last_name.lower(),
                Child.school_id.in_(school_ids)]
        if item.first_name:
            name.append(func.lower(Child.first_name) == item.first_name.lower())
        if item.date_of_birth is not None:
            name.append(Child.date_of_birth == item.date_of_birth)
        same.append(and_(*name))
    if not same:
        return []
    return list(session.execute(
        select(Child).where(or_(*same)).order_by(Child.id).limit(20)).scalars())
