"""Importing attendance figures from a CSV file (the format is in the README), flagging
persistent and severe absence, and listing pupils who crossed a threshold since their
school's previous import.

The import is all or nothing: every row is checked first, and one refused row refuses the
file (``ImportRefused`` lists every refused row with its reasons). The same file uploaded
again is the same import (its SHA-256 is unique), and a later file for the same school,
pupil and period replaces the figures rather than adding to them.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from stdnum.exceptions import ValidationError
from stdnum.gb import upn as upn_number

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from routing.safeguarding.cme_models import AbsenceBand, AttendanceImport, AttendanceRecord
from services.errors import InvalidInput
from services.schools import School

COLUMNS = ("upn", "first_name", "last_name", "date_of_birth", "school_urn",
           "sessions_possible", "sessions_missed_authorised", "sessions_missed_unauthorised",
           "period")
PERSISTENT = 0.10  # DfE: persistent absence is 10% or more of possible sessions missed
SEVERE = 0.50  # and severe absence 50% or more
MAX_ROWS = 50_000
MAX_SESSIONS = 1000  # a school year has about 380 sessions; more is a mistake


def band_for(possible: int, missed: int) -> AbsenceBand:
    """The absence band of ``missed`` sessions out of ``possible`` (the rule, once)."""
    if possible <= 0:
        return AbsenceBand.NONE
    share = missed / possible
    if share >= SEVERE:
        return AbsenceBand.SEVERE
    if share >= PERSISTENT:
        return AbsenceBand.PERSISTENT
    return AbsenceBand.NONE


@dataclass(frozen=True)
class RefusedRow:
    line: int
    upn: str
    reasons: tuple[str, ...]


class ImportRefused(Exception):
    """The file was not imported: these rows (every one refused) are why."""

    def __init__(self, rows: list[RefusedRow]) -> None:
        super().__init__(f"{len(rows)} rows refused")
        self.rows = rows


@dataclass(frozen=True)
class _Row:
    line: int
    upn: str
    first_name: str
    last_name: str
    date_of_birth: date
    school: School
    possible: int
    authorised: int
    unauthorised: int
    period: str


@dataclass
class ImportResult:
    """What an import did (``already``: the same file had been imported before)."""

    attendance_import: AttendanceImport
    already: bool = False
    crossed: list[AttendanceRecord] = field(default_factory=list)


def _read(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": "The file must be a CSV file saved as UTF-8"}) from None
    try:
        reader = csv.DictReader(io.StringIO(text))
        headers = [(name or "").strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in COLUMNS if name not in headers]
        if missing:
            raise InvalidInput({"file": "The file's first line must name the columns; "
                                        f"missing: {', '.join(missing)}"})
        reader.fieldnames = headers
        rows: list[dict[str, str]] = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise InvalidInput({"file": f"A file can hold at most {MAX_ROWS:,} rows"})
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                rows.append({**{k: (v if isinstance(v, str) else "") for k, v in row.items()
                                if k is not None}, "__line__": str(reader.line_num)})
    except csv.Error:
        raise InvalidInput({"file": "The file is not a readable CSV file"}) from None
    if not rows:
        raise InvalidInput({"file": "The file has no rows of figures"})
    return rows


def _date(typed: str) -> date | None:
    typed = typed.strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(typed)
        except ValueError:
            continue
    return None


def _whole(typed: str) -> int | None:
    typed = typed.strip()
    return int(typed) if typed.isdecimal() and len(typed) <= 6 else None


def _check(
    raw: Mapping[str, str], schools: Mapping[str, School], allowed: Collection[int] | None,
    today: date,
) -> tuple[_Row | None, list[str]]:
    reasons: list[str] = []
    typed_upn = raw.get("upn", "").strip()
    upn = ""
    try:
        upn = upn_number.validate(typed_upn)
    except ValidationError:
        reasons.append("The UPN is not a valid unique pupil number")
    first, last = raw.get("first_name", "").strip(), raw.get("last_name", "").strip()
    if not first or not last:
        reasons.append("The first and last name are both needed")
    elif len(first) > 100 or len(last) > 100:
        reasons.append("A name is longer than 100 characters")
    born = _date(raw.get("date_of_birth", ""))
    if born is None:
        reasons.append("The date of birth is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    elif born > today or born.year < today.year - 25:
        reasons.append("The date of birth is impossible for a pupil")
    urn = raw.get("school_urn", "").strip()
    school = schools.get(urn)
    if school is None:
        reasons.append(f"No school in the hub has the URN {urn[:20]!r}")
    elif allowed is not None and school.id not in allowed:
        reasons.append(f"You may not import attendance for {school.name}")
    possible = _whole(raw.get("sessions_possible", ""))
    authorised = _whole(raw.get("sessions_missed_authorised", ""))
    unauthorised = _whole(raw.get("sessions_missed_unauthorised", ""))
    if possible is None or authorised is None or unauthorised is None:
        reasons.append("Sessions must be whole numbers, 0 or more")
    elif possible == 0:
        reasons.append("Sessions possible must be more than 0")
    elif possible > MAX_SESSIONS:
        reasons.append(f"More than {MAX_SESSIONS} sessions possible in one period")
    elif authorised + unauthorised > possible:
        reasons.append("More sessions missed than were possible")
    period = raw.get("period", "").strip()
    if not period:
        reasons.append("The period is missing")
    elif len(period) > 40:
        reasons.append("The period is longer than 40 characters")
    if reasons:
        return None, reasons
    assert born is not None and school is not None
    assert possible is not None and authorised is not None and unauthorised is not None
    return _Row(int(raw["__line__"]), upn, first, last, born, school, possible, authorised,
                unauthorised, period), []


def import_attendance(
    session: Session, data: bytes, filename: str, actor: Actor,
    allowed_schools: Collection[int] | None, now: datetime,
) -> ImportResult:
    """Import an attendance file for the schools in ``allowed_schools`` (None: any).

    Raises InvalidInput (key ``file``) for a file that cannot be read, and ImportRefused
    listing every refused row: a bad UPN or date of birth, a missing name, an unknown URN,
    a school the uploader may not import for, impossible numbers, or the same pupil,
    school and period twice in the file. Nothing is written unless every row is good.
    """
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.execute(
        select(AttendanceImport).where(AttendanceImport.file_hash == digest)
    ).scalar_one_or_none()
    if earlier is not None:
        return ImportResult(earlier, already=True)
    raw_rows = _read(data)
    urns = {row.get("school_urn", "").strip() for row in raw_rows}
    schools = {school.urn: school for school in session.execute(
        select(School).where(School.urn.in_(urns))).scalars()}
    checked: list[_Row] = []
    refused: list[RefusedRow] = []
    seen: dict[tuple[str, int, str], int] = {}
    for raw in raw_rows:
        row, reasons = _check(raw, schools, allowed_schools, now.date())
        if row is not None:
            key = (row.upn, row.school.id, row.period.lower())
            if key in seen:
                reasons = [f"The same pupil, school and period is on line {seen[key]}"]
            else:
                seen[key] = row.line
                checked.append(row)
        if reasons:
            refused.append(RefusedRow(int(raw["__line__"]), raw.get("upn", "").strip()[:20],
                                      tuple(reasons)))
    if refused:
        raise ImportRefused(refused)
    made = AttendanceImport(file_hash=digest, filename=filename.strip()[:200], imported_at=now,
                            imported_by_id=actor.user_id, imported_by_name=actor.name,
                            organisation_id=actor.organisation_id, rows=len(checked))
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:  # the same file, a moment earlier, in another request
        again = session.execute(
            select(AttendanceImport).where(AttendanceImport.file_hash == digest)).scalar_one()
        return ImportResult(again, already=True)
    records = _store(session, made, checked)
    crossed = [record for record in records if record.crossed]
    audit(session, actor, "attendance_imported", now, subject_type="attendance_import",
          subject_id=made.id,
          detail=f"{len(records)} rows; {len(crossed)} crossed a threshold")
    return ImportResult(made, crossed=crossed)


def _store(session: Session, made: AttendanceImport, rows: list[_Row]) -> list[AttendanceRecord]:
    """Write the rows: a new record, or the same school, pupil and period's record with the
    new figures; each remembering the band of the pupil's previous import at the school."""
    upns = {row.upn for row in rows}
    school_ids = {row.school.id for row in rows}
    children = {child.upn: child.id for child in session.execute(
        select(Child).where(Child.upn.in_(upns))).scalars()}
    latest: dict[tuple[int, str], AttendanceRecord] = {}
    same_period: dict[tuple[int, str, str], AttendanceRecord] = {}
    for record in session.execute(
        select(AttendanceRecord)
        .where(AttendanceRecord.upn.in_(upns), AttendanceRecord.school_id.in_(school_ids))
        .order_by(AttendanceRecord.import_id, AttendanceRecord.id)
    ).scalars():
        latest[(record.school_id, record.upn)] = record
        same_period[(record.school_id, record.upn, record.period.lower())] = record
    stored = []
    for row in rows:
        before = latest.get((row.school.id, row.upn))
        found = same_period.get((row.school.id, row.upn, row.period.lower()))
        if found is None:
            record = AttendanceRecord(school_id=row.school.id, upn=row.upn, period=row.period)
            session.add(record)
        else:
            record = found
        record.import_id = made.id
        record.child_id = children.get(row.upn)
        record.first_name, record.last_name = row.first_name, row.last_name
        record.date_of_birth = row.date_of_birth
        record.sessions_possible = row.possible
        record.missed_authorised, record.missed_unauthorised = row.authorised, row.unauthorised
        record.previous_band = before.band if before is not None else None
        record.band = band_for(row.possible, row.authorised + row.unauthorised)
        stored.append(record)
    session.flush()
    return stored


