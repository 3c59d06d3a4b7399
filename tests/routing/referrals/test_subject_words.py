"""Whom a referral is about, in the same words on the family's, the school's and the
provider's pages (``routing.referrals.subjects.about_words``)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.children import ChildDetails
from routing.referrals.models import ReferralRequest
from routing.referrals.subjects import Subject, about_words
from services.db import utcnow
from services.listings import Service
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, complete_draft, issue_link


def test_it_words_whom_a_referral_is_about_for_the_family_and_for_staff() -> None:
    due = date(2027, 3, 3)
    assert about_words(Subject.UNBORN, "Baby", due, family=True) == (
        "your baby, due in March 2027")
    assert about_words(Subject.PARENT, "Jo", None, family=True) == "you"
    assert about_words(Subject.CHILD, "Amelia", None, family=True) == "Amelia"
    assert about_words(Subject.UNBORN, "Baby", due, family=False) == (
        "An unborn baby, due in March 2027")
    assert about_words(Subject.PARENT, "Jo", None, family=False) == "A parent or carer"
    assert about_words(Subject.CHILD, "Amelia", None, family=False) == (
        "A child or young person")
    # The exact expected date opens the family's link: only its month is ever shown.
    assert "3 March" not in about_words(Subject.UNBORN, "Baby", due, family=False)


def _send(db: Session, cast: Cast, details: ChildDetails, service: Service) -> ReferralRequest:
    draft = complete_draft(db, cast, {"MHW": service})
    ops.save_child(db, draft, details, None, utcnow())
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    return draft


def _family_sees(db: Session, cast: Cast, draft: ReferralRequest, opened_with: date) -> str:
    assert draft.child_id is not None
    _, token = issue_link(db, draft.child_id, cast.staff)
    (view,) = progress.check_and_show(db, token, opened_with, "203.0.113.9", utcnow())
    return view.about


def test_it_tells_the_family_whom_each_referral_is_about_and_nothing_more(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",), audiences=("family",))
    due = utcnow().date() + timedelta(days=90)
    baby = _send(db, cast, ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                        expected_date=due), service)
    assert _family_sees(db, cast, baby, due) == f"your baby, due in {due:%B %Y}"
    parent = _send(db, cast, ChildDetails("Jo", "Walsh", date(1990, 6, 2), "BL1 1SE",
                                          subject="parent"), service)
    assert _family_sees(db, cast, parent, date(1990, 6, 2)) == "you"
    child = _send(db, cast, ChildDetails("Amelia", "Hartley", date(2016, 4, 9), "BL1 1SE"),
                  service)
    assert _family_sees(db, cast, child, date(2016, 4, 9)) == "Amelia"


def test_it_names_the_subject_on_the_family_school_and_provider_pages(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",), audiences=("family",))
    due = utcnow().date() + timedelta(days=90)
    baby = _send(db, cast, ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                        expected_date=due), service)
    assert baby.child_id is not None
    _, token = issue_link(db, baby.child_id, cast.staff)
    referral_id = baby.referrals[0].id
    db.commit()
    family = app.test_client().post(f"/progress/{token}", data={
        "dob-day": str(due.day), "dob-month": str(due.month), "dob-year": str(due.year)}
    ).get_data(as_text=True)
    assert f"This referral is about your baby, due in {due:%B %Y}." in family
    assert "Khan" not in family
    for user in (cast.staff, cast.manager):
        client = app.test_client()
        login(client, user)
        page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
        assert f"An unborn baby, due in {due:%B %Y}:" in page
