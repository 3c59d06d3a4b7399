"""The missing-education register and attendance pages over HTTP: who sees which schools,
recording an action, opening a case from an item, uploading a file (refused rows listed,
a double upload counted once), the coordinator's decision on an item, linking a concern
to a child's record, and the stuck page and command showing the new lists."""

from __future__ import annotations

import io
import re
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.safeguarding.cme_models import (
    AttendanceImport,
    CaseStatus,
    MissingEducationCase,
)
from routing.safeguarding.models import Decision
from services.accounts.models import Role, User
from tests.clock import MovableClock
from tests.factories import Cast, login, make_service, make_user
from tests.hub.date_boxes import marked_boxes, typed
from tests.routing.referrals.helpers import sent_referral
from tests.routing.safeguarding.support import concern, make_upn

MONDAY = datetime(2026, 11, 30, 9, 0)


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _cases(db: Session, cast: Cast) -> tuple[MissingEducationCase, MissingEducationCase]:
    ours = concern(db, cast.staff, cast.school.id, MONDAY, first_name="Kai")
    theirs = concern(db, cast.other_staff, cast.other_school.id, MONDAY, first_name="Zac",
                     last_name="Hill")
    db.commit()
    found = [db.execute(select(MissingEducationCase).where(
        MissingEducationCase.item_id == item.id)).scalar_one() for item in (ours, theirs)]
    return found[0], found[1]


def test_it_scopes_the_register_to_the_leads_schools_and_the_hub_for_the_coordinator(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    ours, theirs = _cases(db, cast)
    other_lead = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation,
                           "other.dsl@example.test")
    db.commit()
    lead = _client(app, cast.dsl)
    page = lead.get("/missing-education").get_data(as_text=True)
    assert ours.reference in page and theirs.reference not in page
    assert lead.get(f"/missing-education/cases/{theirs.id}").status_code == 403
    assert lead.get(f"/missing-education/cases/{10**30}").status_code == 404
    coordinator = _client(app, cast.coordinator)
    everyone = coordinator.get("/missing-education").get_data(as_text=True)
    assert ours.reference in everyone and theirs.reference in everyone
    assert "Every school in the hub" in everyone
    theirs_page = _client(app, other_lead).get("/missing-education").get_data(as_text=True)
    assert theirs.reference in theirs_page and ours.reference not in theirs_page
    staff = _client(app, cast.staff)
    assert staff.get("/missing-education").status_code == 403
    assert staff.get("/missing-education/attendance").status_code == 403


