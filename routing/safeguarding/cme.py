"""Children missing education: opening a case (from a concern, or joining the open case
about the same child), recording actions and status changes, and reading the register.

Each operation takes a Session and ``now``, never commits, and raises InvalidInput (keyed
by field) with a message for the user. Every step writes an immutable CaseAction (the
case's and the child's timeline) and an audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from routing.referrals.workdays import working_days_between
from routing.safeguarding.cme_models import (
    AttendanceRecord,
    CaseAction,
    CaseStatus,
    MissingEducationCase,
)
from routing.safeguarding.deadlines import due_at, raised_no_later_than
from routing.safeguarding.models import ConcernKind, SafeguardingEvent, SafeguardingItem
from services.errors import InvalidInput

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Concern kinds that are, by definition, a child missing education: recording one puts
# the child on the register at once (a new case, or the open case about them).
MISSING_EDUCATION_KINDS = (ConcernKind.NOT_ON_ROLL, ConcernKind.NOT_ATTENDING)
OPEN_STATUSES = (CaseStatus.REPORTED, CaseStatus.TRACING)
_LIMIT = 5000
RECENT_CLOSED = 50


def new_case_reference() -> str:
    return "ME-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def on_registers_of(school_ids: Collection[int]) -> ColumnElement[bool]:
    """A WHERE clause for the cases the registers of ``school_ids`` hold: those the
    schools opened, and those about a child now on one of their rolls (a child reported
    elsewhere who has joined the school), and no others."""
    ids = list(school_ids)
    on_roll = select(Child.id).where(Child.school_id.in_(ids), Child.merged_at.is_(None))
    return MissingEducationCase.school_id.in_(ids) | MissingEducationCase.child_id.in_(on_roll)


def _in(school_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if school_ids is None else [on_registers_of(school_ids)]


def case_action(session: Session, case: MissingEducationCase, actor: Actor, now: datetime,
            summary: str, note: str = "", done_on: date | None = None,
            from_status: CaseStatus | None = None, to_status: CaseStatus | None = None,
            key: str | None = None) -> CaseAction:
    action = CaseAction(
        case_id=case.id, child_id=case.child_id, at=now, done_on=done_on or now.date(),
        actor_id=actor.user_id, actor_name=actor.name,
        organisation_name=actor.organisation_name, from_status=from_status,
        to_status=to_status, summary=summary[:300], note=note, action_key=key)
    session.add(action)
    if "actions" in case.__dict__:  # a view-only list already read: read it again
        session.expire(case, ["actions"])
    return action


def open_case_about(
    session: Session, child_id: int | None, upn: str, first_name: str, last_name: str,
    date_of_birth: date | None,
) -> MissingEducationCase | None:
    """The open case (reported or tracing, at any school) about this child: the same
    record, the same UPN, or the same full name and date of birth."""
    same: list[ColumnElement[bool]] = []
    if child_id is not None:
        same.append(MissingEducationCase.child_id == child_id)
    if upn:
        same.append(MissingEducationCase.upn == upn)
    if first_name and last_name and date_of_birth is not None:
        same.append(
            (func.lower(MissingEducationCase.first_name) == first_name.lower())
            & (func.lower(MissingEducationCase.last_name) == last_name.lower())
            & (MissingEducationCase.date_of_birth == date_of_birth))
    if not same:
        return None
    return session.execute(
        select(MissingEducationCase)
        .where(MissingEducationCase.status.in_(OPEN_STATUSES), or_(*same))
        .order_by(MissingEducationCase.opened_at, MissingEducationCase.id).limit(1)
    ).scalar_one_or_none()


def case_for_item(session: Session, item: SafeguardingItem) -> MissingEducationCase | None:
    """The case a concern opened or joined, if any."""
    opened = session.execute(
        select(MissingEducationCase).where(MissingEducationCase.item_id == item.id)
    ).scalar_one_or_none()
    if opened is not None:
        return opened
    joined = session.execute(
        select(CaseAction.case_id).where(CaseAction.summary == _joined(item)).limit(1)
    ).scalar_one_or_none()
    return session.get(MissingEducationCase, joined) if joined is not None else None


def _joined(item: SafeguardingItem) -> str:
    return f"Concern {item.reference} added to this case"


def open_case_from_item(
    session: Session, item: SafeguardingItem, actor: Actor, now: datetime
) -> tuple[MissingEducationCase, bool]:
    """Put the child a concern is about on the register: join the open case about the same
    child (at any school: one child, one case), or open one at the concern's school.
    Returns the case and whether it was opened now. Asking again changes nothing."""
    existing = case_for_item(session, item)
    if existing is not None:
        return existing, False
    case = open_case_about(session, item.child_id, item.upn, item.first_name, item.last_name,
                           item.date_of_birth)
    if case is not None:
        case_action(session, case, actor, now, _joined(item), item.details)
        _item_event(session, item, actor, now, f"Added to missing-education case "
                                               f"{case.reference}")
        audit(session, actor, "cme_case_joined", now, child_id=case.child_id,
              subject_type="missing_education_case", subject_id=case.id)
        return case, False
    case = MissingEducationCase(
        reference=new_case_reference(), school_id=item.school_id, child_id=item.child_id,
        item_id=item.id, first_name=item.first_name, last_name=item.last_name,
        date_of_birth=item.date_of_birth, upn=item.upn,
        last_known_address=item.last_known_address, status=CaseStatus.REPORTED,
        missing_since=item.raised_at.date(), opened_at=now, opened_by_name=actor.name)
    session.add(case)
    session.flush()
    case_action(session, case, actor, now, f"Reported from concern {item.reference}",
            item.details, to_status=CaseStatus.REPORTED)
    _item_event(session, item, actor, now,
                f"Put on the missing-education register as {case.reference}")
    audit(session, actor, "cme_case_opened", now, child_id=case.child_id,
          subject_type="missing_education_case", subject_id=case.id)
    return case, True


def open_case_from_attendance(
    session: Session, record: AttendanceRecord, actor: Actor, now: datetime
) -> tuple[MissingEducationCase, bool]:
    """Put a pupil whose attendance worries the lead on the register (on roll but not
    attending): join the open case about them, or open one at the record's school.
    Returns the case and whether it was opened now. The figures go on the case's actions;
    the child's record, if any, is never changed."""
    figures = (f"Attendance {record.period}: {record.missed_percent:.1f}% of "
               f"{record.sessions_possible} sessions missed ({record.missed_authorised} "
               f"authorised, {record.missed_unauthorised} unauthorised)")
    case = open_case_about(session, record.child_id, record.upn, record.first_name,
                           record.last_name, record.date_of_birth)
    if case is not None:
        told = session.execute(select(CaseAction.id).where(
            CaseAction.case_id == case.id, CaseAction.note == figures).limit(1)).first()
        if told is not None:  # the same figures again (a double click): nothing new
            return case, False
        case_action(session, case, actor, now, "Attendance figures added", figures)
        audit(session, actor, "cme_case_joined", now, child_id=case.child_id,
              subject_type="missing_education_case", subject_id=case.id)
        return case, False
    case = MissingEducationCase(
        reference=new_case_reference(), school_id=record.school_id, child_id=record.child_id,
        first_name=record.first_name, last_name=record.last_name,
        date_of_birth=record.date_of_birth, upn=record.upn, status=CaseStatus.REPORTED,
        missing_since=now.date(), opened_at=now, opened_by_name=actor.name)
    session.add(case)
    session.flush()
    case_action(session, case, actor, now, "Reported from the attendance import", figures,
            to_status=CaseStatus.REPORTED)
    audit(session, actor, "cme_case_opened", now, child_id=case.child_id,
          subject_type="missing_education_case", subject_id=case.id)
    return case, True


