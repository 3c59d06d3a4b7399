"""The concern form, the lead's queue and an item's page over HTTP: who sees what, the
decision, the child's timeline, the stuck page and the commands."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.models import Child
from routing.referrals.outbox import OutboxMessage
from routing.safeguarding.models import Decision, SafeguardingItem
from services.accounts.models import Role, User
from tests.clock import MovableClock
from tests.factories import Cast, login, make_user
from tests.hub.date_boxes import marked_boxes, typed

MONDAY = datetime(2026, 11, 30, 9, 0)
CONCERN = {"kind": "not_attending", "first_name": "Kai", "last_name": "Brennan",
           "known_school": "Castle Hill Primary School",
           "details": "Absent 9 days; no answer at home."}


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _record(client: FlaskClient, **changes: str) -> SafeguardingItem | str:
    page = client.get("/safeguarding/concerns/new").get_data(as_text=True)
    key = re.search(r'name="raise_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/safeguarding/concerns/new",
                           data={**CONCERN, "raise_key": key, **changes})
    if response.status_code != 302:
        return response.get_data(as_text=True)
    item_id = int(response.location.rsplit("/", 1)[1])
    from hub.extensions import db

    found = db.session.get(SafeguardingItem, item_id)
    assert found is not None
    return found


def test_it_staff_record_a_concern_and_see_only_that_it_is_with_the_lead(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    staff = _client(app, cast.staff)
    item = _record(staff)
    assert isinstance(item, SafeguardingItem) and item.raised_at == MONDAY
    page = staff.get(f"/safeguarding/items/{item.id}").get_data(as_text=True)
    assert item.reference in page and "Concern" in page and "recorded" in page
    assert "Absent 9 days" not in page and "Record the decision" not in page
    queue = staff.get("/safeguarding").get_data(as_text=True)
    assert item.reference in queue and "Waiting for your decision" not in queue
    # Another member of staff at the same school sees neither the item nor its page.
    colleague = _client(app, make_user(db, Role.SCHOOL_STAFF, cast.school.organisation))
    db.commit()
    assert item.reference not in colleague.get("/safeguarding").get_data(as_text=True)
    assert colleague.get(f"/safeguarding/items/{item.id}").status_code == 403


def test_it_a_bad_concern_shows_each_message_and_keeps_what_was_typed(
    app: Flask, cast: Cast
) -> None:
    staff = _client(app, cast.staff)
    page = _record(staff, known_school="", **{"dob-day": "31", "dob-month": "2",
                                              "dob-year": "2015"})
    assert isinstance(page, str)
    assert "Enter the child&#39;s school or their last known address" in page
    assert "Enter a real date of birth, or leave it blank" in page
    assert 'value="Brennan"' in page and "Absent 9 days; no answer at home." in page
    from hub.extensions import db

    assert db.session.execute(select(SafeguardingItem)).first() is None


def test_it_asks_before_joining_a_concern_to_a_childs_record(
    app: Flask, db: Session, cast: Cast
) -> None:
    child = Child(first_name="Kai", last_name="Brennan", date_of_birth=date(2015, 3, 14),
                  school_id=cast.school.id, home_postcode="BL1 1SE", upn="B801200005001")
    db.add(child)
    db.commit()
    staff = _client(app, cast.staff)
    typed = {"upn": "B801200005001", "first_name": "Kye"}
    page = _record(staff, **typed)
    assert isinstance(page, str) and "Is this the same child?" in page
    assert "Castle Hill" not in page.split("Is this the same child?")[0].split("We already")[1]
    item = _record(staff, same_child="yes", **typed)
    assert isinstance(item, SafeguardingItem) and item.child_id == child.id
    db.refresh(child)
    assert child.first_name == "Kai"


def test_it_the_lead_sees_their_schools_queue_and_hands_over_to_the_front_door(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    child = Child(first_name="Kai", last_name="Brennan", date_of_birth=date(2015, 3, 14),
                  school_id=cast.school.id, home_postcode="BL1 1SE", upn="B801200005001")
    db.add(child)
    db.commit()
    item = _record(_client(app, cast.staff), upn="B801200005001", same_child="yes")
    assert isinstance(item, SafeguardingItem)
    other_dsl = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation)
    db.commit()

    elsewhere = _client(app, other_dsl)
    assert item.reference not in elsewhere.get("/safeguarding").get_data(as_text=True)
    assert elsewhere.get(f"/safeguarding/items/{item.id}").status_code == 403
    assert elsewhere.post(f"/safeguarding/items/{item.id}/decision",
                          data={"decision": "in_school"}).status_code == 403
    assert _client(app, cast.manager).get("/safeguarding").status_code == 403

    lead = _client(app, cast.dsl)
    queue = lead.get("/safeguarding").get_data(as_text=True)
    assert item.reference in queue and "Kai Brennan" in queue
    refused = lead.post(f"/safeguarding/items/{item.id}/decision",
                        data={"decision": "front_door", "front_door_reference": "MASH-77",
                              "front_door_on-day": "1", "front_door_on-month": "13",
                              "front_door_on-year": "2026"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Enter the date you contacted the front door" in text and 'value="MASH-77"' in text
    clock.set(MONDAY.replace(hour=11))
    done = lead.post(f"/safeguarding/items/{item.id}/decision",
                     data={"decision": "front_door", "front_door_reference": "MASH-77",
                           "front_door_on-day": "30", "front_door_on-month": "11",
                           "front_door_on-year": "2026"})
    assert done.status_code == 302
    db.refresh(item)
    assert (item.decision, item.front_door_on) == (Decision.FRONT_DOOR, MONDAY.date())
    assert lead.post(f"/safeguarding/items/{item.id}/outcome",
                     data={"front_door_outcome": "Section 47 enquiry"}).status_code == 302
    page = lead.get(f"/safeguarding/items/{item.id}").get_data(as_text=True)
    assert "Section 47 enquiry" in page and "MASH-77" in page
    # Every step is on the child's timeline.
    timeline = lead.get(f"/referrals/children/{child.id}").get_data(as_text=True)
    for words in ("Recorded: Missing education", "Decision: Referred to the children",
                  "Front door update"):
        assert words in timeline
    actions = set(db.execute(select(AuditEvent.action)).scalars())
    assert {"safeguarding_raised", "safeguarding_decided", "safeguarding_outcome",
            f"safeguarding_viewed:{item.reference}"} <= actions


def test_it_an_unknown_or_oversized_item_id_is_not_found(app: Flask, cast: Cast) -> None:
    lead = _client(app, cast.dsl)
    assert lead.get("/safeguarding/items/99999").status_code == 404
    assert lead.get(f"/safeguarding/items/{2**63}").status_code == 404
    assert lead.post(f"/safeguarding/items/{2**40}/decision").status_code == 404


def test_it_the_coordinator_finds_an_unactioned_item_on_the_stuck_page_and_the_command(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    item = _record(_client(app, cast.staff))
    assert isinstance(item, SafeguardingItem)
    coordinator = _client(app, cast.coordinator)
    assert item.reference not in coordinator.get("/referrals/stuck").get_data(as_text=True)
    clock.set(datetime(2026, 12, 1, 9, 0))  # Tuesday, on the minute it is due
    page = coordinator.get("/referrals/stuck").get_data(as_text=True)
    assert "Safeguarding items not actioned in time (1)" in page and item.reference in page
    assert "1 working day ago or more" in page
    assert "Kai" not in page  # references only
    assert coordinator.get(f"/safeguarding/items/{item.id}").status_code == 200
    # The coordinator may record the decision when the lead has not (issue 13).
    assert "Record the decision" in coordinator.get(
        f"/safeguarding/items/{item.id}").get_data(as_text=True)
    other_dsl = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation)
    db.commit()
    assert item.reference not in _client(app, other_dsl).get(
        "/referrals/stuck").get_data(as_text=True)
    assert item.reference in _client(app, cast.dsl).get("/referrals/stuck").get_data(
        as_text=True)

    runner = app.test_cli_runner()
    printed = runner.invoke(args=["referrals", "stuck"]).output
    assert "Safeguarding items not actioned in time (1)" in printed
    assert item.reference in printed and "Kai" not in printed
    told = runner.invoke(args=["safeguarding", "escalate"]).output
    assert item.reference in told
    assert "0 safeguarding items" in runner.invoke(args=["safeguarding", "escalate"]).output
    recipients = db.execute(select(OutboxMessage.recipient).where(
        OutboxMessage.template == "safeguarding_overdue")).scalars().all()
    assert recipients == [cast.coordinator.email]


def test_it_the_threshold_is_a_setting(app: Flask, db: Session, cast: Cast,
                                        clock: MovableClock) -> None:
    from hub import create_app
    from hub.settings import settings_of

    clock.set(MONDAY)
    item = _record(_client(app, cast.staff))
    assert isinstance(item, SafeguardingItem)
    clock.set(datetime(2026, 12, 1, 9, 0))
    patient = create_app(settings_of(app).replace(safeguarding_action_working_days=3))
    page = _client(patient, cast.coordinator).get("/referrals/stuck").get_data(as_text=True)
    assert item.reference not in page
    assert "3 working days ago or more" in page


def test_it_a_stopped_referral_form_points_to_its_open_item(
    app: Flask, db: Session, cast: Cast
) -> None:
    staff = _client(app, cast.staff)
    page = staff.get("/referrals/new").get_data(as_text=True)
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    base = staff.post("/referrals/new", data={"start_key": key}).location.rsplit("/", 1)[0]
    child = {"first_name": "Ava", "last_name": "Khan", "dob-day": "14", "dob-month": "3",
             "dob-year": "2015", "home_postcode": "BL1 1SE", "attendance_concern": "no",
             "missing_education": "no"}
    assert staff.post(f"{base}/child", data=child).status_code == 302
    stopped = staff.post(f"{base}/safeguarding", data={"significant_harm": "yes"})
    assert stopped.status_code == 302
    (item,) = db.execute(select(SafeguardingItem)).scalars()
    page = staff.get(stopped.location).get_data(as_text=True)
    assert item.reference in page and "open until the lead records a decision" in page
    # Answering "no" on the stopped form changes nothing.
    staff.post(f"{base}/safeguarding", data={"significant_harm": "no"})
    db.refresh(item)
    assert item.open and len(item.events) == 1
    # A new form for the same child shows the open item.
    key = re.search(r'name="start_key" value="([^"]+)"',  # type: ignore[union-attr]
                    staff.get("/referrals/new").get_data(as_text=True)).group(1)
    again = staff.post("/referrals/new", data={"start_key": key}).location.rsplit("/", 1)[0]
    staff.post(f"{again}/child", data=child)
    page = staff.get(f"{again}/safeguarding").get_data(as_text=True)
    assert 'id="dsl-open"' in page and item.reference in page
    assert staff.post(f"{again}/safeguarding", data={"significant_harm": "no"}).status_code == 302
    db.refresh(item)
    assert item.open and "answered 'no'" in item.events[-1].summary


def test_it_only_the_lead_and_the_coordinator_see_safeguarding_on_the_childs_timeline(
    app: Flask, db: Session, cast: Cast
) -> None:
    from tests.factories import make_service
    from tests.routing.referrals.helpers import sent_referral

    referral = sent_referral(db, cast, make_service(db, cast.provider))
    child = referral.child
    db.commit()
    item = _record(_client(app, cast.staff), first_name=child.first_name,
                   last_name=child.last_name, home_postcode=child.home_postcode,
                   **{"dob-day": str(child.date_of_birth.day),
                      "dob-month": str(child.date_of_birth.month),
                      "dob-year": str(child.date_of_birth.year), "same_child": "yes"})
    assert isinstance(item, SafeguardingItem) and item.child_id == child.id
    url = f"/referrals/children/{child.id}"
    for user, sees in [(cast.dsl, True), (cast.coordinator, True), (cast.staff, False),
                       (cast.manager, False)]:
        response = _client(app, user).get(url)
        assert response.status_code == 200, user.email
        assert ("Recorded: Missing education" in response.get_data(as_text=True)) is sees, (
            user.email)


def test_it_marks_only_the_wrong_boxes_of_a_date_and_keeps_what_was_typed(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(MONDAY)
    staff = _client(app, cast.staff)
    page = _record(staff, **{"dob-day": "31", "dob-month": "2", "dob-year": "2015"})
    assert isinstance(page, str)
    assert marked_boxes(page, "dob") == {"day"}
    assert typed(page, "dob") == {"day": "31", "month": "2", "year": "2015"}
    assert 'aria-describedby="dob-hint date_of_birth"' in page  # the message beside it
    # A readable date refused as a whole (in the future) marks all three.
    future = _record(staff, **{"dob-day": "1", "dob-month": "1", "dob-year": "2030"})
    assert isinstance(future, str) and "Date of birth must be in the past" in future
    assert marked_boxes(future, "dob") == {"day", "month", "year"}
    # Another field's error marks no box of a date typed right.
    other = _record(staff, details="", **{"dob-day": "14", "dob-month": "3",
                                          "dob-year": "2015"})
    assert isinstance(other, str) and marked_boxes(other, "dob") == set()

    item = _record(staff)
    assert isinstance(item, SafeguardingItem)
    refused = _client(app, cast.dsl).post(
        f"/safeguarding/items/{item.id}/decision",
        data={"decision": "front_door", "front_door_on-day": "1",
              "front_door_on-month": "13", "front_door_on-year": "2026"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert marked_boxes(text, "front_door_on") == {"month"}
    assert typed(text, "front_door_on") == {"day": "1", "month": "13", "year": "2026"}
    assert '<p class="govuk-error-message" id="front_door_on">' in text
