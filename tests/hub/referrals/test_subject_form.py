"""The child step asks whom the referral is about and takes "not known"; the provider
sees the subject and "not known" in plain words."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.children import ChildDetails
from routing.referrals.models import Referral
from routing.referrals.subjects import Subject
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, complete_draft


def _child_step(client: FlaskClient, draft_id: int, **fields: str) -> tuple[int, str]:
    data = {"first_name": "Baby", "last_name": "Khan", "home_postcode": "BL1 1SE",
            "attendance_concern": "no", "missing_education": "no"}
    data.update(fields)
    response = client.post(f"/referrals/drafts/{draft_id}/child", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_it_asks_who_the_referral_is_about_and_checks_an_expected_date(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, "k" * 20, cast.staff.id, cast.school.id, utcnow())
    db.commit()
    login(client, cast.staff)
    page = client.get(f"/referrals/drafts/{draft.id}/child").get_data(as_text=True)
    for words in ("Who is the referral about?", "An unborn baby", "A parent or carer",
                  "Expected date of delivery", "I do not know the date of birth",
                  "The family&#39;s home address is not known"):
        assert words in page
    far = utcnow().date() + timedelta(days=500)
    status, page = _child_step(client, draft.id, subject="unborn", **{
        "edd-day": str(far.day), "edd-month": str(far.month), "edd-year": str(far.year)})
    assert status == 400
    assert "Expected date of delivery must be within the next 10 months" in page
    assert 'value="Baby"' in page  # what was typed is kept
    status, _ = _child_step(client, draft.id, subject="nobody")
    assert status == 400
    due = utcnow().date() + timedelta(days=60)
    status, _ = _child_step(client, draft.id, subject="unborn", **{
        "edd-day": str(due.day), "edd-month": str(due.month), "edd-year": str(due.year)})
    assert status == 302
    db.expire_all()
    assert (draft.form.child.subject, draft.form.child.expected_date) == ("unborn", due)
    status, page = _child_step(client, draft.id, subject="child", dob_not_known="yes",
                               birth_year="20x6")
    assert status == 400
    assert "Enter the year of birth as 4 digits" in page
    status, _ = _child_step(client, draft.id, subject="child", dob_not_known="yes",
                            birth_year="2016", home_postcode="", postcode_not_known="yes")
    assert status == 302
    check = client.get(f"/referrals/drafts/{draft.id}/check").get_data(as_text=True)
    assert "Not known (born about 2016)" in check
    assert "A child or young person" in check


def test_it_shows_the_provider_the_subject_and_not_known(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    draft = complete_draft(db, cast, {"MHW": service})
    ops.save_child(db, draft, ChildDetails("Lee", "Smith", None, "", dob_not_known=True,
                                           postcode_not_known=True), None, utcnow())
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    referral = db.query(Referral).filter_by(request_id=draft.id).one()
    db.commit()
    login(client, cast.worker)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "A child or young person" in page
    assert page.count("Not known") >= 2  # date of birth and home postcode


def _heading(page: str) -> str:
    return page.split('<h1 class="govuk-heading-l">', 1)[1].split("</h1>", 1)[0]


def test_it_titles_the_first_step_and_check_your_answers_for_whom_the_referral_is_about(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, "t" * 20, cast.staff.id, cast.school.id, utcnow())
    db.commit()
    login(client, cast.staff)
    first = client.get(f"/referrals/drafts/{draft.id}/child").get_data(as_text=True)
    assert _heading(first) == "About the child"
    assert str(escape(Subject.CHILD.step_hint)) in first
    # Refused: shown again titled for the subject just chosen.
    status, page = _child_step(client, draft.id, subject="unborn")
    assert status == 400
    assert _heading(page) == "About the unborn baby"
    assert str(escape(Subject.UNBORN.step_hint)) in page
    status, _ = _child_step(client, draft.id, subject="parent", first_name="Amina",
                            dob_not_known="yes", home_postcode="", postcode_not_known="yes")
    assert status == 302
    again = client.get(f"/referrals/drafts/{draft.id}/child").get_data(as_text=True)
    assert _heading(again) == "About the parent or carer"
    assert str(escape(Subject.PARENT.step_hint)) in again and "About the child" not in again
    check = client.get(f"/referrals/drafts/{draft.id}/check").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m">About the parent or carer</h2>' in check
    assert "About the child" not in check
