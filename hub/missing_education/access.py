"""Who may see and act on the missing-education register and attendance imports: the
hub coordinator (the council's children-missing-education officer) everywhere, and a
school's safeguarding lead for their schools (the cases they opened, and those about a
child now on their roll). Loaders 404 for unknown ids, 403 when not
allowed, and audit every read of a case."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, exists, false, select, true

from hub.access import me
from hub.referrals.access import actor_for, school_ids_for
from hub.settings import now
from hub.unit_of_work import session
from routing.referrals.audit import audit
from routing.referrals.models import Child
from routing.safeguarding.cme import on_registers_of
from routing.safeguarding.cme_models import (
    AttendanceImport,
    AttendanceRecord,
    MissingEducationCase,
)
from services.accounts.models import Role, User

MAX_ID = 2**31 - 1  # larger ids cannot exist (and PostgreSQL refuses them): 404
ROLES = (Role.COORDINATOR, Role.SAFEGUARDING_LEAD)


def register_schools(user: User) -> tuple[int, ...] | None:
    """The schools whose register ``user`` keeps (None: every school, the coordinator)."""
    if user.role is Role.COORDINATOR:
        return None
    if user.role is Role.SAFEGUARDING_LEAD:
        return school_ids_for(user)
    return ()


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause for the cases ``user`` may read."""
    schools = register_schools(user)
    if schools is None:
        return true()
    if not schools:
        return false()
    return on_registers_of(schools)


def reportable_children(user: User) -> ColumnElement[bool]:
    """A WHERE clause for the children ``user`` may choose when reporting a child missing
    education from the register: every child for the coordinator, no one else's."""
    return true() if user.role is Role.COORDINATOR else false()


def load_reportable_child(child_id: int) -> Child:
    """A child chosen on the report page, if the signed-in user may see them (404 for an
    unknown or merged record, 403 when not theirs to see); the read is audited."""
    child = session().get(Child, child_id) if child_id <= MAX_ID else None
    if child is None or child.merged_at is not None:
        abort(404)
    user = me()
    if not session().execute(select(exists().where(
            Child.id == child.id, reportable_children(user)))).scalar():
        abort(403)
    audit(session(), actor_for(user), "child_viewed", now(), child.id)
    return child


def load_case(case_id: int) -> MissingEducationCase:
    """The case, if the signed-in user keeps its school's register; the read is audited."""
    case = session().get(MissingEducationCase, case_id) if case_id <= MAX_ID else None
    if case is None:
        abort(404)
    user = me()
    if not session().execute(select(exists().where(
            MissingEducationCase.id == case.id, visible_cases(user)))).scalar():
        abort(403)
    audit(session(), actor_for(user), "cme_case_viewed", now(), case.child_id,
          subject_type="missing_education_case", subject_id=case.id)
    return case


def load_import(import_id: int) -> AttendanceImport:
    """An import, if it holds figures for the user's schools (or they made it)."""
    found = session().get(AttendanceImport, import_id) if import_id <= MAX_ID else None
    if found is None:
        abort(404)
    user = me()
    schools = register_schools(user)
    if schools is not None and found.organisation_id != user.organisation_id:
        mine = session().execute(select(AttendanceRecord.id).where(
            AttendanceRecord.import_id == found.id,
            AttendanceRecord.school_id.in_(schools)).limit(1)).first()
        if mine is None:
            abort(403)
    audit(session(), actor_for(user), "attendance_import_viewed", now(),
          subject_type="attendance_import", subject_id=found.id)
    return found


def load_record(record_id: int) -> AttendanceRecord:
    """A pupil's attendance record, if the user keeps its school's register."""
    record = session().get(AttendanceRecord, record_id) if record_id <= MAX_ID else None
    if record is None:
        abort(404)
    schools = register_schools(me())
    if schools is not None and record.school_id not in schools:
        abort(403)
    return record
