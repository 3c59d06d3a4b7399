"""The school office's phone and email: set on the school form, checked, and shown to the
family; without them the family page never says to contact the school."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.models import Status
from routing.referrals.progress import _next_step
from services.schools import School
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral

SCHOOL = {"name": "Castle Hill Primary School", "urn": "", "phase": "primary",
          "trust_id": "", "address": "Castle Street", "postcode": "BL2 2JU"}
BORN = {"dob-day": "14", "dob-month": "3", "dob-year": "2015"}


def _coordinator(app: Flask, cast: Cast) -> FlaskClient:
    client = app.test_client()
    login(client, cast.coordinator)
    return client


def test_it_saves_the_school_offices_phone_and_email_from_the_school_form(
    app: Flask, db: Session, cast: Cast
) -> None:
    client = _coordinator(app, cast)
    data = {**SCHOOL, "urn": cast.school.urn, "phone": "01204 000 111",
            "email": "Office@CastleHill.example.test"}
    assert client.post(f"/admin/schools/{cast.school.id}/edit", data=data).status_code == 302
    db.expire_all()
    school = db.get(School, cast.school.id)
    assert school is not None
    assert school.organisation.phone == "01204 000 111"
    assert school.organisation.email == "office@castlehill.example.test"
    page = client.get(f"/admin/schools/{cast.school.id}/edit").get_data(as_text=True)
    assert 'value="01204 000 111"' in page and "School office email" in page


def test_it_refuses_a_malformed_email_or_phone_and_keeps_what_was_typed(
    app: Flask, db: Session, cast: Cast
) -> None:
    client = _coordinator(app, cast)
    data = {**SCHOOL, "urn": cast.school.urn, "phone": "call us", "email": "office at school"}
    page = client.post(f"/admin/schools/{cast.school.id}/edit", data=data).get_data(
        as_text=True)
    assert "Enter the school office&#39;s email address" in page
    assert "Enter the school office&#39;s phone number" in page
    assert 'value="office at school"' in page


def test_the_family_page_never_says_contact_the_school_without_a_contact(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    ops.withdraw_referral(db, referral, actor(cast.staff), referral.created_at, "Not needed")
    cast.school.organisation.phone = None
    cast.school.organisation.email = None
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    page = app.test_client().post(f"/progress/{token}", data=BORN).get_data(as_text=True)
    assert "This referral has been stopped" in page
    assert "contact the school" not in page.lower()
    assert "Ask the person who gave you this link" in page
    for status in (Status.CLOSED, Status.WITHDRAWN):
        assert "school" in _next_step(status, None, True).lower()
        assert "school" not in _next_step(status, None, False).lower()
