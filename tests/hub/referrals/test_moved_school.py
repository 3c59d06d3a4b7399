"""A child who moved school, over HTTP: the new school sees that earlier referrals exist,
not what they say, until the earlier school's safeguarding lead grants its request."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.earlier import DetailsRequest, RequestState
from routing.referrals.outbox import OutboxMessage
from services.accounts.models import Role
from services.db import utcnow
from tests.clock import MovableClock
from tests.factories import Cast, login, make_user
from tests.routing.referrals.test_earlier import moved_child


def _client(app: Flask, user) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, user)
    return client


def _ask(new_school: FlaskClient, child_id: int, school_id: int, reason: str):  # type: ignore[no-untyped-def]
    page = new_school.get(f"/referrals/children/{child_id}").get_data(as_text=True)
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return new_school.post(f"/referrals/children/{child_id}/earlier/{school_id}/request",
                           data={"reason": reason, "request_key": key})


def test_it_shows_a_new_school_existence_not_content_until_the_lead_grants(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    earlier, later, service = moved_child(db, cast)
    db.commit()
    start = utcnow()
    clock.set(start)
    new_school = _client(app, cast.other_staff)

    child_page = new_school.get(f"/referrals/children/{later.child_id}").get_data(as_text=True)
    assert "Referrals made by another school" in child_page
    assert service.name in child_page and "Sent" in child_page
    assert "Help with sleep" not in child_page  # what the earlier referral says
    assert new_school.get(f"/referrals/{earlier.id}").status_code == 403
    content = f"/referrals/children/{later.child_id}/earlier-referrals/{earlier.id}"
    assert new_school.get(content).status_code == 403

    blank = _ask(new_school, later.child_id, cast.school.id, " ")
    assert blank.status_code == 400
    assert "Enter why your school needs the details" in blank.get_data(as_text=True)
    asked = _ask(new_school, later.child_id, cast.school.id, "She joined us; eating worries")
    assert asked.status_code == 302
    request = db.execute(select(DetailsRequest)).scalar_one()
    (message,) = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == "details_requested")).scalars()
    assert message.recipient == cast.dsl.email
    assert (message.reference, message.link_path) == (
        request.reference, f"/referrals/details-requests/{request.id}")

    # Only the earlier school's lead decides: not the new school's lead, nor the earlier
    # school's other staff.
    other_dsl = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation)
    db.commit()
    decide = f"/referrals/details-requests/{request.id}"
    assert _client(app, other_dsl).post(decide, data={"decision": "grant"}).status_code == 403
    assert _client(app, other_dsl).get(decide).status_code == 403
    assert _client(app, cast.staff).get(decide).status_code == 403
    assert request.id not in [r.id for r in db.execute(select(DetailsRequest)).scalars()
                              if r.holder_school_id == cast.other_school.id]

    lead = _client(app, cast.dsl)
    listed = lead.get("/referrals/details-requests").get_data(as_text=True)
    assert request.reference in listed and cast.other_school.name in listed
    shown = lead.get(decide).get_data(as_text=True)
    assert "She joined us; eating worries" in shown and earlier.reference in shown
    assert lead.post(decide, data={"decision": "grant"}).status_code == 302
    db.expire_all()
    assert request.state is RequestState.GRANTED

    granted = new_school.get(content)
    assert granted.status_code == 200
    page = granted.get_data(as_text=True)
    assert "Help with sleep" in page and "After 4pm" in page
    assert new_school.get(f"/referrals/children/{later.child_id}").get_data(
        as_text=True).count(content) == 1
    views = db.execute(select(AuditEvent).where(
        AuditEvent.action == "earlier_referral_viewed", AuditEvent.referral_id == earlier.id
    )).scalars().all()
    assert [v.actor_id for v in views] == [cast.other_staff.id]
    assert views[0].subject_id == request.reference
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "details_granted")).scalar_one().actor_id == cast.dsl.id

    # The grant ends after EARLIER_DETAILS_GRANT_DAYS (30).
    clock.set(start + timedelta(days=31))
    assert new_school.get(content).status_code == 403


def test_it_tells_the_new_school_why_the_lead_refused(
    app: Flask, db: Session, cast: Cast
) -> None:
    earlier, later, _ = moved_child(db, cast)
    db.commit()
    new_school = _client(app, cast.other_staff)
    _ask(new_school, later.child_id, cast.school.id, "Eating worries")
    request = db.execute(select(DetailsRequest)).scalar_one()
    lead = _client(app, cast.dsl)
    decide = f"/referrals/details-requests/{request.id}"

    no_reason = lead.post(decide, data={"decision": "refuse", "decision_reason": ""})
    assert no_reason.status_code == 400
    assert "Enter why the request is refused" in no_reason.get_data(as_text=True)
    assert lead.post(decide, data={"decision": "refuse",
                                   "decision_reason": "Ask the family first"}
                     ).status_code == 302
    # A second click after the decision changes nothing.
    assert lead.post(decide, data={"decision": "grant"}).status_code == 302
    db.expire_all()
    assert request.state is RequestState.REFUSED

    page = new_school.get(f"/referrals/children/{later.child_id}").get_data(as_text=True)
    assert "Ask the family first" in page and "refused" in page
    content = f"/referrals/children/{later.child_id}/earlier-referrals/{earlier.id}"
    assert new_school.get(content).status_code == 403
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "details_refused")).scalar_one().actor_id == cast.dsl.id
    (told,) = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == "details_refused")).scalars()
    assert told.recipient == cast.other_staff.email
    assert "Ask the family" not in told.service_name
