"""The attendance import: bands at 10% and 50%, pupils crossing a threshold since their
school's previous import, all-or-nothing with every refused row and its reasons, the
uploader's schools, matching existing records by UPN without touching them, and a
repeated upload counting nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.safeguarding.attendance import (
    ImportRefused,
    band_for,
    import_attendance,
    import_view,
)
from routing.safeguarding.cme_models import AbsenceBand, AttendanceImport, AttendanceRecord
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral
from tests.routing.safeguarding.support import make_upn

NOW = datetime(2026, 12, 4, 15, 30)
HEADER = ("upn,first_name,last_name,date_of_birth,school_urn,sessions_possible,"
          "sessions_missed_authorised,sessions_missed_unauthorised,period")


def _file(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _row(n: int, urn: str, missed: int, possible: int = 100, period: str = "Autumn 1",
         name: str = "Amy,Shaw", born: str = "2016-05-01") -> str:
    return f"{make_upn(n)},{name},{born},{urn},{possible},0,{missed},{period}"


@pytest.mark.parametrize(("possible", "missed", "band"), [
    (100, 9, AbsenceBand.NONE), (100, 10, AbsenceBand.PERSISTENT),
    (100, 49, AbsenceBand.PERSISTENT), (100, 50, AbsenceBand.SEVERE),
    (3, 1, AbsenceBand.PERSISTENT), (0, 0, AbsenceBand.NONE),
])
def test_it_bands_absence_at_ten_and_fifty_percent(
    possible: int, missed: int, band: AbsenceBand
) -> None:
    assert band_for(possible, missed) is band


def test_it_lists_pupils_crossing_a_threshold_since_the_last_import(
    db: Session, cast: Cast
) -> None:
    urn = cast.school.urn
    first = import_attendance(db, _file([_row(1, urn, 5), _row(2, urn, 12), _row(3, urn, 20)]),
                              "autumn1.csv", actor(cast.dsl), (cast.school.id,), NOW)
    # With no import before, anyone at 10% or more crossed.
    assert {r.upn for r in first.crossed} == {make_upn(2), make_upn(3)}
    second = import_attendance(
        db, _file([_row(1, urn, 11, period="Autumn 2"), _row(2, urn, 12, period="Autumn 2"),
                   _row(3, urn, 60, period="Autumn 2"), _row(4, urn, 0, period="Autumn 2")]),
        "autumn2.csv", actor(cast.dsl), (cast.school.id,), NOW + timedelta(days=40))
    crossed = {r.upn: (r.previous_band, r.band) for r in second.crossed}
    assert crossed == {make_upn(1): (AbsenceBand.NONE, AbsenceBand.PERSISTENT),
                       make_upn(3): (AbsenceBand.PERSISTENT, AbsenceBand.SEVERE)}
    view = import_view(db, second.attendance_import, (cast.school.id,))
    assert [r.upn for r in view.flagged] == [make_upn(3), make_upn(2), make_upn(1)]
    assert {r.upn for r in view.crossed} == {make_upn(1), make_upn(3)}
    assert import_view(db, second.attendance_import, (cast.other_school.id,)).shown == 0
    (audited,) = db.execute(select(AuditEvent).where(
        AuditEvent.action == "attendance_imported",
        AuditEvent.subject_id == str(second.attendance_import.id))).scalars()
    assert audited.detail == "4 rows; 2 crossed a threshold"


def test_it_counts_nothing_twice_when_the_same_figures_come_again(
    db: Session, cast: Cast
) -> None:
    data = _file([_row(1, cast.school.urn, 30)])
    made = import_attendance(db, data, "a.csv", actor(cast.dsl), None, NOW)
    again = import_attendance(db, data, "a.csv", actor(cast.dsl), None, NOW)
    assert again.already and again.attendance_import.id == made.attendance_import.id
    # A different file for the same pupil, school and period replaces the figures.
    corrected = import_attendance(db, _file([_row(1, cast.school.urn, 35)]) + b"\n", "b.csv",
                                  actor(cast.dsl), None, NOW + timedelta(hours=1))
    assert not corrected.already and corrected.crossed == []
    (record,) = db.execute(select(AttendanceRecord)).scalars()
    assert (record.missed_unauthorised, record.import_id) == (
        35, corrected.attendance_import.id)
    assert db.execute(select(func.count()).select_from(AttendanceImport)).scalar_one() == 2


def test_it_refuses_the_whole_file_and_says_why_for_each_row(
    db: Session, cast: Cast
) -> None:
    ours, theirs = cast.school.urn, cast.other_school.urn
    rows = [
        _row(1, ours, 5),  # good
        "X35020260001A,Amy,Shaw,2016-05-01," + ours + ",100,0,5,Autumn 1",  # bad UPN
        _row(3, "999999", 5),  # unknown URN
        _row(4, theirs, 5),  # another school's
        _row(5, ours, 60, possible=50),  # more missed than possible
        _row(6, ours, 5, born="31/02/2016"),  # not a date
        _row(1, ours, 7),  # the same pupil, school and period again
        _row(7, ours, 5, name=","),  # no name
        f"{make_upn(8)},Amy,Shaw,2016-05-01,{ours},-3,0,1,Autumn 1",  # negative
    ]
    with pytest.raises(ImportRefused) as refused:
        import_attendance(db, _file(rows), "bad.csv", actor(cast.dsl), (cast.school.id,), NOW)
    reasons = {row.line: " ".join(row.reasons) for row in refused.value.rows}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "not a valid unique pupil number" in reasons[3]
    assert "No school in the hub has the URN '999999'" in reasons[4]
    assert f"You may not import attendance for {cast.other_school.name}" in reasons[5]
    assert "More sessions missed than were possible" in reasons[6]
    assert "not a date" in reasons[7]
    assert "on line 2" in reasons[8]
    assert "first and last name" in reasons[9]
    assert "whole numbers" in reasons[10]
    assert db.execute(select(AttendanceImport)).first() is None
    assert db.execute(select(AttendanceRecord)).first() is None
    # The coordinator may import for any school.
    made = import_attendance(db, _file([_row(1, ours, 5), _row(4, theirs, 5)]), "ok.csv",
                             actor(cast.coordinator), None, NOW)
    assert made.attendance_import.rows == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe\x00bad", "UTF-8"),
    (b"upn,first_name\nX,Y\n", "missing: last_name"),
    (HEADER.encode() + b"\n", "no rows"),
])
def test_it_refuses_a_file_it_cannot_read(
    db: Session, cast: Cast, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        import_attendance(db, data, "x.csv", actor(cast.dsl), None, NOW)
    assert message in refused.value.errors["file"]


def test_it_matches_children_by_upn_and_keeps_unknown_pupils_without_touching_records(
    db: Session, cast: Cast
) -> None:
    child = sent_referral(db, cast, make_service(db, cast.provider)).child
    child.upn = make_upn(1)
    db.flush()
    import_attendance(db, _file([_row(1, cast.school.urn, 30, name="Someone,Else",
                                      born="2015-01-01"),
                                 _row(2, cast.school.urn, 30)]),
                      "a.csv", actor(cast.dsl), None, NOW)
    known, unknown = db.execute(
        select(AttendanceRecord).order_by(AttendanceRecord.upn == make_upn(2))).scalars()
    assert (known.child_id, unknown.child_id) == (child.id, None)
    assert (unknown.first_name, unknown.date_of_birth) == ("Amy", date(2016, 5, 1))
    db.refresh(child)
    assert child.first_name != "Someone" and child.date_of_birth != date(2015, 1, 1)
