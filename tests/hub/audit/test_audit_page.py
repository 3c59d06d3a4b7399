"""The audit page: the data protection officer only, filtered, paged, CSV; and what gets
audited (refused accesses, directory and account changes, from where)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent, audit
from routing.referrals.lifecycle import Actor
from services.audit_trail import audit_listing
from tests.clock import MovableClock
from tests.factories import Cast, login

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def dpo(client: FlaskClient, db: Session, cast: Cast) -> FlaskClient:
    cast.coordinator.is_dpo = True
    db.commit()
    login(client, cast.coordinator)
    return client


@pytest.mark.parametrize("who", ["coordinator", "staff", "dsl", "manager", "worker"])
def test_it_only_the_data_protection_officer_sees_the_audit(
    app: Flask, db: Session, cast: Cast, who: str
) -> None:
    client = app.test_client()
    login(client, getattr(cast, who))
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    refused = db.execute(select(AuditEvent).where(AuditEvent.refused.is_(True))).scalars().all()
    assert len(refused) == 2
    assert refused[0].actor_id == getattr(cast, who).id
    assert refused[0].remote_addr == "127.0.0.1"
    assert "audit.index" in refused[0].detail


def test_it_a_signed_out_visitor_is_sent_to_sign_in(client: FlaskClient, cast: Cast) -> None:
    assert client.get("/audit").status_code == 302


def test_it_filters_by_child_user_organisation_action_and_dates(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    staff = Actor(cast.staff.id, cast.staff.name, cast.school.organisation_id, "Castle Hill")
    worker = Actor(cast.worker.id, cast.worker.name, cast.provider.id, "NHS")
    audit(db, staff, "child_viewed", NOW - timedelta(days=3), child_id=11)
    audit(db, staff, "child_viewed", NOW - timedelta(days=1), child_id=12)
    audit(db, worker, "referral_view", NOW - timedelta(days=1), child_id=11, referral_id=5)
    db.commit()

    def rows(query: str) -> list[list[str]]:
        response = dpo.get(f"/audit/export.csv?{query}")
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]

    assert {r[7] for r in rows("child=11")} == {"11"}
    assert len(rows("child=11")) == 2
    assert len(rows(f"user={cast.worker.id}")) == 1
    assert len(rows(f"organisation={cast.school.organisation_id}&action=child_viewed")) == 2
    day = (NOW - timedelta(days=1)).date().isoformat()
    assert len(rows(f"since={day}&until={day}&action=child_viewed")) == 1
    page = dpo.get("/audit?child=11").get_data(as_text=True)
    assert "2 rows" in page


def test_it_lists_a_directory_event_once_and_finds_it_for_every_service(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    worker = Actor(cast.worker.id, cast.worker.name, cast.provider.id, "NHS")
    for service_id in (3, 4, 5):
        audit_listing(db, worker, "capacity_changed", service_id, NOW)
    audit(db, worker, "capacity_changes", NOW)  # a name that only starts the same
    db.commit()
    page = dpo.get("/audit").get_data(as_text=True)
    options = page.split('id="action"')[1].split("</select>")[0]
    assert options.count('value="capacity_changed"') == 1
    assert "service 3" not in options
    found = dpo.get("/audit/export.csv?action=capacity_changed").get_data(as_text=True)
    assert {row[5] for row in list(csv.reader(io.StringIO(found)))[1:]} == {
        f"capacity_changed: service {n}" for n in (3, 4, 5)}


def test_it_bad_filters_are_shown_beside_the_field_never_a_500(
    dpo: FlaskClient, cast: Cast
) -> None:
    response = dpo.get("/audit?child=99999999999999999999&since=yesterday")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Record number must be a number" in page
    assert "From date must be a date" in page
    assert 'value="yesterday"' in page
    assert dpo.get("/audit?page=999999999999").status_code == 200


def test_it_pages_fifty_rows_at_a_time(dpo: FlaskClient, db: Session, cast: Cast) -> None:
    staff = Actor(cast.staff.id, cast.staff.name, cast.school.organisation_id, "Castle Hill")
    for n in range(120):
        audit(db, staff, "child_viewed", NOW - timedelta(minutes=n), child_id=3)
    db.commit()
    first = dpo.get("/audit?child=3").get_data(as_text=True)
    assert "page 1 of 3" in first
    assert first.count("child 3 ") == 50
    last = dpo.get("/audit?child=3&page=3").get_data(as_text=True)
    assert last.count("child 3 ") == 20


def test_it_reading_and_exporting_the_audit_is_audited(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    dpo.get("/audit?action=child_viewed")
    dpo.get("/audit/export.csv")
    actions = db.execute(select(AuditEvent.action, AuditEvent.detail)).all()
    assert ("audit_viewed", "action=child_viewed") in actions
    assert ("audit_exported", "") in actions


def test_it_csv_cells_cannot_run_as_formulas(dpo: FlaskClient, db: Session, cast: Cast) -> None:
    audit(db, Actor(None, "=HYPERLINK(1)", None, "@org"), "child_viewed", NOW, child_id=1)
    db.commit()
    body = dpo.get("/audit/export.csv?child=1").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body and "'@org" in body


def test_it_admin_changes_are_audited_with_fields_not_values(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    client = app.test_client()
    login(client, cast.coordinator)
    response = client.post(f"/admin/users/{cast.staff.id}/edit", data={
        "name": "Jess Renamed", "email": cast.staff.email, "role": "school_staff",
        "organisation_id": str(cast.school.organisation_id)})
    assert response.status_code == 302
    row = db.execute(select(AuditEvent).where(AuditEvent.action == "user_changed")).scalar_one()
    assert row.actor_id == cast.coordinator.id
    assert row.organisation_name == cast.council.name
    assert row.subject_type == "user" and row.subject_id == str(cast.staff.id)
    assert row.detail == "name"
    assert "Jess Renamed" not in row.detail
    assert row.remote_addr == "127.0.0.1"


def test_it_signing_in_and_sending_a_referral_are_audited(
    app: Flask, db: Session, cast: Cast
) -> None:
    from tests.factories import make_service
    from tests.routing.referrals.helpers import sent_referral

    client = app.test_client()
    login(client, cast.staff)
    signed_in = db.execute(select(AuditEvent).where(AuditEvent.action == "signed_in")
                           ).scalar_one()
    assert signed_in.actor_id == cast.staff.id and signed_in.remote_addr == "127.0.0.1"
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    created = db.execute(select(AuditEvent).where(AuditEvent.action == "child_created")
                         ).scalar_one()
    assert created.child_id == referral.child_id


def test_it_says_in_words_why_a_referral_was_read(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    worker = Actor(cast.worker.id, cast.worker.name, cast.provider.id, "NHS")
    audit(db, worker, "referral_provider", NOW, child_id=11, referral_id=5)
    audit(db, worker, "capacity_changed: service 3", NOW)
    db.commit()
    page = dpo.get("/audit?action=referral_provider").get_data(as_text=True)
    rows = page.split("<tbody")[1]
    assert "referral read by its service, to respond" in rows
    assert "referral provider" not in page
    changed = dpo.get("/audit?action=capacity_changed").get_data(as_text=True)
    assert "capacity changed: service 3" in changed.split("<tbody")[1]
    options = page.split('id="action"')[1].split("</select>")[0]
    assert re.search(r'<option value="referral_provider"[^>]*>referral read by its service, '
                     r"to respond</option>", options)


def test_it_filters_by_dates_typed_day_first_like_31_03_2026(
    dpo: FlaskClient, db: Session, cast: Cast
) -> None:
    staff = Actor(cast.staff.id, cast.staff.name, cast.school.organisation_id, "Castle Hill")
    audit(db, staff, "child_viewed", datetime(2026, 3, 30, 23, 59), child_id=1)
    audit(db, staff, "child_viewed", datetime(2026, 3, 31, 0, 0), child_id=2)
    audit(db, staff, "child_viewed", datetime(2026, 3, 31, 23, 59), child_id=3)
    audit(db, staff, "child_viewed", datetime(2026, 4, 1, 0, 0), child_id=4)
    db.commit()
    page = dpo.get("/audit?since=31%2F03%2F2026&until=31%2F3%2F2026&action=child_viewed")
    assert page.status_code == 200
    assert "2 rows" in page.get_data(as_text=True)
    found = dpo.get("/audit/export.csv?since=31/03/2026&until=31/03/2026&action=child_viewed")
    assert found.status_code == 200
    rows = list(csv.reader(io.StringIO(found.get_data(as_text=True))))[1:]
    assert sorted(r[7] for r in rows) == ["2", "3"]
    # 29 February in a leap year is a date; in any other year it is refused beside the field.
    assert dpo.get("/audit?since=29/02/2024").status_code == 200
    refused = dpo.get("/audit?since=29%2F02%2F2025").get_data(as_text=True)
    assert "From date must be a real date" in refused and 'value="29/02/2025"' in refused
