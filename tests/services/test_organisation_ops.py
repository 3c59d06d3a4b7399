"""Organisations and the overview counts, below HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services import organisation_ops as ops
from services.errors import InvalidInput
from services.organisations import OrganisationKind
from tests.factories import Cast, make_org, make_school, make_service


def test_it_adds_an_organisation_with_its_contact_details(db: Session) -> None:
    org = ops.add_organisation(
        db,
        ops.OrganisationInput(
            name=" Bolton Carers ", kind="voluntary", website="https://carers.example",
            email="hello@carers.example", phone="01204 000000",
        ),
    )
    assert (org.name, org.kind, org.website) == (
        "Bolton Carers", OrganisationKind.VOLUNTARY, "https://carers.example"
    )
    assert org.id is not None


def test_it_refuses_a_duplicate_organisation_name_whatever_the_case(db: Session) -> None:
    make_org(db, "Bolton Carers")
    with pytest.raises(InvalidInput) as caught:
        ops.add_organisation(db, ops.OrganisationInput(name="BOLTON CARERS", kind="voluntary"))
    assert caught.value.errors == {"name": "An organisation called BOLTON CARERS already exists"}


def test_it_does_not_add_schools_as_bare_organisations(db: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.add_organisation(db, ops.OrganisationInput(name="A School", kind="school"))
    assert caught.value.errors == {"kind": "Add a school from the schools page"}


def test_it_refuses_a_website_or_email_in_the_wrong_format(db: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.add_organisation(
            db,
            ops.OrganisationInput(name="X", kind="nhs", website="www.x.org", email="nobody"),
        )
    assert set(caught.value.errors) == {"website", "email"}


def test_it_lets_an_organisation_keep_its_own_name_when_edited(db: Session) -> None:
    org = make_org(db, "Bolton Carers")
    ops.update_organisation(
        db, org, ops.OrganisationInput(name="Bolton Carers", kind="housing", phone="1")
    )
    assert org.kind == OrganisationKind.HOUSING
    assert org.phone == "1"


def test_it_refuses_to_make_an_organisation_with_services_an_academy_trust(db: Session) -> None:
    org = make_org(db, "Provider", OrganisationKind.NHS)
    make_service(db, org)
    with pytest.raises(InvalidInput) as caught:
        ops.update_organisation(db, org, ops.OrganisationInput(name="Provider",
                                                                kind="academy_trust"))
    assert "kind" in caught.value.errors


def test_it_keeps_the_kind_of_a_trust_with_schools(db: Session) -> None:
    trust = make_org(db, "Trust", OrganisationKind.ACADEMY_TRUST)
    school = make_school(db)
    school.trust_id = trust.id
    db.flush()
    with pytest.raises(InvalidInput) as caught:
        ops.update_organisation(db, trust, ops.OrganisationInput(name="Trust", kind="voluntary"))
    assert caught.value.errors == {"kind": "Trust is the trust of 1 school. Change those "
                                           "schools first"}


def test_it_keeps_a_schools_organisation_a_school_and_renames_the_school(db: Session) -> None:
    school = make_school(db, "Old Name")
    with pytest.raises(InvalidInput):
        ops.update_organisation(db, school.organisation,
                                ops.OrganisationInput(name="Old Name", kind="voluntary"))
    ops.update_organisation(db, school.organisation,
                            ops.OrganisationInput(name="New Name", kind="school"))
    assert school.name == "New Name"


def test_it_lists_organisations_with_counts_of_users_and_services(cast: Cast,
                                                                   db: Session) -> None:
    make_service(db, cast.provider)
    make_service(db, cast.provider)
    rows = {row.organisation.name: row for row in ops.list_organisations(db)}
    assert (rows[cast.provider.name].users, rows[cast.provider.name].services) == (2, 2)
    assert (rows[cast.council.name].users, rows[cast.council.name].services) == (1, 0)


def test_it_counts_everything_for_the_overview(cast: Cast, db: Session) -> None:
    make_service(db, cast.provider)
    counts = ops.overview_counts(db)
    assert counts == ops.Counts(schools=2, organisations=5, services=1, users=7)
