"""The referral form preselects, for each need, the service a practitioner would
send it to first: the specialist, not a general service that could take every need."""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.children import ChildDetails
from services.db import utcnow
from tests.factories import Cast, login, make_org, make_service


def _preselected(page: str, code: str) -> int | None:
    found = re.search(rf'name="need-{re.escape(code)}" type="radio" value="(\d+)" checked', page)
    return int(found.group(1)) if found else None


def _first_listed(page: str, code: str) -> int:
    found = re.search(rf'name="need-{re.escape(code)}" type="radio" value="(\d+)"', page)
    assert found is not None
    return int(found.group(1))


def test_it_preselects_the_top_acceptable_service_for_each_need(
    app: Flask, db: Session, cast: Cast
) -> None:
    # One nearby general service meets both needs through their broad codes, with many
    # places and no wait: before, the smallest team sent both needs to it. (For whole
    # families: one only for parents would be left out of a child's referral.)
    general = make_service(db, cast.provider, name="Everything advice", needs=("MHW", "SEND"),
                           free_places=8, typical_wait_days=0, postcode="BL1 1SE",
                           kinds=("advice",), audiences=("family",), level="universal")
    eating = make_service(db, cast.provider, name="Eating disorder service",
                          needs=("MHW.EATING",), free_places=1, waitlist=4,
                          typical_wait_days=30, postcode="BL3 5HH", kinds=("treatment",),
                          audiences=("child",), level="specialist")
    speech = make_service(db, make_org(db, "Speech trust"), name="Speech therapy",
                          needs=("SEND.SPEECH",), free_places=1, typical_wait_days=60,
                          postcode="BL3 5HH", kinds=("assessment", "treatment"),
                          audiences=("child",), level="specialist")
    closed = make_service(db, make_org(db, "Closed trust"), name="Closed specialist",
                          needs=("MHW.EATING",), accepting=False)
    now = utcnow()
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, now)
    ops.save_child(db, draft, ChildDetails(first_name="Ava", last_name="Khan",
                                           date_of_birth=date(now.year - 12, 3, 14),
                                           home_postcode="BL1 1SE"), None, now)
    ops.save_step(db, draft, "needs", {"needs": ["MHW.EATING", "SEND.SPEECH"],
                                       "family_wants": "Help", "severity": "moderate"}, now)
    db.commit()
    client = app.test_client()
    login(client, cast.staff)
    page = client.get(f"/referrals/drafts/{draft.id}/providers").get_data(as_text=True)
    assert _preselected(page, "MHW.EATING") == eating.id == _first_listed(page, "MHW.EATING")
    assert _preselected(page, "SEND.SPEECH") == speech.id == _first_listed(page, "SEND.SPEECH")
    assert f'value="{general.id}"' in page  # still offered, below the specialists
    assert f'value="{closed.id}"' not in page  # referrals only go to services accepting
    assert "specialist: eating difficulties" in page
    assert "general: mental health and wellbeing" in page


def test_it_asks_how_serious_it_is_and_refuses_an_unknown_answer(
    app: Flask, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, needs=("MHW",))
    now = utcnow()
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, now)
    db.commit()
    client = app.test_client()
    login(client, cast.staff)
    page = client.get(f"/referrals/drafts/{draft.id}/needs").get_data(as_text=True)
    assert "How serious is it?" in page and 'value="high"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"needs": ["MHW"], "family_wants": "Help", "severity": "dreadful"}
    if token:
        data["csrf_token"] = token.group(1)
    refused = client.post(f"/referrals/drafts/{draft.id}/needs", data=data)
    assert refused.status_code == 400  # a refused answer is a bad request, shown again
    assert "Choose how serious it is from the list" in refused.get_data(as_text=True)
