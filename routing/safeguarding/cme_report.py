"""Reporting a child missing education straight from the register (the coordinator):
finding the child among those the reporter may see, or recording a child not yet known,
with the reason and the date the child was last seen.

The duplicate rule is the register's own (``cme.open_case_about``): an open case about
the same child, at any school, is joined and never duplicated; a repeated submit (the
same ``report_key``) returns the case the first one opened or joined. Operations never
commit; they raise InvalidInput keyed by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload
from stdnum.exceptions import ValidationError
from stdnum.gb import upn as upn_number

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from routing.safeguarding.cme import case_action, new_case_reference, open_case_about
from routing.safeguarding.cme_models import CaseAction, CaseStatus, MissingEducationCase
from services.errors import InvalidInput
from services.locking import lock_row
from services.schools import School

FOUND_LIMIT = 20
_REASON_LIMIT = 5000
_NAME_LIMIT = 100
_ADDRESS_LIMIT = 1000
# A child last seen longer ago than this is still reportable, but not with a typing slip
# of a century: the date is checked against a sensible window.
LAST_SEEN_WINDOW = timedelta(days=5 * 366)


def find_children(
    session: Session, text: str, visible: ColumnElement[bool]
) -> list[Child]:
    """Children ``visible`` (a WHERE clause on Child) lets the reader see whose UPN is
    ``text``, or whose name contains each of its words; at most FOUND_LIMIT, by name.
    Merged records are no one's and are never found."""
    words = text.strip().split()[:4]
    if not words:
        return []
    as_upn = text.strip().upper().replace(" ", "")
    by_name = [or_(func.lower(Child.first_name).contains(word.lower(), autoescape=True),
                   func.lower(Child.last_name).contains(word.lower(), autoescape=True))
               for word in words]
    return list(session.execute(
        select(Child)
        .where(Child.merged_at.is_(None), visible,
               or_(Child.upn == as_upn, _all(by_name)))
        .options(selectinload(Child.school))
        .order_by(Child.last_name, Child.first_name, Child.id)
        .limit(FOUND_LIMIT)
    ).scalars())


