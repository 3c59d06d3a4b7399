"""End to end through HTTP: refer, accept, decline, re-route, the family's link, stuck."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.models import Referral, Status
from services.db import utcnow
from tests.clock import MovableClock
from tests.factories import Cast, login, make_org, make_service


def _client(app: Flask, user):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, user)
    return client


def test_it_a_family_is_referred_declined_rerouted_and_sees_progress_until_it_stalls(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    mental_health = make_service(db, cast.provider, name="Calm Minds", needs=("MHW",))
    housing = make_service(db, cast.other_provider, name="Home Start", needs=("HOUSING",))
    backup = make_service(db, make_org(db, "Bolton Housing Trust"), name="Safe Homes",
                          needs=("HOUSING",))
    db.commit()
    start = utcnow()
    clock.set(start)

    staff = _client(app, cast.staff)
    page = staff.get("/referrals/new").get_data(as_text=True)
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    first = staff.post("/referrals/new", data={"start_key": key})
    again = staff.post("/referrals/new", data={"start_key": key})
    assert first.location == again.location
    base = first.location.rsplit("/", 1)[0]
    steps = [
        ("child", {"first_name": "Ava", "last_name": "Khan", "dob-day": "14",
                   "dob-month": "3", "dob-year": "2015", "home_postcode": "BL1 1SE",
                   "attendance_concern": "no", "missing_education": "no"}),
        ("family", {"carer-0-name": "Sara Khan", "carer-0-relationship": "Mother",
                    "carer-0-parental_responsibility": "yes",
                    "carer-0-phone": "07700 900982"}),
        ("needs", {"needs": ["MHW", "HOUSING"], "family_wants": "A stable home"}),
        ("urgency", {}),
        ("profile", {"strengths": "Football"}),
        ("risk", {"to_self_level": "low", "to_others_level": "none",
                  "from_others_level": "none"}),
        ("safeguarding", {"significant_harm": "no"}),
        ("consent", {"lawful_basis": "consent", "family_agreed": "yes",
                     "agreed_by": "Parent"}),
        ("contact", {"person": "carer-0", "ways": ["phone"], "times": "After school"}),
        ("providers", {"need-MHW": str(mental_health.id), "need-HOUSING": str(housing.id)}),
    ]
    for step, data in steps:
        assert staff.get(f"{base}/{step}").status_code == 200
        response = staff.post(f"{base}/{step}", data=data)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[-2000:])
    check = staff.get(f"{base}/check").get_data(as_text=True)
    send_key = re.search(r'name="send_key" value="([^"]+)"', check).group(1)  # type: ignore[union-attr]
    # Not sent until the referrer confirms the declaration.
    assert staff.post(f"{base}/check", data={"send_key": send_key}).status_code == 400
    sent = {"send_key": send_key, "declaration": "yes"}
    assert staff.post(f"{base}/check", data=sent).status_code == 302
    assert staff.post(f"{base}/check", data=sent).status_code == 302  # retry
    referrals = db.execute(select(Referral).order_by(Referral.service_id)).scalars().all()
    assert len(referrals) == 2
    to_mh = next(r for r in referrals if r.service_id == mental_health.id)
    to_housing = next(r for r in referrals if r.service_id == housing.id)

    manager = _client(app, cast.manager)
    assert manager.get(f"/referrals/{to_mh.id}").status_code == 200  # opens it
    manager.post(f"/referrals/{to_mh.id}/accept")
    assert manager.get(f"/referrals/{to_housing.id}").status_code == 403

    other = _client(app, cast.other_manager)
    other.get(f"/referrals/{to_housing.id}")
    other.post(f"/referrals/{to_housing.id}/decline",
               data={"reason_code": "no_capacity", "reason": "Full until spring"})

    declined_page = staff.get(f"/referrals/{to_housing.id}").get_data(as_text=True)
    assert "Safe Homes" in declined_page and "Send to Home Start" not in declined_page
    rerouted = staff.post(f"/referrals/{to_housing.id}/reroute",
                          data={"service_id": str(backup.id)})
    assert rerouted.status_code == 302
    db.expire_all()
    assert db.get(Referral, to_mh.id).status is Status.ACCEPTED  # type: ignore[union-attr]
    onward = db.execute(
        select(Referral).where(Referral.rerouted_from_id == to_housing.id)
    ).scalar_one()

    child_page = staff.get(f"/referrals/children/{to_mh.child_id}").get_data(as_text=True)
    issue_key = re.search(r'name="issue_key" value="([^"]+)"', child_page).group(1)  # type: ignore[union-attr]
    link_page = staff.post(f"/referrals/children/{to_mh.child_id}/progress-link", data={
        "issue_key": issue_key, "referrals": [str(to_mh.id), str(onward.id)]})
    url = re.search(r"(/progress/[A-Za-z0-9_-]+)", link_page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    family = app.test_client()
    shown = family.post(url, data={"dob-day": "14", "dob-month": "3", "dob-year": "2015"})
    body = shown.get_data(as_text=True)
    assert to_mh.reference in body and onward.reference in body
    # Whom each referral is about, by first name only (issue 12's gap): never the
    # surname or anything the form says.
    assert body.count("This referral is about Ava.") == 2
    assert "Khan" not in body and "A stable home" not in body
    assert shown.headers["X-Robots-Tag"].startswith("noindex")
    assert shown.headers["Referrer-Policy"] == "no-referrer"

    coordinator = _client(app, cast.coordinator)
    assert "Nothing is stuck" in coordinator.get("/referrals/stuck").get_data(as_text=True)

    clock.set(start + timedelta(days=10))  # at least 6 working days
    stuck = coordinator.get("/referrals/stuck").get_data(as_text=True)
    assert "Nothing is stuck" not in stuck
    assert onward.reference in stuck
