"""The coordinator reports a child missing education from the register (a known child or
one not yet known), with the register's duplicate rule; and a school's safeguarding lead
sees the cases about children now on their roll."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.models import Child
from routing.safeguarding import cme
from routing.safeguarding.cme_models import CaseAction, CaseStatus, MissingEducationCase
from routing.safeguarding.cme_report import ChildReport, find_children, report_missing_child
from services.errors import InvalidInput
from tests.factories import Cast
from tests.routing.referrals.helpers import actor
from tests.routing.safeguarding.support import concern, make_upn

MONDAY = datetime(2026, 11, 30, 9, 0)


def _child(db: Session, school_id: int, first: str = "Kai", last: str = "Brennan",
           upn: str | None = None) -> Child:
    child = Child(first_name=first, last_name=last, date_of_birth=date(2015, 3, 14),
                  school_id=school_id, home_postcode="BL1 1SE", upn=upn)
    db.add(child)
    db.flush()
    return child


def _report(db: Session, cast: Cast, key: str | None = None, **typed: object
            ) -> tuple[MissingEducationCase, bool]:
    fields: dict[str, object] = {"child": None, "reason": "Not on any roll since moving",
                                 "last_seen": date(2026, 11, 2)}
    fields.update(typed)
    return report_missing_child(db, ChildReport(**fields),  # type: ignore[arg-type]
                                actor(cast.coordinator), key or secrets.token_urlsafe(24),
                                MONDAY)


def _cases(db: Session) -> int:
    return db.execute(select(func.count(MissingEducationCase.id))).scalar_one()


def test_it_opens_a_case_for_a_known_child_once_however_often_it_is_submitted(
    db: Session, cast: Cast
) -> None:
    child = _child(db, cast.school.id, upn=make_upn(7))
    key = secrets.token_urlsafe(24)
    case, opened = _report(db, cast, key, child=child)
    assert opened
    assert (case.child_id, case.school_id, case.upn, case.missing_since, case.status) == (
        child.id, cast.school.id, make_upn(7), date(2026, 11, 2), CaseStatus.REPORTED)
    assert [a.summary for a in case.actions] == ["Reported from the register"]
    assert "Last seen 2 November 2026. Not on any roll" in case.actions[0].note
    # A double submit: the same case, nothing added.
    assert _report(db, cast, key, child=child) == (case, False)
    assert _cases(db) == 1 and len(case.actions) == 1
    # A second report (a new form) joins the open case: never a second case.
    again, opened = _report(db, cast, child=child, reason="Seen in town")
    assert (again, opened) == (case, False)
    assert _cases(db) == 1
    assert [a.summary for a in again.actions][-1] == "Reported again from the register"
    actions = db.execute(select(AuditEvent.action).where(
        AuditEvent.child_id == child.id)).scalars().all()
    assert actions.count("cme_case_opened") == 1 and actions.count("cme_case_joined") == 1
    # The child's record is never changed from here.
    assert (child.first_name, child.school_id) == ("Kai", cast.school.id)


def test_it_joins_a_case_a_concern_opened_about_the_same_child(db: Session, cast: Cast
                                                               ) -> None:
    item = concern(db, cast.other_staff, cast.other_school.id, MONDAY,
                   pupil_number=make_upn(8))
    (existing,) = db.execute(select(MissingEducationCase)).scalars().all()
    # A child not known to Family Hub, the same UPN: the concern's case, at any school.
    case, opened = _report(db, cast, first_name="Kai", last_name="Brennan",
                           upn=make_upn(8), school_id=cast.school.id)
    assert not opened and case == existing and case.item_id == item.id
    assert _cases(db) == 1


def test_it_records_a_child_not_yet_known_on_the_chosen_schools_register(
    db: Session, cast: Cast
) -> None:
    case, opened = _report(db, cast, first_name="Maja", last_name="Nowak",
                           date_of_birth=date(2016, 5, 1), school_id=cast.other_school.id,
                           last_known_address="Flat 2, 14 Deane Road, Bolton")
    assert opened
    assert (case.child_id, case.name, case.school_id, case.last_known_address) == (
        None, "Maja Nowak", cast.other_school.id, "Flat 2, 14 Deane Road, Bolton")
    assert db.execute(select(func.count(CaseAction.id)).where(
        CaseAction.case_id == case.id)).scalar_one() == 1


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"reason": "  "}, "reason", "Enter why the child"),
    ({"last_seen": None}, "last_seen", "Enter the date the child was last seen"),
    ({"last_seen": date(2026, 12, 25)}, "last_seen", "cannot be in the future"),
    ({"last_seen": date(1926, 12, 1)}, "last_seen", "within 5 years"),
    ({"school_id": None}, "school_id", "Choose the school"),
    ({"first_name": "", "last_name": ""}, "first_name", "Enter the child's name"),
    ({"upn": "HELLO"}, "upn", "Enter a valid unique pupil number"),
    ({"first_name": "x" * 101}, "first_name", "100 characters or fewer"),
    ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth", "must be in the past"),
])
def test_it_refuses_a_report_with_a_message_beside_the_field(
    db: Session, cast: Cast, typed: dict[str, object], field: str, message: str
) -> None:
    fields: dict[str, object] = {"first_name": "Maja", "last_name": "Nowak",
                                 "school_id": cast.school.id}
    fields.update(typed)
    with pytest.raises(InvalidInput) as refused:
        _report(db, cast, **fields)
    assert message in refused.value.errors[field]
    assert _cases(db) == 0


def test_it_sends_a_known_upn_back_to_the_search_instead_of_a_second_record(
    db: Session, cast: Cast
) -> None:
    _child(db, cast.school.id, upn=make_upn(9))
    with pytest.raises(InvalidInput) as refused:
        _report(db, cast, first_name="Kai", last_name="B", upn=make_upn(9),
                school_id=cast.school.id)
    assert "is known to Family Hub" in refused.value.errors["upn"]


def test_it_finds_children_by_upn_or_every_word_of_the_name(db: Session, cast: Cast) -> None:
    kai = _child(db, cast.school.id, upn=make_upn(10))
    _child(db, cast.other_school.id, first="Kai", last="Lowe")
    ada = _child(db, cast.school.id, first="Ada", last="Brennan")
    assert find_children(db, make_upn(10).lower(), true()) == [kai]
    assert {c.id for c in find_children(db, "brennan", true())} == {kai.id, ada.id}
    assert find_children(db, "kai brennan", true()) == [kai]
    assert find_children(db, "100%", true()) == []
    ada.merged_at = MONDAY
    assert find_children(db, "Ada", true()) == []
    assert find_children(db, "Kai", Child.school_id == cast.school.id) == [kai]


def test_it_puts_a_case_on_the_register_of_the_school_the_child_now_attends(
    db: Session, cast: Cast
) -> None:
    moved = _child(db, cast.school.id, upn=make_upn(11))
    stayed = _child(db, cast.other_school.id, first="Zac", last="Hill")
    elsewhere, _ = _report(db, cast, child=moved)
    elsewhere.school_id = cast.other_school.id  # reported by the school the child left
    theirs, _ = _report(db, cast, child=stayed)
    db.flush()

    def shown(school_ids: tuple[int, ...]) -> set[int]:
        entries = cme.register(db, school_ids, MONDAY, 5).open
        return {entry.case.id for entry in entries}

    assert shown((cast.school.id,)) == {elsewhere.id}
    assert shown((cast.other_school.id,)) == {elsewhere.id, theirs.id}
    assert shown(()) == set()
