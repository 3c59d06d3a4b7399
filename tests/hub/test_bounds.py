"""Oversize numbers and ids are 400 or 404, never a server error: every id in a URL
is bounded to the signed 32-bit range (PostgreSQL's integer), and every number and
date typed into a form or a query string is checked before it reaches the database."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.converters import IdConverter
from routing.referrals import operations as ops
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, complete_draft, sent_referral

HUGE = ("2147483648", "9223372036854775808", "99999999999999999999")
# A value for each other URL part, so the rule's id is the only thing wrong.
WORDS = {"step": "child", "action": "accept", "token": "x" * 43, "code": "MHW",
         "_rest": "services", "filename": "css/hub.css"}


def _id_rules(app: Flask) -> list[tuple[str, str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IdConverter) for c in rule._converters.values()):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append((rule.rule, method, rule.endpoint))
    return rules


def test_it_bounds_every_numeric_url_part_with_the_id_converter(app: Flask) -> None:
    unbounded = [
        rule.rule for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if type(converter).__name__ in ("IntegerConverter", "NumberConverter",
                                        "FloatConverter")
    ]
    assert unbounded == []
    assert len(_id_rules(app)) >= 17


@pytest.mark.parametrize("role", ["coordinator", "staff", "manager"])
def test_it_answers_404_for_oversize_ids_on_every_route(
    app: Flask, db: Session, cast: Cast, role: str
) -> None:
    db.commit()
    client = app.test_client()
    login(client, getattr(cast, role))
    for pattern, method, endpoint in _id_rules(app):
        for huge in HUGE:
            url = re.sub(r"<id:[^>]+>", huge, pattern)
            url = re.sub(r"<(?:[a-z]+:)?([^>]+)>", lambda m: WORDS.get(m.group(1), "x"), url)
            response = client.open(url, method=method)
            assert response.status_code == 404, (endpoint, method, huge)


def test_it_refuses_an_oversize_service_id_when_rerouting(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    declined = sent_referral(db, cast, service, opened=True)
    ops.decline_referral(db, declined, actor(cast.manager), utcnow(), "no_capacity", "Full")
    db.commit()
    login(client, cast.staff)
    for huge in HUGE:
        response = client.post(f"/referrals/{declined.id}/reroute", data={"service_id": huge})
        assert response.status_code == 400
        assert "Choose a service" in response.get_data(as_text=True)


def test_it_refuses_an_oversize_service_id_when_choosing_providers(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {"MHW": service})
    db.commit()
    login(client, cast.staff)
    for huge in HUGE:
        response = client.post(f"/referrals/drafts/{draft.id}/providers",
                               data={"need-MHW": huge})
        assert response.status_code == 400, huge
        assert "Choose a service" in response.get_data(as_text=True)


def test_it_refuses_an_oversize_year_of_birth_on_the_referral_form(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {"MHW": service})
    db.commit()
    login(client, cast.staff)
    response = client.post(f"/referrals/drafts/{draft.id}/child", data={
        "first_name": "Ava", "last_name": "Khan", "dob-day": "14", "dob-month": "3",
        "dob-year": "99999999999999999999", "home_postcode": "BL1 1SE",
        "attendance_concern": "no", "missing_education": "no"})
    assert response.status_code == 400
    assert "Ava" in response.get_data(as_text=True)  # nothing typed is lost


def test_it_refuses_an_oversize_year_on_the_family_page_without_signing_in(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post("/progress/anything", data={
        "dob-day": "1", "dob-month": "1", "dob-year": "99999999999999999999"})
    assert response.status_code == 400
    assert "Enter a real date of birth" in response.get_data(as_text=True)


def test_it_refuses_an_oversize_wait_list_with_a_message_beside_it(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    db.commit()
    login(client, cast.manager)
    response = client.post("/provider/services", data={
        f"accepting-{service.id}": "yes", f"free_places-{service.id}": "3",
        f"waitlist_length-{service.id}": "99999999999999999999",
        f"typical_wait_days-{service.id}": "14"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "99999999999999999999" in page  # kept as typed
    assert "Enter a number up to" in page


def test_it_ignores_oversize_numbers_in_query_strings(
    app: Flask, db: Session, cast: Cast
) -> None:
    db.commit()
    coordinator = app.test_client()
    login(coordinator, cast.coordinator)
    for url in ("/referrals?page=99999999999999999999",
                "/referrals/stuck?page=-99999999999999999999",
                "/admin/users?organisation=99999999999999999999"):
        assert coordinator.get(url).status_code == 200, url