def open_cases_by_upn(session: Session, upns: Collection[str]) -> dict[str, MissingEducationCase]:
    """The open case of each of these UPNs that has one."""
    if not upns:
        return {}
    return {case.upn: case for case in session.execute(
        select(MissingEducationCase).where(MissingEducationCase.upn.in_(list(upns)),
                                           MissingEducationCase.status.in_(OPEN_STATUSES))
    ).scalars()}


def _item_event(session: Session, item: SafeguardingItem, actor: Actor, now: datetime,
                summary: str) -> None:
    session.add(SafeguardingEvent(
        item_id=item.id, child_id=item.child_id, at=now, actor_id=actor.user_id,
        actor_name=actor.name, organisation_name=actor.organisation_name, summary=summary))


@dataclass(frozen=True)
class ActionInput:
    """An action as typed: what was done and when, and optionally the case's new status."""

    note: str
    done_on: date | None
    status: str = ""
    destination_council: str = ""
    date_unreadable: bool = False


def record_action(
    session: Session, case: MissingEducationCase, actor: Actor, data: ActionInput,
    action_key: str, now: datetime,
) -> CaseAction:
    """Record what was done on a case (a call, a home visit, a check with another council)
    on the day it was done, and move the case to ``data.status`` when given.

    A repeated submit with the same ``action_key`` returns the action already recorded.
    Moving out of area needs the destination council; finding or closing stops the days
    missing. Raises InvalidInput keyed by field.
    """
    existing = session.execute(
        select(CaseAction).where(CaseAction.action_key == action_key)).scalar_one_or_none()
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    note = data.note.strip()
    if not note:
        errors["note"] = "Enter what was done or found"
    elif len(note) > _LIMIT:
        errors["note"] = f"Enter {_LIMIT:,} characters or fewer"
    when = data.done_on
    if data.date_unreadable or when is None:
        errors["done_on"] = "Enter the date it was done, like 27 11 2026"
    elif when > now.date():
        errors["done_on"] = "The date cannot be in the future"
    elif when < case.opened_at.date() - timedelta(days=366):
        errors["done_on"] = "The date must be within a year before the case was opened"
    new_status: CaseStatus | None = None
    if data.status:
        if data.status not in CaseStatus._value2member_map_:
            errors["status"] = "Choose the case's status"
        else:
            new_status = CaseStatus(data.status)
            if new_status is case.status:
                new_status = None
    council = data.destination_council.strip()
    if new_status is CaseStatus.MOVED_OUT and not council:
        errors["destination_council"] = "Enter the council the child has moved to"
    elif len(council) > 200:
        errors["destination_council"] = "Enter 200 characters or fewer"
    if errors:
        raise InvalidInput(errors)
    assert when is not None
    before = case.status
    summary = "Action recorded"
    if new_status is not None:
        case.status = new_status
        summary = f"Status: {new_status.label}"
        if new_status.traced and case.traced_at is None:
            case.traced_at = now
        elif not new_status.traced:
            case.traced_at = None
        if new_status is CaseStatus.MOVED_OUT:
            case.destination_council = council
            summary = f"Moved out of area: {council} told"
    action = case_action(session, case, actor, now, summary, note, when,
                     before if new_status else None, new_status, action_key)
    session.flush()
    audit(session, actor, "cme_action", now, child_id=case.child_id,
          subject_type="missing_education_case", subject_id=case.id,
          detail=f"status {before} to {new_status}" if new_status else "note")
    return action


