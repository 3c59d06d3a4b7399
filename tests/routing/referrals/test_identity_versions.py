"""A change of a child's identity details is a new version with who, when, where it came
from and why; the current details are always the latest version's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.children import ChildDetails
from routing.referrals.corrections import CORRECTION_PAGE, IdentityCorrection, correct_identity
from routing.referrals.identity import (
    IDENTITY_FIELDS,
    IdentitySource,
    details_of,
    versions_of,
)
from routing.referrals.models import Child
from services.db import utcnow
from services.errors import InvalidInput
from tests.factories import Cast
from tests.routing.referrals.helpers import actor
from tests.routing.referrals.identity_helpers import amira, referred

NHS = "9434765919"
OTHER_NHS = "4010232137"


def _correction(child: Child, reason: str = "Spelling on the birth certificate", *,
                school_id: int | None = None, **changes: object) -> IdentityCorrection:
    typed = {"first_name": child.first_name, "last_name": child.last_name,
             "date_of_birth": child.date_of_birth, "home_postcode": child.home_postcode,
             "upn": child.upn or "", "nhs_number": child.nhs_number or ""} | changes
    return IdentityCorrection(ChildDetails(**typed), school_id, reason)  # type: ignore[arg-type]


def _assert_current_is_latest(db: Session, child: Child) -> None:
    latest = versions_of(db, child.id)[0]
    current = details_of(child)
    for name in IDENTITY_FIELDS:
        assert (getattr(latest, name) or None) == (current[name] or None), name


def test_it_records_the_first_version_from_the_form_that_sent_it(
    db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira(nhs=NHS))
    (first,) = versions_of(db, child.id)
    assert first.number == 1 and first.source is IdentitySource.REFERRAL_FORM
    assert first.source_ref.startswith("Referral form ")
    assert (first.recorded_by_id, first.organisation_name) == (
        cast.staff.id, cast.school.organisation.name)
    assert (first.first_name, first.nhs_number, first.school_id) == (
        "Amira", NHS, cast.school.id)
    _assert_current_is_latest(db, child)


def test_it_makes_a_correction_a_new_version_with_who_when_where_and_why(
    db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    later = utcnow() + timedelta(days=3)
    version = correct_identity(
        db, child, _correction(child, first_name="Amirah", home_postcode="bl2 2ju"),
        actor(cast.dsl), later, (cast.school.id,))
    assert (version.number, version.source, version.source_ref) == (
        2, IdentitySource.CORRECTION, CORRECTION_PAGE)
    assert version.changed == "First name, Home postcode"
    assert (version.recorded_by_id, version.recorded_at) == (cast.dsl.id, later)
    assert version.reason == "Spelling on the birth certificate"
    db.refresh(child)
    assert (child.first_name, child.home_postcode) == ("Amirah", "BL2 2JU")
    first = versions_of(db, child.id)[1]
    assert (first.first_name, first.home_postcode) == ("Amira", "BL1 1SE")  # history kept
    _assert_current_is_latest(db, child)
    audited = db.execute(select(AuditEvent).where(
        AuditEvent.action == "child_identity_corrected", AuditEvent.child_id == child.id)
    ).scalar_one()
    assert audited.detail == "First name, Home postcode" and "Amirah" not in audited.detail


def test_it_refuses_a_correction_without_a_reason_or_that_changes_nothing(
    db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    with pytest.raises(InvalidInput) as no_reason:
        correct_identity(db, child, _correction(child, "  ", first_name="Amy"),
                         actor(cast.staff), utcnow(), (cast.school.id,))
    assert "reason" in no_reason.value.errors
    with pytest.raises(InvalidInput) as unchanged:
        correct_identity(db, child, _correction(child), actor(cast.staff), utcnow(),
                         (cast.school.id,))
    assert "form" in unchanged.value.errors
    with pytest.raises(InvalidInput) as invalid:
        correct_identity(db, child, _correction(child, date_of_birth=date(2999, 1, 1),
                                                nhs_number="123"),
                         actor(cast.staff), utcnow(), (cast.school.id,))
    assert {"date_of_birth", "nhs_number"} <= set(invalid.value.errors)
    assert len(versions_of(db, child.id)) == 1


def test_it_refuses_another_records_number_without_naming_that_record(
    db: Session, cast: Cast
) -> None:
    referred(db, cast, amira(nhs=NHS), other_school=True)
    child = referred(db, cast, ChildDetails("Sam", "Jones", date(2016, 1, 1), "BL1 1SE"))
    with pytest.raises(InvalidInput) as refused:
        correct_identity(db, child, _correction(child, nhs_number=NHS), actor(cast.staff),
                         utcnow(), (cast.school.id,))
    message = refused.value.errors["nhs_number"]
    assert "merge" in message
    assert cast.other_school.name not in message and "Amira" not in message
    correct_identity(db, child, _correction(child, nhs_number=OTHER_NHS), actor(cast.staff),
                     utcnow(), (cast.school.id,))
    assert child.nhs_number == OTHER_NHS


def test_it_lets_school_staff_name_only_their_own_schools_and_the_coordinator_any(
    db: Session, cast: Cast
) -> None:
    child = referred(db, cast, amira())
    with pytest.raises(InvalidInput) as refused:
        correct_identity(db, child, _correction(child, school_id=cast.other_school.id),
                         actor(cast.staff), utcnow(), (cast.school.id,))
    assert "school_id" in refused.value.errors
    moved = correct_identity(db, child, _correction(child, "Moved school in September",
                                                    school_id=cast.other_school.id),
                             actor(cast.coordinator), utcnow(), None)
    assert moved.changed == "School" and child.school_id == cast.other_school.id
    _assert_current_is_latest(db, child)
