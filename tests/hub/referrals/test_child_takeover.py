"""The takeover found in review, over HTTP: another school types a known child's NHS
number with another name and date of birth, and saves the child step."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.children import ChildDetails
from routing.referrals.models import Child
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, complete_draft, issue_link

NHS = "9434765919"


def _start(client: FlaskClient) -> str:
    page = client.get("/referrals/new").get_data(as_text=True)
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client.post("/referrals/new", data={"start_key": key}).location


def test_it_keeps_the_child_and_their_familys_link_when_another_school_types_their_number(
    app: Flask, db: Session, cast: Cast
) -> None:
    draft = complete_draft(db, cast, {"MHW": make_service(db, cast.provider, needs=("MHW",))})
    ops.save_child(db, draft, ChildDetails("Amira", "Khan", date(2015, 3, 14), "BL1 1SE", "",
                                           NHS), None, utcnow())
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    child_id = draft.child_id
    assert child_id is not None
    _, token = issue_link(db, child_id, cast.staff)
    db.commit()

    other = app.test_client()
    login(other, cast.other_staff)
    step = _start(other)
    form = {"first_name": "Someone", "last_name": "Else", "dob-day": "1", "dob-month": "6",
            "dob-year": "2012", "home_postcode": "BL4 7BE", "nhs_number": NHS,
            "attendance_concern": "no", "missing_education": "no"}
    asked = other.post(step, data=form)
    page = asked.get_data(as_text=True)
    assert "Is this the same child?" in page
    assert cast.school.name not in page and "Amira" not in page
    other.post(step, data={**form, "same_child": "yes"})

    db.expire_all()
    child = db.get(Child, child_id)
    assert child is not None
    assert (child.first_name, child.last_name, child.date_of_birth, child.home_postcode,
            child.school_id) == ("Amira", "Khan", date(2015, 3, 14), "BL1 1SE", cast.school.id)
    assert other.get(f"/referrals/children/{child_id}").status_code == 403
    # The family's link still opens with the real date of birth, not the typed one.
    family = app.test_client()
    real = {"dob-day": "14", "dob-month": "3", "dob-year": "2015"}
    typed = {"dob-day": "1", "dob-month": "6", "dob-year": "2012"}
    refused = family.post(f"/progress/{token}", data=typed).get_data(as_text=True)
    assert "There is a problem" in refused
    shown = family.post(f"/progress/{token}", data=real).get_data(as_text=True)
    assert "There is a problem" not in shown
    assert draft.referrals[0].reference in shown
