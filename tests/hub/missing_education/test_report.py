"""Over HTTP: the coordinator's "Report a child missing education" page (search posted,
a double submit opens one case, errors beside the fields), and a safeguarding lead who
sees a case about a child now on their school's roll, and no other school's."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.models import Child
from routing.safeguarding.cme_models import MissingEducationCase
from services.accounts.models import User
from tests.clock import MovableClock
from tests.factories import Cast, login
from tests.hub.date_boxes import marked_boxes, typed
from tests.routing.safeguarding.support import concern, make_upn

MONDAY = datetime(2026, 11, 30, 9, 0)
LAST_SEEN = {"last_seen-day": "2", "last_seen-month": "11", "last_seen-year": "2026"}


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _key(page: str) -> str:
    found = re.search(r'name="report_key" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_it_lets_the_coordinator_find_a_child_and_report_them_once(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    child = Child(first_name="Kai", last_name="Brennan", date_of_birth=date(2015, 3, 14),
                  school_id=cast.school.id, home_postcode="BL1 1SE", upn=make_upn(3))
    db.add(child)
    db.commit()
    coordinator = _client(app, cast.coordinator)
    register = coordinator.get("/missing-education").get_data(as_text=True)
    assert "Report a child missing education" in register
    found = coordinator.post("/missing-education/report", data={
        "intent": "find", "find": make_upn(3)}).get_data(as_text=True)
    assert "Kai Brennan, 14 March 2015, Castle Hill Primary School" in found
    form = {"intent": "report", "report_key": _key(found), "find": make_upn(3),
            "child_id": str(child.id),
            "reason": "Not at school since half term", **LAST_SEEN}
    # Nothing typed is lost when refused: the message sits beside the field.
    refused = coordinator.post("/missing-education/report", data={**form, "reason": ""})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Enter why the child is thought to be missing education" in page
    assert f'id="child-{child.id}" name="child_id" type="radio" value="{child.id}" checked' in page
    first = coordinator.post("/missing-education/report", data=form)
    second = coordinator.post("/missing-education/report", data=form)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.execute(select(func.count(MissingEducationCase.id))).scalar_one() == 1
    case_page = coordinator.get(first.location).get_data(as_text=True)
    assert "Reported from the register" in case_page
    assert db.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "cme_case_opened")).scalar_one() == 1
    # Unknown or oversize ids are a 404, never a 500.
    for bad in ("999999", "9" * 30, "abc"):
        assert coordinator.post("/missing-education/report", data={
            **form, "child_id": bad, "report_key": "k" * 24}).status_code == 404


def test_it_records_a_child_not_yet_known(app: Flask, db: Session, cast: Cast,
                                         clock: MovableClock) -> None:
    clock.set(MONDAY)
    coordinator = _client(app, cast.coordinator)
    page = coordinator.get("/missing-education/report").get_data(as_text=True)
    response = coordinator.post("/missing-education/report", data={
        "intent": "report", "report_key": _key(page), "child_id": "new",
        "first_name": "Maja", "last_name": "Nowak", "school_id": str(cast.other_school.id),
        "reason": "Family moved from Poland; no school place", **LAST_SEEN})
    assert response.status_code == 302
    case = db.execute(select(MissingEducationCase)).scalar_one()
    assert (case.name, case.school_id, case.child_id) == ("Maja Nowak", cast.other_school.id,
                                                          None)


def test_it_keeps_the_report_page_to_the_coordinator(app: Flask, cast: Cast) -> None:
    for user in (cast.dsl, cast.staff, cast.manager):
        assert _client(app, user).get("/missing-education/report").status_code == 403
    assert "Report a child missing education" not in _client(app, cast.dsl).get(
        "/missing-education").get_data(as_text=True)


def test_it_shows_a_lead_the_case_of_a_child_now_on_their_roll_and_no_other(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    joined = Child(first_name="Kai", last_name="Brennan", date_of_birth=date(2015, 3, 14),
                   school_id=cast.school.id, home_postcode="BL1 1SE", upn=make_upn(4))
    db.add(joined)
    db.flush()
    # The school the child left reported them; the child is now on our roll.
    concern(db, cast.other_staff, cast.other_school.id, MONDAY, pupil_number=make_upn(4),
            same_child=True)
    concern(db, cast.other_staff, cast.other_school.id, MONDAY, first_name="Zac",
            last_name="Hill", pupil_number=make_upn(5))
    about, other = db.execute(select(MissingEducationCase).order_by(
        MissingEducationCase.id)).scalars().all()
    about.child_id = joined.id
    db.commit()
    lead = _client(app, cast.dsl)
    page = lead.get("/missing-education").get_data(as_text=True)
    assert about.reference in page and other.reference not in page
    assert lead.get(f"/missing-education/cases/{about.id}").status_code == 200
    assert lead.get(f"/missing-education/cases/{other.id}").status_code == 403


def test_it_marks_only_the_wrong_boxes_of_each_date_and_keeps_what_was_typed(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    coordinator = _client(app, cast.coordinator)
    page = coordinator.get("/missing-education/report").get_data(as_text=True)
    refused = coordinator.post("/missing-education/report", data={
        "intent": "report", "report_key": _key(page), "child_id": "new",
        "first_name": "Maja", "school_id": str(cast.other_school.id), "reason": "Moved",
        "last_seen-day": "2", "last_seen-month": "11", "last_seen-year": "26",
        "date_of_birth-day": "30", "date_of_birth-month": "2",
        "date_of_birth-year": "2015"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert marked_boxes(text, "last_seen") == {"year"}
    assert typed(text, "last_seen") == {"day": "2", "month": "11", "year": "26"}
    assert marked_boxes(text, "date_of_birth") == {"day"}
    assert typed(text, "date_of_birth") == {"day": "30", "month": "2", "year": "2015"}
    assert '<p class="govuk-error-message" id="last_seen">' in text
    assert '<p class="govuk-error-message" id="date_of_birth">' in text
