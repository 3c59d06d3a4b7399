"""The demo's children missing education register and attendance imports at Tonge Moor
Primary School, so its safeguarding lead and the coordinator have something to see at
first run: a child not on roll being traced for longer than the setting allows (on the
stuck page), a child whose whereabouts were unknown found on roll elsewhere, and two
attendance imports with pupils crossing the 10% and 50% thresholds.

Written through the same operations as the pages. The children and UPNs are invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.gb import upn

from routing.referrals.lifecycle import Actor
from routing.safeguarding import cme
from routing.safeguarding.attendance import COLUMNS, import_attendance
from routing.safeguarding.cme_models import MissingEducationCase
from routing.safeguarding.models import SafeguardingItem
from routing.safeguarding.operations import ConcernInput, DecisionInput, decide, raise_concern
from services.accounts.models import User
from services.schools import School

SCHOOL_URN = "105204"  # Tonge Moor Primary School
STAFF_EMAIL = "staff.tongemoor@demo.familyhub.test"
LEAD_EMAIL = "dsl.tongemoor@demo.familyhub.test"
# (first name, last name, date of birth, sessions possible, missed authorised and
# unauthorised in the first period, then in the second).
PUPILS = (
    ("Maisie", "Cole", "2017-09-12", (6, 4), (8, 30)),
    ("Oscar", "Bibi", "2016-02-03", (2, 1), (3, 9)),
    ("Ruby", "Hart", "2018-07-21", (8, 6), (9, 7)),
    ("Idris", "Khan", "2015-11-30", (1, 0), (0, 1)),
    ("Leah", "Owens", "2017-01-15", (20, 22), (24, 30)),
    ("Theo", "Walsh", "2016-06-09", (0, 2), (1, 2)),
)
POSSIBLE = 70


def demo_upn(n: int) -> str:
    body = f"3502026{n:04d}1"  # Bolton's LA number
    return upn.calc_check_digit(body) + body


def _file(school_urn: str, period: str, which: int) -> bytes:
    lines = [",".join(COLUMNS)]
    for n, (first, last, born, *figures) in enumerate(PUPILS, start=1):
        authorised, unauthorised = figures[which]
        lines.append(f"{demo_upn(n)},{first},{last},{born},{school_urn},{POSSIBLE},"
                     f"{authorised},{unauthorised},{period}")
    return ("\n".join(lines) + "\n").encode()


def _actor(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


def add_missing_education_examples(session: Session, now: datetime) -> int:
    """Add the examples unless the school's register already has a case; how many cases.
    Does nothing when the school or its staff are missing (a cut-down dataset)."""
    school = session.execute(select(School).where(School.urn == SCHOOL_URN)).scalar_one_or_none()
    staff = session.execute(select(User).where(User.email == STAFF_EMAIL)).scalar_one_or_none()
    lead = session.execute(select(User).where(User.email == LEAD_EMAIL)).scalar_one_or_none()
    if school is None or staff is None or lead is None:
        return 0
    if session.execute(select(MissingEducationCase.id).where(
            MissingEducationCase.school_id == school.id)).first() is not None:
        return 0
    reported = now - timedelta(days=21)
    item = raise_concern(session, school.id, _actor(staff), ConcernInput(
        kind="not_on_roll", first_name="Amara", last_name="Okafor",
        last_known_address="12 Crompton Way, Bolton",
        known_school="Offered a place at Tonge Moor in September; never started",
        details="The admissions team say the family accepted the place, but Amara has not "
                "attended a single day and the phone number is dead."),
        False, "demo-cme-amara", reported)
    case = cme.case_for_item(session, item)
    assert case is not None
    decide(session, item, _actor(lead), DecisionInput(
        decision="in_school", note=f"On the missing-education register as {case.reference}; "
                                   "the council's officer is told and tracing has begun."),
        reported + timedelta(hours=3))
    cme.record_action(session, case, _actor(lead), cme.ActionInput(
        note="Home visit: a neighbour says the family may be staying with relatives in "
             "Bury. Asked Bury's children-missing-education officer to check.",
        done_on=(reported + timedelta(days=2)).date(), status="tracing"),
        "demo-cme-amara-visit", reported + timedelta(days=2))
    # Tyler's whereabouts were unknown; the coordinator put him on the register and he
    # was found on roll at a school in Salford.
    tyler = session.execute(select(SafeguardingItem).where(
        SafeguardingItem.school_id == school.id, SafeguardingItem.first_name == "Tyler")
    ).scalar_one_or_none()
    cases = 1
    if tyler is not None:
        found, _ = cme.open_case_from_item(session, tyler, _actor(lead), now - timedelta(
            minutes=20))
        cme.record_action(session, found, _actor(lead), cme.ActionInput(
            note="Salford's school census shows him on roll at a primary school there "
                 "since November; his new school confirmed he attends.",
            done_on=now.date(), status="found_on_roll"), "demo-cme-tyler-found",
            now - timedelta(minutes=10))
        cases += 1
    import_attendance(session, _file(SCHOOL_URN, "2026-27 autumn 1", 0),
                      "tonge-moor-autumn-1.csv", _actor(lead), (school.id,),
                      now - timedelta(days=35))
    import_attendance(session, _file(SCHOOL_URN, "2026-27 autumn 2", 1),
                      "tonge-moor-autumn-2.csv", _actor(lead), (school.id,),
                      now - timedelta(days=1))
    session.flush()
    return cases
