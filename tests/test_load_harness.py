"""The load test's referral form (bench/load/run.py) still sends: every step the form
asks for is answered, so `make load`'s "send referral" scenario measures sending, not
a 400 for a step added to the form later."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from bench.load.run import FORM_STEPS, send_fields
from routing.referrals.answers import DEFAULTED_STEPS, STEPS
from routing.referrals.models import Referral
from tests.factories import Cast, login, make_service


def test_it_answers_every_step_before_choosing_services() -> None:
    answered = {step for step, _ in FORM_STEPS}
    assert answered == set(STEPS) - DEFAULTED_STEPS - {"providers"}


def test_it_sends_a_draft_made_with_the_harness_answers(
    app: Flask, db: Session, cast: Cast
) -> None:
    mental_health = make_service(db, cast.provider, name="Calm Minds", needs=("MHW",))
    housing = make_service(db, cast.other_provider, name="Home Start", needs=("HOUSING",))
    db.commit()
    staff = app.test_client()
    login(staff, cast.staff)
    page = staff.get("/referrals/new").get_data(as_text=True)
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    base = staff.post("/referrals/new", data={"start_key": key}).location.rsplit("/", 1)[0]
    chosen = [("need-MHW", str(mental_health.id)), ("need-HOUSING", str(housing.id))]
    for step, data in [*FORM_STEPS, ("providers", chosen)]:
        response = staff.post(f"{base}/{step}", data=MultiDict(data))
        assert response.status_code == 302, step
    check = staff.get(f"{base}/check").get_data(as_text=True)
    send_key = re.search(r'name="send_key" value="([^"]+)"', check).group(1)  # type: ignore[union-attr]
    sent = staff.post(f"{base}/check", data=MultiDict(send_fields(send_key)))
    assert sent.status_code == 302
    assert sent.location.endswith("/sent")
    assert db.execute(select(func.count()).select_from(Referral)).scalar_one() == 2
