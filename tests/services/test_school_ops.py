"""Schools, below HTTP: each comes with its own organisation and location."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import school_ops as ops
from services.errors import InvalidInput
from services.organisations import OrganisationKind
from services.schools import School, SchoolPhase
from services.version import current_version
from tests.factories import make_org, make_school


def school_input(**changes: object) -> ops.SchoolInput:
    data = ops.SchoolInput(
        name="Brandwood Primary School",
        urn="105201",
        phase="primary",
        address="Brandwood Street, Bolton",
        postcode="BL1 1SE",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_it_adds_a_school_with_its_own_school_organisation_and_location(db: Session) -> None:
    trust = make_org(db, "Bolton Learning Trust", OrganisationKind.ACADEMY_TRUST)
    saved = ops.add_school(db, school_input(trust_id=trust.id, postcode="bl1 1se"))
    school = saved.school
    assert not saved.approximate
    assert school.organisation.kind == OrganisationKind.SCHOOL
    assert school.organisation.name == "Brandwood Primary School"
    assert school.trust_id == trust.id
    assert school.phase == SchoolPhase.PRIMARY
    assert school.location.postcode == "BL1 1SE"
    assert school.location.address == "Brandwood Street, Bolton"
    assert school.location.easting > 0


def test_it_adds_a_school_without_committing(db: Session) -> None:
    ops.add_school(db, school_input())
    db.rollback()
    assert db.execute(select(School)).first() is None


def test_it_refuses_a_duplicate_urn(db: Session) -> None:
    ops.add_school(db, school_input())
    with pytest.raises(InvalidInput) as caught:
        ops.add_school(db, school_input(name="Another School"))
    assert caught.value.errors == {"urn": "A school with URN 105201 already exists"}


def test_it_refuses_a_urn_that_is_not_six_digits(db: Session) -> None:
    for urn in ("12345", "1234567", "12345A", ""):
        with pytest.raises(InvalidInput) as caught:
            ops.add_school(db, school_input(urn=urn))
        assert caught.value.errors["urn"] == "Enter a URN of 6 digits, like 123456"


def test_it_gives_the_geocoders_message_for_a_postcode_it_cannot_place(db: Session) -> None:
    cases = {
        "ZZ99 9ZZ": "We could not find that postcode. Check it and try again",
        "BT1 1AA": "That postcode is outside Great Britain. This directory covers England only",
        "not a postcode": "Enter a full UK postcode, like BL1 1SE",
    }
    for postcode, message in cases.items():
        with pytest.raises(InvalidInput) as caught:
            ops.add_school(db, school_input(postcode=postcode))
        assert caught.value.errors == {"postcode": message}


def test_it_places_an_unknown_postcode_in_a_known_district_approximately(db: Session) -> None:
    saved = ops.add_school(db, school_input(postcode="BL1 1AA"))
    assert saved.approximate
    assert saved.school.location.postcode == "BL1 1AA"


def test_it_reports_every_problem_with_a_school_at_once(db: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.add_school(db, school_input(name=" ", urn="1", phase="nursery", postcode="BT1 1AA"))
    assert set(caught.value.errors) == {"name", "urn", "phase", "postcode"}


def test_it_requires_a_schools_trust_to_be_an_academy_trust(db: Session) -> None:
    charity = make_org(db, "A Charity", OrganisationKind.VOLUNTARY)
    with pytest.raises(InvalidInput) as caught:
        ops.add_school(db, school_input(trust_id=charity.id))
    assert "trust_id" in caught.value.errors


def test_it_refuses_a_school_another_organisations_name(db: Session) -> None:
    make_org(db, "Bolton Council", OrganisationKind.LOCAL_AUTHORITY)
    with pytest.raises(InvalidInput) as caught:
        ops.add_school(db, school_input(name="bolton council"))
    assert caught.value.errors == {"name": "An organisation called bolton council already exists"}


def test_it_updates_a_school_keeping_its_own_urn_and_renaming_its_organisation(db: Session) -> None:
    school = make_school(db, "Old Name", "BL1 4QF")
    before = current_version(db)
    ops.update_school(
        db, school, school_input(name="New Name", urn=school.urn, postcode="BL2 2JU")
    )
    assert school.name == "New Name"
    assert school.organisation.name == "New Name"
    assert school.location.postcode == "BL2 2JU"
    assert current_version(db) > before


def test_it_refuses_another_schools_urn_when_updating_a_school(db: Session) -> None:
    first = make_school(db)
    second = make_school(db)
    with pytest.raises(InvalidInput) as caught:
        ops.update_school(db, second, school_input(name=second.name, urn=first.urn))
    assert caught.value.errors == {"urn": f"A school with URN {first.urn} already exists"}


def test_it_sets_the_school_organisations_phone_only_when_given(db: Session) -> None:
    saved = ops.add_school(db, school_input(phone=" 01204 000 701 "))
    organisation = saved.school.organisation
    assert organisation.phone == "01204 000 701"
    ops.update_school(db, saved.school, school_input(name="Renamed School"))
    assert (organisation.name, organisation.phone) == ("Renamed School", "01204 000 701")
    ops.update_school(db, saved.school, school_input(name="Renamed School", phone=""))
    assert organisation.phone is None
