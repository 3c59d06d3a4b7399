"""The child's identity over HTTP: corrections as versions on the child's page, merging
two records and undoing it (30 days, on the app's clock), and who may do either."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.merge import ChildMerge
from routing.referrals.models import Child
from services.accounts.models import Role, User
from services.db import utcnow
from tests.clock import MovableClock
from tests.factories import Cast, login, make_user
from tests.routing.referrals.identity_helpers import amira, referred

NHS = "9434765919"


def _as(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _form(child: Child, **changes: str) -> dict[str, str]:
    born = child.date_of_birth
    return {"first_name": child.first_name, "last_name": child.last_name,
            "dob-day": str(born.day), "dob-month": str(born.month), "dob-year": str(born.year),
            "home_postcode": child.home_postcode, "upn": child.upn or "",
            "nhs_number": child.nhs_number or "", "school_id": str(child.school_id),
            "reason": "Surname as on the birth certificate"} | changes


def test_it_corrects_the_details_as_a_version_shown_on_the_childs_page(
    app: Flask, db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    db.commit()
    staff = _as(app, cast.staff)
    assert staff.get(f"/referrals/children/{child.id}/identity").status_code == 200
    done = staff.post(f"/referrals/children/{child.id}/identity",
                      data=_form(child, last_name="Khan-Ali"))
    assert done.status_code == 302
    page = staff.get(f"/referrals/children/{child.id}").get_data(as_text=True)
    assert "Amira Khan-Ali" in page and "Version 2 (current): Corrected on the child" in page
    assert "Changed: Last name." in page and "Surname as on the birth certificate" in page
    assert "Version 1: Referral form" in page
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "child_identity_versions_viewed",
        AuditEvent.child_id == child.id, AuditEvent.actor_id == cast.staff.id)
    ).scalars().first() is not None


def test_it_keeps_what_was_typed_and_refuses_over_long_or_missing_answers(
    app: Flask, db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    db.commit()
    staff = _as(app, cast.staff)
    refused = staff.post(f"/referrals/children/{child.id}/identity",
                         data=_form(child, first_name="Amirah", reason="x" * 1001,
                                    nhs_number="123"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Enter 1,000 characters or fewer" in page and "Enter a valid 10-digit" in page
    assert 'value="Amirah"' in page
    db.expire_all()
    assert db.get(Child, child.id).first_name == "Amira"  # type: ignore[union-attr]


def test_it_reads_the_date_of_birth_like_every_date_and_says_what_is_wrong_with_it(
    app: Flask, db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    db.commit()
    staff = _as(app, cast.staff)
    refused = staff.post(f"/referrals/children/{child.id}/identity",
                         data=_form(child, **{"dob-day": "31", "dob-month": ""}))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Date of birth must include a month" in page and 'value="31"' in page
    impossible = staff.post(f"/referrals/children/{child.id}/identity",
                            data=_form(child, **{"dob-day": "29", "dob-month": "2",
                                                 "dob-year": "2015"}))
    assert "Date of birth must be a real date" in impossible.get_data(as_text=True)
    leap = staff.post(f"/referrals/children/{child.id}/identity",
                      data=_form(child, **{"dob-day": "29", "dob-month": "2",
                                           "dob-year": "2016"}))
    assert leap.status_code == 302
    db.expire_all()
    assert db.get(Child, child.id).date_of_birth == date(2016, 2, 29)  # type: ignore[union-attr]


def test_it_lets_only_the_childs_school_and_the_coordinator_correct_the_details(
    app: Flask, db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    db.commit()
    assert _as(app, cast.other_staff).get(
        f"/referrals/children/{child.id}/identity").status_code == 403
    # The provider sees the child's page (its referral) but not the versions or the form.
    manager = _as(app, cast.manager)
    assert "Versions of these details" not in manager.get(
        f"/referrals/children/{child.id}").get_data(as_text=True)
    assert manager.get(f"/referrals/children/{child.id}/identity").status_code == 403
    coordinator = _as(app, cast.coordinator)
    moved = coordinator.post(f"/referrals/children/{child.id}/identity", data=_form(
        child, school_id=str(cast.other_school.id), reason="Moved school in September"))
    assert moved.status_code == 302
    db.expire_all()
    assert db.get(Child, child.id).school_id == cast.other_school.id  # type: ignore[union-attr]


def _merge_form(reason: str = "Same NHS number, name misspelled") -> dict[str, str]:
    return {"first_name": "surviving", "date_of_birth": "surviving",
            "nhs_number": "merged", "reason": reason}


def test_it_merges_two_records_and_undoes_the_merge_within_30_days(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    start = utcnow().replace(microsecond=0)
    clock.set(start)
    keep = referred(db, cast, amira())
    gone = referred(db, cast, amira("Amirah", date(2015, 3, 15), nhs=NHS))
    keep_id, gone_id = keep.id, gone.id
    db.commit()
    dsl = _as(app, cast.dsl)
    choose = dsl.get(f"/referrals/children/{keep_id}/merge").get_data(as_text=True)
    assert f"/referrals/children/{keep_id}/merge/{gone_id}" in choose
    compare = dsl.get(f"/referrals/children/{keep_id}/merge/{gone_id}")
    assert compare.status_code == 200 and "Amirah" in compare.get_data(as_text=True)
    assert dsl.post(f"/referrals/children/{keep_id}/merge/{gone_id}",
                    data=_merge_form(" ")).status_code == 400
    merged = dsl.post(f"/referrals/children/{keep_id}/merge/{gone_id}", data=_merge_form())
    assert merged.status_code == 302
    record = db.execute(select(ChildMerge)).scalar_one()
    page = dsl.get(f"/referrals/children/{keep_id}").get_data(as_text=True)
    assert "Same NHS number, name misspelled" in page and "Undo this merge" in page
    # The merged record's page leads to the record it went into.
    assert dsl.get(f"/referrals/children/{gone_id}").location.endswith(
        f"/referrals/children/{keep_id}")
    undo = f"/referrals/children/{keep_id}/merges/{record.id}/undo"

    clock.set(start + timedelta(days=30, minutes=1))
    late = _as(app, cast.coordinator)  # may undo any merge, but not this late
    assert "can no longer be undone" in late.get(undo).get_data(as_text=True)
    assert late.post(undo, data={"undo_reason": "Twins"}).status_code == 400

    clock.set(start + timedelta(days=29))
    in_time = _as(app, cast.dsl)
    assert in_time.post(undo, data={"undo_reason": "Twins after all"}).status_code == 302
    db.expire_all()
    restored = db.get(Child, gone_id)
    assert restored is not None and restored.merged_at is None and restored.nhs_number == NHS
    assert in_time.get(f"/referrals/children/{gone_id}").status_code == 200


def test_it_refuses_a_dsl_another_schools_record_and_school_staff_any_merge(
    app: Flask, db: Session, cast: Cast
) -> None:
    ours = referred(db, cast, amira())
    theirs = referred(db, cast, amira("Amirah", date(2015, 3, 15)), other_school=True)
    other_dsl = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation)
    db.commit()
    dsl = _as(app, cast.dsl)
    assert dsl.get(f"/referrals/children/{ours.id}/merge/{theirs.id}").status_code == 403
    asked = dsl.get(f"/referrals/children/{ours.id}/merge?other={theirs.id}")
    missing = dsl.get(f"/referrals/children/{ours.id}/merge?other=99999999")
    assert asked.status_code == missing.status_code == 400
    said = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', asked.get_data(as_text=True))
    assert said == re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>',
                              missing.get_data(as_text=True))
    assert "Amirah" not in asked.get_data(as_text=True)
    oversize = "9" * 31
    assert dsl.get(f"/referrals/children/{ours.id}/merge?other={oversize}").status_code == 400
    assert _as(app, other_dsl).post(f"/referrals/children/{theirs.id}/merge/{ours.id}",
                                    data=_merge_form()).status_code == 403
    assert _as(app, cast.staff).get(f"/referrals/children/{ours.id}/merge").status_code == 403
    coordinator = _as(app, cast.coordinator)
    assert coordinator.post(f"/referrals/children/{ours.id}/merge/{theirs.id}",
                            data=_merge_form()).status_code == 302
    db.expire_all()
    assert db.get(Child, theirs.id).merged_at is not None  # type: ignore[union-attr]


def test_it_asks_about_a_probable_match_without_naming_any_school(
    app: Flask, db: Session, cast: Cast
) -> None:
    referred(db, cast, amira())
    db.commit()
    other = _as(app, cast.other_staff)
    page = other.get("/referrals/new").get_data(as_text=True)
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    step = other.post("/referrals/new", data={"start_key": key}).location
    asked = other.post(step, data={
        "first_name": "amira", "last_name": "KHAN", "dob-day": "14", "dob-month": "3",
        "dob-year": "2015", "home_postcode": "bl1 1se", "attendance_concern": "no",
        "missing_education": "no"}).get_data(as_text=True)
    assert "Is this the same child?" in asked
    assert "the same name, date of birth and home postcode" in asked
    assert cast.school.name not in asked and "Castle Hill" not in asked
