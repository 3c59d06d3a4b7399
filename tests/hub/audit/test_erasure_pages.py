"""The data protection officer's pages for retention and erasure: who may see them, the
record number POSTed and answered beside the field, a double submit, CSRF, the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent
from routing.referrals.models import Child, Referral, ReferralRequest
from routing.referrals.retention import years_before
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.hub.security.support import csrf_token_from, sign_in, strict_app
from tests.routing.referrals.helpers import actor, sent_referral

PAGES = [("GET", "/audit/retention"), ("GET", "/audit/erasure"), ("POST", "/audit/erasure"),
         ("POST", "/audit/erasure/confirm")]


@pytest.fixture
def dpo(client: FlaskClient, db: Session, cast: Cast) -> FlaskClient:
    cast.coordinator.is_dpo = True
    db.commit()
    login(client, cast.coordinator)
    return client


def _closed(db: Session, cast: Cast) -> Referral:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    ops.withdraw_referral(db, referral, actor(cast.staff), utcnow(), "No longer needed")
    db.commit()
    return referral


def _actions(db: Session, child_id: int) -> list[str]:
    return list(db.execute(select(AuditEvent.action).where(
        AuditEvent.child_id == child_id).order_by(AuditEvent.id)).scalars())


@pytest.mark.parametrize("role", ["coordinator", "staff", "dsl", "manager", "worker"])
def test_it_is_for_the_data_protection_officer_only(
    app: Flask, db: Session, cast: Cast, role: str
) -> None:
    child_id = _closed(db, cast).child_id
    client = app.test_client()
    login(client, getattr(cast, role))
    for method, path in PAGES:
        response = client.open(path, method=method, data={"child": str(child_id),
                                                           "ground": "not_needed"})
        assert response.status_code == 403, (method, path)
    assert db.get(Child, child_id) is not None
    anonymous = app.test_client().get("/audit/erasure")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_it_answers_bad_unknown_and_huge_numbers_beside_the_field(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    for typed, message in (("", "Enter the record number"),
                           ("abc", "Record number must be a number"),
                           ("99999999999999999999",
                            "No child&#39;s record numbered 99999999999999999999 is held"),
                           ("0", "No child&#39;s record numbered 0 is held"),
                           ("987654", "No child&#39;s record numbered 987654 is held")):
        response = dpo.post("/audit/erasure", data={"child": typed})
        assert response.status_code == 400, typed
        page = response.get_data(as_text=True)
        assert 'id="child-error"' in page and message in page, typed
        assert f'value="{typed}"' in page
    # Confirming a number no record has, or none, changes nothing and says so.
    assert dpo.post("/audit/erasure/confirm", data={"child": "987654",
                                                    "ground": "not_needed"}).status_code == 400
    assert dpo.post("/audit/erasure/confirm", data={}).status_code == 400
    # No id in any URL of these pages: unknown paths under them are 404s.
    assert dpo.get("/audit/erasure/987654").status_code == 404
    assert dpo.get("/audit/erasure/99999999999999999999").status_code == 404


def test_it_shows_what_would_go_then_erases_once_on_a_double_submit(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = _closed(db, cast)
    child_id, reference = referral.child_id, referral.reference
    child = db.get(Child, child_id)
    assert child is not None
    name = child.name

    plan = dpo.post("/audit/erasure", data={"child": str(child_id)})
    assert plan.status_code == 200
    html = plan.get_data(as_text=True)
    assert f"Erase {name}" in html and "Referrals</td>" in html
    assert f'name="child" value="{child_id}"' in html
    assert _actions(db, child_id)[-1] == "erasure_previewed"

    # A ground is needed and the note may not name the family: beside the fields.
    missing = dpo.post("/audit/erasure/confirm", data={"child": str(child_id),
                                                       "note": f"{child.last_name} asked"})
    assert missing.status_code == 400
    html = missing.get_data(as_text=True)
    assert 'id="ground-error"' in html and 'id="note-error"' in html
    assert f"{child.last_name} asked</textarea>" in html
    assert db.get(Child, child_id) is not None

    form = {"child": str(child_id), "ground": "consent_withdrawn", "note": "Request 2026-7"}
    done = dpo.post("/audit/erasure/confirm", data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith("/audit/erasure")
    banner = dpo.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Record {child_id} was erased" in banner and "1 referral, " in banner
    db.expire_all()
    assert db.get(Child, child_id) is None

    again = dpo.post("/audit/erasure/confirm", data=form)
    assert again.status_code == 409
    assert f"Record {child_id} was already erased" in again.get_data(as_text=True)
    erased = db.execute(select(AuditEvent).where(
        AuditEvent.action == "record_erased")).scalars().all()
    assert len(erased) == 1 and erased[0].actor_id == cast.coordinator.id
    assert name.split()[0] not in erased[0].detail and reference not in erased[0].detail


def test_it_refuses_beside_the_field_while_a_referral_is_open_and_audits_it(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    child_id = sent_referral(db, cast, make_service(db, cast.provider)).child_id
    db.commit()
    response = dpo.post("/audit/erasure", data={"child": str(child_id)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="child-error"' in page
    assert f"Record {child_id} cannot be erased. A referral is still open" in page
    confirm = dpo.post("/audit/erasure/confirm", data={"child": str(child_id),
                                                       "ground": "not_needed"})
    assert confirm.status_code == 400
    assert db.get(Child, child_id) is not None
    assert "erasure_refused" in _actions(db, child_id)


def test_it_lists_records_due_and_audits_each_one_shown(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = _closed(db, cast)
    form = db.get(ReferralRequest, referral.request_id)
    assert form is not None
    # Closed and last touched six years ago less five days: due in five days.
    referral.ended_at = form.updated_at = years_before(utcnow(), 6) + timedelta(days=5)
    db.commit()
    child_id = referral.child_id
    page = dpo.get("/audit/retention")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Record {child_id}</td>" in html and "1 record due." in html
    assert "Failed sign-ins" in html and "Audit rows" in html
    assert _actions(db, child_id)[-1] == "retention_due_viewed"


def test_it_the_forms_carry_a_csrf_token_and_a_post_without_one_is_refused(
    app: Flask, db: Session, cast: Cast
) -> None:
    child_id = _closed(db, cast).child_id
    cast.coordinator.is_dpo = True
    db.commit()
    client = strict_app(app).test_client()
    sign_in(client, cast.coordinator)
    assert client.post("/audit/erasure", data={"child": str(child_id)}).status_code == 400
    token = csrf_token_from(client.get("/audit/erasure").get_data(as_text=True))
    plan = client.post("/audit/erasure", data={"child": str(child_id), "csrf_token": token})
    assert plan.status_code == 200
    assert client.post("/audit/erasure/confirm", data={
        "child": str(child_id), "ground": "not_needed"}).status_code == 400
    token = csrf_token_from(plan.get_data(as_text=True))
    assert client.post("/audit/erasure/confirm", data={
        "child": str(child_id), "ground": "not_needed", "csrf_token": token}).status_code == 302
    db.expire_all()
    assert db.get(Child, child_id) is None
