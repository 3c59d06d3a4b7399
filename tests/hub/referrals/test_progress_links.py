"""The family's progress link: who may stop it, what it shows, and what a family is told."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import progress
from routing.referrals.models import ProgressAttempt
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import issue_link, sent_referral

BORN = {"dob-day": "14", "dob-month": "3", "dob-year": "2015"}


def _client(app: Flask, user: object) -> FlaskClient:
    client = app.test_client()
    login(client, user)  # type: ignore[arg-type]
    return client


def _flash(client: FlaskClient, child_id: int) -> str:
    response = client.post(f"/referrals/children/{child_id}/progress-link/revoke")
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("who", ["dsl", "coordinator"])
def test_it_lets_a_colleague_the_dsl_or_the_coordinator_stop_a_link_and_says_which(
    app: Flask, db: Session, cast: Cast, who: str
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    page = _flash(_client(app, getattr(cast, who)), referral.child_id)
    assert "1 progress link stopped working (made by" in page
    assert cast.staff.name in page
    with pytest.raises(progress.NotShown):
        progress.check_and_show(db, token, date(2015, 3, 14), "1.2.3.4", utcnow())


def test_it_says_so_when_no_link_was_working(app: Flask, db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    page = _flash(_client(app, cast.dsl), referral.child_id)
    assert "No progress link was working for this child, so nothing changed." in page
    assert "stopped working (" not in page


def test_it_does_not_let_another_school_stop_a_link(app: Flask, db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    response = _client(app, cast.other_staff).post(
        f"/referrals/children/{referral.child_id}/progress-link/revoke")
    assert response.status_code == 403
    assert len(progress.active_links(db, referral.child_id)) == 1


def test_it_shows_only_the_referrals_chosen_when_the_link_was_made(
    app: Flask, db: Session, cast: Cast
) -> None:
    first = sent_referral(db, cast, make_service(db, cast.provider, name="Calm Minds"))
    _, token = issue_link(db, first.child_id, cast.staff)
    later = sent_referral(db, cast, make_service(db, cast.provider, name="Complex team"))
    later.child_id = first.child_id
    db.commit()
    shown = app.test_client().post(f"/progress/{token}", data=BORN).get_data(as_text=True)
    assert first.reference in shown and "Calm Minds" in shown
    assert later.reference not in shown and "Complex team" not in shown


def test_it_makes_one_link_when_the_form_is_sent_twice(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    staff = _client(app, cast.staff)
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    key = re.search(r'name="issue_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"issue_key": key, "referrals": [str(referral.id)]}
    first = staff.post(f"/referrals/children/{referral.child_id}/progress-link", data=form)
    again = staff.post(f"/referrals/children/{referral.child_id}/progress-link", data=form)
    url = re.search(r"/progress/[A-Za-z0-9_-]{40,}", first.get_data(as_text=True))
    assert url is not None
    assert "/progress/" not in again.get_data(as_text=True)
    assert "already made" in again.get_data(as_text=True)
    assert len(progress.active_links(db, referral.child_id)) == 1
    shown = app.test_client().post(url.group(0), data=BORN).get_data(as_text=True)
    assert referral.reference in shown  # the link given first still works


def test_it_asks_for_a_referral_when_none_is_chosen(app: Flask, db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    staff = _client(app, cast.staff)
    response = staff.post(f"/referrals/children/{referral.child_id}/progress-link",
                          data={"issue_key": "k" * 32})
    assert response.status_code == 400
    assert "Choose at least one referral the family may follow" in response.get_data(
        as_text=True)


@pytest.mark.parametrize(("typed", "message"), [
    ({"dob-day": "", "dob-month": "", "dob-year": ""}, "Enter your child&#39;s date of birth"),
    ({"dob-day": "31", "dob-month": "2", "dob-year": "2016"}, "Enter a real date of birth"),
    ({"dob-day": "1", "dob-month": "1", "dob-year": "9" * 20}, "Enter a real date of birth"),
])
def test_it_explains_a_missing_or_impossible_date_without_counting_a_try(
    client: FlaskClient, db: Session, cast: Cast, typed: dict[str, str], message: str
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    response = client.post(f"/progress/{token}", data=typed)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.execute(select(func.count(ProgressAttempt.id))).scalar_one() == 0


def test_it_does_not_blame_the_family_when_the_check_fails(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    response = client.post("/progress/" + "x" * 43, data=BORN)
    page = response.get_data(as_text=True)
    assert "The link may have expired, or the date of birth may not match." in page
    assert "ask the person who gave you the link" in page


def test_it_shows_the_schools_contact_as_links_the_family_can_tap(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    cast.school.organisation.phone = "01204 000 111"
    cast.school.organisation.email = "office@castlehill.example.org.uk"
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    page = client.post(f"/progress/{token}", data=BORN).get_data(as_text=True)
    assert cast.school.name in page
    assert 'href="tel:01204000111"' in page
    assert 'href="mailto:office@castlehill.example.org.uk"' in page