def test_it_records_an_action_once_and_keeps_what_was_typed_on_error(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    ours, _ = _cases(db, cast)
    lead = _client(app, cast.dsl)
    page = lead.get(f"/missing-education/cases/{ours.id}").get_data(as_text=True)
    key = re.search(r'name="action_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    refused = lead.post(f"/missing-education/cases/{ours.id}/actions", data={
        "action_key": key, "note": "Called the family", "status": "moved_out",
        "done_on-day": "30", "done_on-month": "11", "done_on-year": "2026"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Enter the council the child has moved to" in text and "Called the family" in text
    form = {"action_key": key, "note": "Called the family", "status": "tracing",
            "done_on-day": "30", "done_on-month": "11", "done_on-year": "2026"}
    for _ in range(2):  # a double click
        assert lead.post(f"/missing-education/cases/{ours.id}/actions",
                         data=form).status_code == 302
    db.expire_all()
    case = db.get(MissingEducationCase, ours.id)
    assert case is not None and case.status is CaseStatus.TRACING
    assert [a.summary for a in case.actions][1:] == ["Status: Tracing"]
    shown = lead.get(f"/missing-education/cases/{ours.id}").get_data(as_text=True)
    assert "Called the family" in shown
    assert db.execute(select(AuditEvent).where(AuditEvent.action == "cme_action")).first()


def test_it_uploads_attendance_lists_refused_rows_and_counts_a_double_upload_once(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    header = ("upn,first_name,last_name,date_of_birth,school_urn,sessions_possible,"
              "sessions_missed_authorised,sessions_missed_unauthorised,period\n")
    good = (f"{make_upn(1)},Amy,Shaw,2016-05-01,{cast.school.urn},100,5,50,Autumn 1\n"
            f"{make_upn(2)},Ben,Shaw,2016-05-01,{cast.school.urn},100,5,6,Autumn 1\n")
    bad = good + f"{make_upn(3)},Cal,Shaw,2016-05-01,{cast.other_school.urn},100,5,6,Autumn 1\n"
    lead = _client(app, cast.dsl)

    def upload(content: str) -> object:
        return lead.post("/missing-education/attendance", data={
            "file": (io.BytesIO((header + content).encode()), "autumn.csv")},
            content_type="multipart/form-data")

    refused = upload(bad)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    text = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Nothing was imported: 1 row refused" in text
    assert f"You may not import attendance for {cast.other_school.name}" in text
    assert db.execute(select(AttendanceImport)).first() is None
    first = upload(good)
    again = upload(good)
    assert first.location == again.location  # type: ignore[attr-defined]
    assert len(db.execute(select(AttendanceImport)).all()) == 1
    shown = lead.get(first.location).get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Crossed a threshold since the last import (2)" in shown and "Amy Shaw" in shown
    assert "Severe" in shown and "Persistent" in shown
    told = lead.get("/missing-education/attendance").get_data(as_text=True)
    assert "autumn.csv" in told
    other_lead = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation,
                           "other.dsl@example.test")
    db.commit()
    assert _client(app, other_lead).get(
        first.location).status_code == 403  # type: ignore[attr-defined]
    assert _client(app, cast.coordinator).get(
        first.location).status_code == 200  # type: ignore[attr-defined]
    # From a severe absence, the lead puts the pupil on the register, once.
    from routing.safeguarding.cme_models import AttendanceRecord

    amy = db.execute(select(AttendanceRecord).where(
        AttendanceRecord.upn == make_upn(1))).scalar_one()
    assert _client(app, other_lead).post(
        f"/missing-education/from-attendance/{amy.id}").status_code == 403
    opened = lead.post(f"/missing-education/from-attendance/{amy.id}")
    assert lead.post(f"/missing-education/from-attendance/{amy.id}").location == \
        opened.location
    case = db.execute(select(MissingEducationCase)).scalar_one()
    assert (case.upn, case.first_name, case.school_id) == (make_upn(1), "Amy", cast.school.id)
    assert [a.summary for a in case.actions] == ["Reported from the attendance import"]
    assert "55.0% of 100 sessions missed" in case.actions[0].note
    assert case.reference in lead.get(first.location).get_data(  # type: ignore[attr-defined]
        as_text=True)


def test_it_puts_an_item_on_the_register_and_the_coordinator_may_decide(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    item = concern(db, cast.staff, cast.school.id, MONDAY, kind="whereabouts_unknown")
    db.commit()
    coordinator = _client(app, cast.coordinator)
    page = coordinator.get(f"/safeguarding/items/{item.id}").get_data(as_text=True)
    assert "Record your decision" in page and "Put on the missing-education register" in page
    opened = coordinator.post(f"/missing-education/from-item/{item.id}")
    assert opened.status_code == 302
    case = db.execute(select(MissingEducationCase)).scalar_one()
    assert opened.location.endswith(f"/missing-education/cases/{case.id}")
    assert coordinator.post(f"/missing-education/from-item/{item.id}").location == \
        opened.location
    assert _client(app, cast.staff).post(
        f"/missing-education/from-item/{item.id}").status_code == 403
    decided = coordinator.post(f"/safeguarding/items/{item.id}/decision", data={
        "decision": "in_school", "note": "Lead away; pastoral plan agreed"})
    assert decided.status_code == 302
    db.expire_all()
    assert item.decision is Decision.IN_SCHOOL and item.decided_by_name == cast.coordinator.name


def test_it_links_a_concern_to_a_childs_record_after_confirmation(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    child = sent_referral(db, cast, make_service(db, cast.provider)).child
    item = concern(db, cast.staff, cast.school.id, MONDAY, kind="wellbeing",
                   first_name=child.first_name, last_name=child.last_name)
    db.commit()
    lead = _client(app, cast.dsl)
    page = lead.get(f"/safeguarding/items/{item.id}").get_data(as_text=True)
    assert "Link to the child's record" in page and f'value="{child.id}"' in page
    unconfirmed = lead.post(f"/safeguarding/items/{item.id}/child",
                            data={"child_id": str(child.id)})
    assert unconfirmed.status_code == 400
    assert "Confirm this is the same child" in unconfirmed.get_data(as_text=True)
    assert lead.post(f"/safeguarding/items/{item.id}/child", data={
        "child_id": "999999", "confirmed": "yes"}).status_code == 400
    assert lead.post(f"/safeguarding/items/{item.id}/child", data={
        "child_id": str(child.id), "confirmed": "yes"}).status_code == 302
    db.expire_all()
    assert item.child_id == child.id
    timeline = lead.get(f"/referrals/children/{child.id}").get_data(as_text=True)
    assert item.reference in timeline


def test_it_shows_the_new_lists_on_the_stuck_page_and_in_the_command(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    ours, theirs = _cases(db, cast)
    clock.set(datetime(2026, 12, 28, 9, 0))
    lead = _client(app, cast.dsl)
    page = lead.get("/referrals/stuck").get_data(as_text=True)
    assert "Children missing education not traced" in page and "Every provider declined" in page
    assert ours.reference in page and theirs.reference not in page
    assert "10 working days" in page
    printed = app.test_cli_runner().invoke(args=["referrals", "stuck"]).output
    assert "Children missing education not traced (2)" in printed
    assert ours.reference in printed and theirs.reference in printed
    assert "Every provider declined (0)" in printed


def test_it_marks_only_the_wrong_box_of_an_actions_date_and_keeps_what_was_typed(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    ours, _ = _cases(db, cast)
    lead = _client(app, cast.dsl)
    page = lead.get(f"/missing-education/cases/{ours.id}").get_data(as_text=True)
    key = re.search(r'name="action_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    refused = lead.post(f"/missing-education/cases/{ours.id}/actions", data={
        "action_key": key, "note": "Called the family",
        "done_on-day": "30", "done_on-month": "", "done_on-year": "2026"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert marked_boxes(text, "done_on") == {"month"}
    assert typed(text, "done_on") == {"day": "30", "month": "", "year": "2026"}
    assert '<p class="govuk-error-message" id="done_on">' in text