@dataclass(frozen=True)
class RegisterEntry:
    case: MissingEducationCase
    days_missing: int
    # Working days since the case was opened, while it is being traced.
    open_for: int | None
    overdue: bool


@dataclass(frozen=True)
class Register:
    open: list[RegisterEntry]
    traced: list[RegisterEntry]


def _entry(case: MissingEducationCase, now: datetime, working_days: int) -> RegisterEntry:
    tracing = not case.status.traced
    return RegisterEntry(
        case, case.days_missing(now.date()),
        working_days_between(case.opened_at.date(), now.date()) if tracing else None,
        tracing and due_at(case.opened_at, working_days) <= now)


def register(
    session: Session, school_ids: Collection[int] | None, now: datetime, working_days: int
) -> Register:
    """The register of ``school_ids`` (None: the whole hub): every case still being
    traced, longest open first, and the latest traced or closed ones."""
    options = (selectinload(MissingEducationCase.school),)
    opened = session.execute(
        select(MissingEducationCase)
        .where(MissingEducationCase.status.in_(OPEN_STATUSES), *_in(school_ids))
        .options(*options)
        .order_by(MissingEducationCase.opened_at, MissingEducationCase.id)
    ).scalars()
    traced = session.execute(
        select(MissingEducationCase)
        .where(MissingEducationCase.status.not_in(OPEN_STATUSES), *_in(school_ids))
        .options(*options)
        .order_by(MissingEducationCase.traced_at.desc(), MissingEducationCase.id.desc())
        .limit(RECENT_CLOSED)
    ).scalars()
    return Register([_entry(c, now, working_days) for c in opened],
                    [_entry(c, now, working_days) for c in traced])


def not_traced(
    session: Session, now: datetime, working_days: int, school_ids: Collection[int] | None
) -> list[RegisterEntry]:
    """Cases still reported or tracing ``working_days`` working days (to the same time of
    day) after they were opened, oldest first; limited to ``school_ids`` (None: all)."""
    candidates = session.execute(
        select(MissingEducationCase)
        .where(MissingEducationCase.status.in_(OPEN_STATUSES),
               MissingEducationCase.opened_at <= raised_no_later_than(now, working_days),
               *_in(school_ids))
        .options(selectinload(MissingEducationCase.school))
        .order_by(MissingEducationCase.opened_at, MissingEducationCase.id)
    ).scalars()
    return [entry for entry in (_entry(c, now, working_days) for c in candidates)
            if entry.overdue]


def child_actions(
    session: Session, child_id: int, visible: ColumnElement[bool]
) -> list[CaseAction]:
    """The steps on a child's missing-education cases that ``visible`` (a WHERE clause on
    MissingEducationCase) lets the reader see, oldest first."""
    return list(session.execute(
        select(CaseAction)
        .join(MissingEducationCase, MissingEducationCase.id == CaseAction.case_id)
        .where(MissingEducationCase.child_id == child_id, visible)
        .options(selectinload(CaseAction.case))
        .order_by(CaseAction.at, CaseAction.id)
    ).scalars())
