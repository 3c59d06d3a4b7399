"""Erasure on request (the right to erasure, UK GDPR Article 17): the data protection
officer erases one child's record, with everything held with it, before its retention
period ends.

It deletes through the purge's own deleter (``retention.delete_children``) and is refused
by the purge's own rules for what must be kept whatever its age (``retention.why_kept``:
an open referral, a lead practitioner still coordinating, a safeguarding record). What
would go is counted by running that deleter inside a savepoint and rolling it back, so
the preview and the erasure cannot disagree. Never commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent, audit
from routing.referrals.family_models import Carer, FamilyChild, FamilySibling
from routing.referrals.lifecycle import Actor
from routing.referrals.merge import ChildMerge
from routing.referrals.models import Child
from routing.referrals.retention import PurgeCounts, delete_children, why_kept
from services.errors import AlreadyDone, InvalidInput
from services.locking import lock_row

ERASED = "record_erased"

# The grounds of Article 17(1) on which a person may ask for erasure, in words. The
# ground is kept in the audit; it says why without saying anything about the person.
GROUNDS: dict[str, str] = {
    "not_needed": "No longer needed for the purpose it was collected for",
    "consent_withdrawn": "Consent withdrawn, and no other lawful basis to keep it",
    "objection": "The person objected, and there is no overriding reason to keep it",
    "unlawful": "It was held unlawfully",
    "legal_obligation": "Erasure is required to meet a legal obligation",
}
NOTE_MAX = 200


class ErasureRefused(Exception):
    """The record must be kept: ``reasons`` says why, in words for the officer."""

    def __init__(self, child_id: int, reasons: list[str]) -> None:
        super().__init__(f"record {child_id} must be kept")
        self.child_id = child_id
        self.reasons = reasons


class AlreadyErased(AlreadyDone):
    """The record was erased before (a double click, a second tab, a colleague first)."""

    def __init__(self, child_id: int, at: datetime, by: str) -> None:
        super().__init__(f"record {child_id} was already erased")
        self.child_id, self.at, self.by = child_id, at, by


@dataclass
class ErasurePlan:
    """What erasing the record would delete, shown before the officer confirms."""

    child_id: int
    name: str
    born_words: str
    school_name: str
    counts: PurgeCounts
    # Other children's records in the same family: while one is held, the family record
    # (parents, carers, brothers and sisters) stays with it.
    family_kept_for: list[int] = field(default_factory=list)
    carers: int = 0
    siblings: int = 0


def _previous_erasure(session: Session, child_id: int) -> AuditEvent | None:
    return session.execute(
        select(AuditEvent).where(AuditEvent.action == ERASED, AuditEvent.child_id == child_id)
        .order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()


def _held(session: Session, child_id: int) -> Child:
    """The record, or AlreadyErased if an erasure removed it, or LookupError if no such
    record is held (never made, or deleted by the retention purge)."""
    child = session.get(Child, child_id)
    if child is not None:
        return child
    before = _previous_erasure(session, child_id)
    if before is not None:
        raise AlreadyErased(child_id, before.at, before.actor_name)
    raise LookupError(child_id)


def _refusals(session: Session, child: Child) -> list[str]:
    if child.merged_at is not None:
        into = session.execute(select(ChildMerge.surviving_child_id).where(
            ChildMerge.merged_child_id == child.id, ChildMerge.undone_at.is_(None)
        ).order_by(ChildMerge.id.desc()).limit(1)).scalar_one_or_none()
        return [f"This record was merged into record {into}: erase record {into}, which "
                "holds everything (and this record with it)"]
    return why_kept(session, child.id)


def erasure_plan(session: Session, child_id: int) -> ErasurePlan:
    """What erasing record ``child_id`` would delete (nothing is changed).

    Raises LookupError (no such record held), AlreadyErased, or ErasureRefused with the
    reasons the record must be kept.
    """
    child = _held(session, child_id)
    reasons = _refusals(session, child)
    if reasons:
        raise ErasureRefused(child_id, reasons)
    counts = PurgeCounts()
    family_id = session.execute(select(FamilyChild.family_id).where(
        FamilyChild.child_id == child_id)).scalar_one_or_none()
    others: list[int] = []
    carers = siblings = 0
    if family_id is not None:
        others = list(session.execute(select(FamilyChild.child_id).where(
            FamilyChild.family_id == family_id, FamilyChild.child_id != child_id
        ).order_by(FamilyChild.child_id)).scalars())
        carers = len(list(session.execute(
            select(Carer.id).where(Carer.family_id == family_id)).scalars()))
        siblings = len(list(session.execute(
            select(FamilySibling.id).where(FamilySibling.family_id == family_id)).scalars()))
    plan = ErasurePlan(child_id, child.name, child.born_words, child.school.name, counts,
                       others, carers, siblings)
    # The erasure itself, rolled back: the counts are exactly what it would delete.
    savepoint = session.begin_nested()
    try:
        delete_children(session, [child_id], counts)
    finally:
        savepoint.rollback()
    return plan


def _identifiers(session: Session, child: Child) -> tuple[list[str], list[str]]:
    """What the record holds that identifies the child or family (a note kept in the
    audit must hold none of it): names, matched word by word, and numbers, addresses and
    dates, matched whole."""
    names = [child.first_name, child.last_name]
    details = [child.upn or "", child.nhs_number or "", child.home_postcode]
    if child.date_of_birth is not None:
        details += [child.date_of_birth.isoformat(), child.date_of_birth.strftime("%d/%m/%Y")]
    family_id = session.execute(select(FamilyChild.family_id).where(
        FamilyChild.child_id == child.id)).scalar_one_or_none()
    if family_id is not None:
        for carer in session.execute(
                select(Carer).where(Carer.family_id == family_id)).scalars():
            names.append(carer.name)
            details += [carer.phone, carer.email, carer.address]
        names += list(session.execute(select(FamilySibling.name).where(
            FamilySibling.family_id == family_id)).scalars())
    return names, details


def _mentions(note: str, names: list[str], details: list[str]) -> bool:
    words = set(re.findall(r"[^\W_]+", note.casefold()))
    if any(part in words for name in names
           for part in re.findall(r"[^\W_]+", name.casefold()) if len(part) >= 2):
        return True
    squashed = re.sub(r"\s", "", note).casefold()
    return any(len(whole) >= 5 and whole in squashed
               for whole in (re.sub(r"\s", "", detail).casefold() for detail in details))


def _checked(session: Session, child: Child, ground: str, note: str) -> str:
    errors: dict[str, str] = {}
    if ground not in GROUNDS:
        errors["ground"] = "Choose the ground for the erasure"
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    elif _mentions(note, *_identifiers(session, child)):
        errors["note"] = ("The note must not name the child or family or give their details: "
                          "it is kept in the audit after the record is erased. Give the "
                          "request's reference instead")
    if errors:
        raise InvalidInput(errors)
    return note


def erase_record(
    session: Session, child_id: int, actor: Actor, now: datetime, ground: str, note: str,
    remote_addr: str = "",
) -> PurgeCounts:
    """Erase record ``child_id`` and everything held with it, through the purge's deleter;
    the counts. Audited with who, when, the ground, the note and the counts (no personal
    details: the note is refused if it holds any of the record's).

    Concurrent erasures of one record take turns on its row: the second finds it gone.
    Raises LookupError, AlreadyErased, ErasureRefused, or InvalidInput keyed by
    ``ground`` or ``note``.
    """
    child = _held(session, child_id)
    note = _checked(session, child, ground, note)
    try:
        lock_row(session, child)
    except InvalidRequestError:  # deleted while this request waited for the lock
        session.expunge(child)
        _held(session, child_id)
        raise
    reasons = _refusals(session, child)
    if reasons:
        raise ErasureRefused(child_id, reasons)
    counts = PurgeCounts()
    session.expunge(child)
    delete_children(session, [child_id], counts)
    erased = counts.in_words()
    audit(session, actor, ERASED, now, child_id, subject_type="child", subject_id=child_id,
          detail=f"Erased on request. Ground: {GROUNDS[ground]}. "
                 f"Note: {note or 'none'}. Erased: {erased}", remote_addr=remote_addr)
    return counts