def visible_imports(
    session: Session, school_ids: Collection[int] | None, limit: int = 50
) -> list[AttendanceImport]:
    """The latest imports holding figures for ``school_ids`` (None: every import)."""
    query = select(AttendanceImport)
    if school_ids is not None:
        query = query.where(AttendanceImport.id.in_(
            select(AttendanceRecord.import_id)
            .where(AttendanceRecord.school_id.in_(list(school_ids)))))
    return list(session.execute(
        query.order_by(AttendanceImport.imported_at.desc(), AttendanceImport.id.desc())
        .limit(limit)).scalars())


@dataclass(frozen=True)
class ImportView:
    """One import as a reader sees it: the rows of their schools it set."""

    crossed: list[AttendanceRecord]
    flagged: list[AttendanceRecord]
    shown: int


def import_view(
    session: Session, attendance_import: AttendanceImport, school_ids: Collection[int] | None
) -> ImportView:
    """The pupils this import set at ``school_ids`` (None: all): those who crossed a
    threshold since their school's previous import, and every persistent or severe
    absence, worst first."""
    query = (select(AttendanceRecord)
             .where(AttendanceRecord.import_id == attendance_import.id)
             .options(selectinload(AttendanceRecord.school)))
    if school_ids is not None:
        query = query.where(AttendanceRecord.school_id.in_(list(school_ids)))
    records = list(session.execute(query.order_by(AttendanceRecord.id)).scalars())
    flagged = sorted((r for r in records if r.band is not AbsenceBand.NONE),
                     key=lambda r: (-r.missed_percent, r.id))
    return ImportView([r for r in flagged if r.crossed], flagged, len(records))