def _all(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    joined = clauses[0]
    for clause in clauses[1:]:
        joined = joined & clause
    return joined


@dataclass(frozen=True)
class ChildReport:
    """A report as typed. ``child`` is the known child chosen (already checked as one
    the reporter may see), or None for a child not yet known, described by the rest."""

    child: Child | None
    reason: str
    last_seen: date | None
    last_seen_unreadable: bool = False
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    date_of_birth_unreadable: bool = False
    upn: str = ""
    school_id: int | None = None
    last_known_address: str = ""


@dataclass(frozen=True)
class _Identity:
    child_id: int | None
    first_name: str
    last_name: str
    date_of_birth: date | None
    upn: str
    school_id: int
    last_known_address: str


def _check(session: Session, report: ChildReport, today: date) -> _Identity:
    """The child's identity and the case's school; raises InvalidInput keyed by field."""
    errors: dict[str, str] = {}
    reason = report.reason.strip()
    if not reason:
        errors["reason"] = "Enter why the child is thought to be missing education"
    elif len(reason) > _REASON_LIMIT:
        errors["reason"] = f"Enter {_REASON_LIMIT:,} characters or fewer"
    seen = report.last_seen
    if report.last_seen_unreadable or seen is None:
        errors["last_seen"] = "Enter the date the child was last seen, like 27 11 2026"
    elif seen > today:
        errors["last_seen"] = "The date the child was last seen cannot be in the future"
    elif seen < today - LAST_SEEN_WINDOW:
        errors["last_seen"] = "The date the child was last seen must be within 5 years"
    child = report.child
    if child is not None:
        if errors:
            raise InvalidInput(errors)
        return _Identity(child.id, child.first_name, child.last_name, child.date_of_birth,
                         child.upn or "", child.school_id, report.last_known_address.strip())
    first, last = report.first_name.strip(), report.last_name.strip()
    for field, value in (("first_name", first), ("last_name", last)):
        if len(value) > _NAME_LIMIT:
            errors[field] = f"Enter {_NAME_LIMIT} characters or fewer"
    number = ""
    if report.upn.strip():
        try:
            number = upn_number.validate(report.upn)
        except ValidationError:
            errors["upn"] = ("Enter a valid unique pupil number (13 characters, like "
                             "B801200005001)")
        else:
            known = session.execute(select(Child.id).where(
                Child.upn == number, Child.merged_at.is_(None))).first()
            if known is not None:
                errors["upn"] = ("A child with this unique pupil number is known to Family "
                                 "Hub: find them by the number above and choose them")
    if not (first or last or report.upn.strip()):
        errors["first_name"] = "Enter the child's name, or their unique pupil number"
    born = report.date_of_birth
    if report.date_of_birth_unreadable:
        errors["date_of_birth"] = "Date of birth must be a real date, like 27 3 2015"
    elif born is not None and born >= today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    school = session.get(School, report.school_id) if report.school_id else None
    if school is None:
        errors["school_id"] = "Choose the school whose register the case goes on"
    address = report.last_known_address.strip()
    if len(address) > _ADDRESS_LIMIT:
        errors["last_known_address"] = f"Enter {_ADDRESS_LIMIT:,} characters or fewer"
    if errors:
        raise InvalidInput(errors)
    assert school is not None
    return _Identity(None, first, last, born, number, school.id, address)


def report_missing_child(
    session: Session, report: ChildReport, actor: Actor, report_key: str, now: datetime
) -> tuple[MissingEducationCase, bool]:
    """Put a child on the register from the register itself: join the open case about
    the same child (at any school), or open one on the child's school's register (for a
    child not yet known, the school chosen), missing since the day last seen.

    Returns the case and whether it was opened now. A repeated ``report_key`` returns
    the case the first submit opened or joined and changes nothing. The child's record,
    if any, is never changed. Raises InvalidInput keyed by field.
    """
    if not 16 <= len(report_key) <= 64:
        raise InvalidInput({"": "This page is out of date. Open it again."})
    identity = _check(session, report, now.date())
    # A double click's two requests take turns here, so the second finds the first's.
    school = session.get(School, identity.school_id)
    assert school is not None
    lock_row(session, school)
    done = session.execute(
        select(CaseAction).where(CaseAction.action_key == report_key)).scalar_one_or_none()
    if done is not None:
        found = session.get(MissingEducationCase, done.case_id)
        assert found is not None
        return found, False
    assert report.last_seen is not None
    seen = f"Last seen {report.last_seen.day} {report.last_seen:%B %Y}. "
    note = seen + report.reason.strip()
    case = open_case_about(session, identity.child_id, identity.upn, identity.first_name,
                           identity.last_name, identity.date_of_birth)
    if case is not None:
        case_action(session, case, actor, now, "Reported again from the register", note,
                key=report_key)
        session.flush()
        audit(session, actor, "cme_case_joined", now, child_id=case.child_id,
              subject_type="missing_education_case", subject_id=case.id)
        return case, False
    case = MissingEducationCase(
        reference=new_case_reference(), school_id=identity.school_id,
        child_id=identity.child_id, first_name=identity.first_name,
        last_name=identity.last_name, date_of_birth=identity.date_of_birth,
        upn=identity.upn, last_known_address=identity.last_known_address,
        status=CaseStatus.REPORTED, missing_since=report.last_seen, opened_at=now,
        opened_by_name=actor.name)
    session.add(case)
    session.flush()
    case_action(session, case, actor, now, "Reported from the register", note,
            to_status=CaseStatus.REPORTED, key=report_key)
    session.flush()
    audit(session, actor, "cme_case_opened", now, child_id=case.child_id,
          subject_type="missing_education_case", subject_id=case.id)
    return case, True
