"""Subject access: one action gives everything held about a child as a page and as
JSON, other people's details marked for redaction; DPO only; audited."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import issue_link, sent_referral


@pytest.fixture
def dpo(client: FlaskClient, db: Session, cast: Cast) -> FlaskClient:
    cast.coordinator.is_dpo = True
    db.commit()
    login(client, cast.coordinator)
    return client


def test_it_gives_everything_held_with_other_peoples_details_marked(
    app: Flask, dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider, name="Sleep clinic"))
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    child_id, reference = referral.child_id, referral.reference
    viewer = app.test_client()
    login(viewer, cast.staff)
    assert viewer.get(f"/referrals/children/{child_id}").status_code == 200
    viewer.get(f"/referrals/{referral.id}")

    page = dpo.get(f"/audit/subject-access/{child_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert reference in html and "Sleep clinic" in html
    assert "Help with sleep" in html  # from the form's answers
    assert f"{cast.staff.name} <span class=\"hub-redact__why\">" in html

    exported = dpo.get(f"/audit/subject-access/{child_id}/export.json")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(exported.get_data(as_text=True))
    titles = [s["title"] for s in document["sections"]]
    assert titles[0] == "The child's record"
    seen = next(s for s in document["sections"] if s["title"].startswith("Who read"))
    assert any(item["Who"] == {"value": cast.staff.name,
                               "redact_before_release": "another person's details"}
               for item in seen["items"])
    events = next(s for s in document["sections"] if s["title"].startswith("What happened"))
    assert events["items"]

    actions = set(db.execute(select(AuditEvent.action).where(
        AuditEvent.child_id == child_id)).scalars())
    assert {"subject_access_viewed", "subject_access_exported"} <= actions


def test_it_is_for_the_data_protection_officer_only(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    client = app.test_client()
    login(client, cast.coordinator)
    assert client.get(f"/audit/subject-access/{referral.child_id}").status_code == 403
    assert client.get(f"/audit/subject-access/{referral.child_id}/export.json"
                      ).status_code == 403


def test_it_unknown_and_oversize_children_are_404_and_bad_numbers_are_explained(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    child_id = sent_referral(db, cast, make_service(db, cast.provider)).child_id
    db.commit()
    assert dpo.get("/audit/subject-access/987654").status_code == 404
    assert dpo.get("/audit/subject-access/99999999999999999999").status_code == 404
    bad = dpo.get("/audit/subject-access?child=abc")
    assert bad.status_code == 400
    assert "Record number must be a number" in bad.get_data(as_text=True)
    assert dpo.get(f"/audit/subject-access?child={child_id}").headers["Location"].endswith(
        f"/audit/subject-access/{child_id}")
    # A number no record has is answered beside the field, with the number kept.
    unknown = dpo.get("/audit/subject-access?child=987654")
    assert unknown.status_code == 400
    page = unknown.get_data(as_text=True)
    assert 'id="child-error"' in page and 'value="987654"' in page
    assert "No child&#39;s record numbered 987654 is held." in page
