"""The coordinator's use cases, below HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.admin import operations as ops
from hub.auth.models import Role, User
from hub.auth.passwords import verify_password
from services.errors import InvalidInput
from services.organisations import Organisation, OrganisationKind
from services.schools import School, SchoolPhase
from services.taxonomy import Need
from services.taxonomy_ops import load_standard_needs
from services.version import current_version
from tests.factories import Cast, make_org, make_school, make_service, make_user


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


def user_input(organisation: Organisation, **changes: object) -> ops.UserInput:
    data = ops.UserInput(
        name="Priya Shah",
        email="Priya.Shah@Example.test",
        role="provider_worker",
        organisation_id=organisation.id,
        password="a long enough password",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


# --- Schools ------------------------------------------------------------------


def test_adding_a_school_creates_its_own_school_organisation_and_location(db: Session) -> None:
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


def test_adding_a_school_does_not_commit(db: Session) -> None:
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


def test_a_schools_trust_must_be_an_academy_trust(db: Session) -> None:
    charity = make_org(db, "A Charity", OrganisationKind.VOLUNTARY)
    with pytest.raises(InvalidInput) as caught:
        ops.add_school(db, school_input(trust_id=charity.id))
    assert "trust_id" in caught.value.errors


def test_a_school_cannot_take_another_organisations_name(db: Session) -> None:
    make_org(db, "Bolton Council", OrganisationKind.LOCAL_AUTHORITY)
    with pytest.raises(InvalidInput) as caught:
        ops.add_school(db, school_input(name="bolton council"))
    assert caught.value.errors == {"name": "An organisation called bolton council already exists"}


def test_updating_a_school_keeps_its_own_urn_and_renames_its_organisation(db: Session) -> None:
    school = make_school(db, "Old Name", "BL1 4QF")
    before = current_version(db)
    ops.update_school(
        db, school, school_input(name="New Name", urn=school.urn, postcode="BL2 2JU")
    )
    assert school.name == "New Name"
    assert school.organisation.name == "New Name"
    assert school.location.postcode == "BL2 2JU"
    assert current_version(db) > before


def test_updating_a_school_refuses_another_schools_urn(db: Session) -> None:
    first = make_school(db)
    second = make_school(db)
    with pytest.raises(InvalidInput) as caught:
        ops.update_school(db, second, school_input(name=second.name, urn=first.urn))
    assert caught.value.errors == {"urn": f"A school with URN {first.urn} already exists"}


# --- Organisations ------------------------------------------------------------


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


def test_schools_are_not_added_as_bare_organisations(db: Session) -> None:
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


def test_an_organisation_keeps_its_own_name_when_edited(db: Session) -> None:
    org = make_org(db, "Bolton Carers")
    ops.update_organisation(
        db, org, ops.OrganisationInput(name="Bolton Carers", kind="housing", phone="1")
    )
    assert org.kind == OrganisationKind.HOUSING
    assert org.phone == "1"


def test_an_organisation_with_services_cannot_become_an_academy_trust(db: Session) -> None:
    org = make_org(db, "Provider", OrganisationKind.NHS)
    make_service(db, org)
    with pytest.raises(InvalidInput) as caught:
        ops.update_organisation(db, org, ops.OrganisationInput(name="Provider",
                                                                kind="academy_trust"))
    assert "kind" in caught.value.errors


def test_a_trust_with_schools_keeps_its_kind(db: Session) -> None:
    trust = make_org(db, "Trust", OrganisationKind.ACADEMY_TRUST)
    school = make_school(db)
    school.trust_id = trust.id
    db.flush()
    with pytest.raises(InvalidInput) as caught:
        ops.update_organisation(db, trust, ops.OrganisationInput(name="Trust", kind="voluntary"))
    assert caught.value.errors == {"kind": "Trust is the trust of 1 school. Change those "
                                           "schools first"}


def test_a_schools_organisation_stays_a_school_and_renames_the_school(db: Session) -> None:
    school = make_school(db, "Old Name")
    with pytest.raises(InvalidInput):
        ops.update_organisation(db, school.organisation,
                                ops.OrganisationInput(name="Old Name", kind="voluntary"))
    ops.update_organisation(db, school.organisation,
                            ops.OrganisationInput(name="New Name", kind="school"))
    assert school.name == "New Name"


def test_organisations_are_listed_with_counts_of_users_and_services(cast: Cast,
                                                                   db: Session) -> None:
    make_service(db, cast.provider)
    make_service(db, cast.provider)
    rows = {row.organisation.name: row for row in ops.list_organisations(db)}
    assert (rows[cast.provider.name].users, rows[cast.provider.name].services) == (2, 2)
    assert (rows[cast.council.name].users, rows[cast.council.name].services) == (1, 0)


def test_the_overview_counts_everything(cast: Cast, db: Session) -> None:
    make_service(db, cast.provider)
    counts = ops.overview_counts(db)
    assert counts == ops.Counts(schools=2, organisations=5, services=1, users=7)


# --- Users --------------------------------------------------------------------


def test_it_adds_a_user_with_a_hashed_password_and_a_lower_case_email(db: Session) -> None:
    org = make_org(db, kind=OrganisationKind.NHS)
    user = ops.add_user(db, user_input(org))
    assert user.email == "priya.shah@example.test"
    assert user.role == Role.PROVIDER_WORKER
    assert user.password_hash.startswith("$argon2")
    assert verify_password(user.password_hash, "a long enough password")


def test_it_refuses_a_duplicate_email_whatever_the_case(db: Session) -> None:
    org = make_org(db, kind=OrganisationKind.NHS)
    make_user(db, Role.PROVIDER_WORKER, org, email="priya.shah@example.test")
    with pytest.raises(InvalidInput) as caught:
        ops.add_user(db, user_input(org))
    assert caught.value.errors == {
        "email": "An account with the email address priya.shah@example.test already exists"
    }


def test_it_refuses_a_password_shorter_than_twelve_characters(db: Session) -> None:
    org = make_org(db, kind=OrganisationKind.NHS)
    with pytest.raises(InvalidInput) as caught:
        ops.add_user(db, user_input(org, password="elevenchars"))
    assert caught.value.errors == {"password": "Password must be 12 characters or more"}


def test_provider_roles_belong_to_organisations_that_provide_services(db: Session) -> None:
    school = make_school(db)
    trust = make_org(db, kind=OrganisationKind.ACADEMY_TRUST)
    for org in (school.organisation, trust):
        with pytest.raises(InvalidInput) as caught:
            ops.add_user(db, user_input(org, role="provider_manager"))
        assert caught.value.errors == {
            "organisation_id": "Provider manager accounts must belong to an organisation "
                               "that provides services"
        }


def test_school_roles_belong_to_a_school(db: Session) -> None:
    org = make_org(db, kind=OrganisationKind.NHS)
    with pytest.raises(InvalidInput) as caught:
        ops.add_user(db, user_input(org, role="safeguarding_lead"))
    assert caught.value.errors == {
        "organisation_id": "Designated safeguarding lead accounts must belong to a school"
    }
    school = make_school(db)
    assert ops.add_user(db, user_input(school.organisation, role="school_staff")).id


def test_it_refuses_an_unknown_role_or_organisation(db: Session) -> None:
    org = make_org(db)
    with pytest.raises(InvalidInput) as caught:
        ops.add_user(db, user_input(org, role="admin", organisation_id=None, email="bad"))
    assert set(caught.value.errors) == {"role", "organisation_id", "email"}


def test_users_can_be_filtered_by_organisation(cast: Cast, db: Session) -> None:
    emails = {user.email for user in ops.list_users(db, cast.provider.id)}
    assert emails == {"manager@example.test", "worker@example.test"}
    assert len(ops.list_users(db)) == 7


def test_deactivating_a_user_ends_their_sessions(cast: Cast) -> None:
    token = cast.worker.session_token
    ops.deactivate_user(cast.worker, cast.coordinator)
    assert not cast.worker.active
    assert cast.worker.session_token != token
    ops.reactivate_user(cast.worker)
    assert cast.worker.active


def test_a_coordinator_cannot_deactivate_themselves(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.deactivate_user(cast.coordinator, cast.coordinator)
    assert caught.value.errors == {"user": "You cannot deactivate your own account"}
    assert cast.coordinator.active


def test_resetting_a_password_rehashes_it_and_ends_sessions(cast: Cast) -> None:
    token = cast.staff.session_token
    ops.reset_password(cast.staff, "a brand new password")
    assert verify_password(cast.staff.password_hash, "a brand new password")
    assert cast.staff.session_token != token
    with pytest.raises(InvalidInput) as caught:
        ops.reset_password(cast.staff, "short")
    assert caught.value.errors == {"password": "Password must be 12 characters or more"}


def details_of(user: User, **changes: object) -> ops.UserDetails:
    data = ops.UserDetails(user.name, user.email, user.role.value, user.organisation_id)
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_changing_a_name_or_email_keeps_the_user_signed_in(cast: Cast, db: Session) -> None:
    token = cast.worker.session_token
    signed_out = ops.update_user(
        db, cast.worker, details_of(cast.worker, name=" Sam Jones ", email="Sam@Example.test"),
        cast.coordinator)
    assert not signed_out
    assert (cast.worker.name, cast.worker.email) == ("Sam Jones", "sam@example.test")
    assert cast.worker.session_token == token


def test_moving_a_user_to_another_organisation_signs_them_out(cast: Cast, db: Session) -> None:
    token = cast.worker.session_token
    signed_out = ops.update_user(
        db, cast.worker, details_of(cast.worker, organisation_id=cast.other_provider.id),
        cast.coordinator)
    assert signed_out
    assert cast.worker.organisation is cast.other_provider
    assert cast.worker.session_token != token


def test_a_new_role_signs_the_user_out(cast: Cast, db: Session) -> None:
    token = cast.worker.session_token
    assert ops.update_user(db, cast.worker, details_of(cast.worker, role="provider_manager"),
                           cast.coordinator)
    assert cast.worker.role == Role.PROVIDER_MANAGER
    assert cast.worker.session_token != token


def test_editing_refuses_another_accounts_email_but_not_its_own(cast: Cast, db: Session) -> None:
    ops.update_user(db, cast.worker, details_of(cast.worker, email="WORKER@example.test"),
                    cast.coordinator)
    with pytest.raises(InvalidInput) as caught:
        ops.update_user(db, cast.worker, details_of(cast.worker, email="Manager@example.test"),
                        cast.coordinator)
    assert caught.value.errors == {
        "email": "An account with the email address manager@example.test already exists"}
    assert cast.worker.email == "worker@example.test"


def test_editing_keeps_roles_in_organisations_they_fit(cast: Cast, db: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.update_user(db, cast.staff, details_of(cast.staff, organisation_id=cast.provider.id),
                        cast.coordinator)
    assert caught.value.errors == {
        "organisation_id": "School staff accounts must belong to a school"}
    assert cast.staff.organisation_id == cast.school.organisation_id


def test_a_coordinator_cannot_remove_their_own_coordinator_role(cast: Cast, db: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.update_user(db, cast.coordinator,
                        details_of(cast.coordinator, role="school_staff",
                                   organisation_id=cast.school.organisation_id),
                        cast.coordinator)
    assert caught.value.errors == {"role": "You cannot remove your own coordinator role"}
    assert cast.coordinator.role == Role.COORDINATOR


# --- Taxonomy -----------------------------------------------------------------


def test_it_adds_top_level_and_child_needs(db: Session) -> None:
    load_standard_needs(db)
    top = ops.add_need(db, parent_code=None, suffix="trn", name="Transport")
    db.flush()
    child = ops.add_need(db, parent_code=top.code, suffix="BUS", name="Bus passes")
    assert (top.code, child.code, child.parent_code) == ("TRN", "TRN.BUS", "TRN")


def test_it_maps_taxonomy_errors_to_fields(db: Session) -> None:
    load_standard_needs(db)
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=None, suffix="MHW", name="Again")
    assert caught.value.errors == {"suffix": "The code MHW is already in use"}
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=None, suffix="a-b", name="Dash")
    assert "suffix" in caught.value.errors
    child = db.execute(select(Need).where(Need.parent_code.is_not(None))).scalars().first()
    assert child is not None
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=child.code, suffix="X", name="Third level")
    assert caught.value.errors == {"parent_code": "Choose a top-level need as the parent"}
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=None, suffix="NEW", name=" ")
    assert caught.value.errors == {"name": "Enter a name"}


def test_it_renames_and_retires_a_need(db: Session) -> None:
    load_standard_needs(db)
    need = db.get(Need, "MHW")
    assert need is not None
    ops.update_need(db, need, name="Mental health", description="Feelings", active=False)
    assert (need.name, need.description, need.active) == ("Mental health", "Feelings", False)
    with pytest.raises(InvalidInput) as caught:
        ops.update_need(db, need, name="", description="", active=True)
    assert caught.value.errors == {"name": "Enter a name"}


def test_users_listing_includes_deactivated_accounts(cast: Cast, db: Session) -> None:
    ops.deactivate_user(cast.worker, cast.coordinator)
    db.flush()
    assert cast.worker in ops.list_users(db, cast.provider.id)
    assert db.get(User, cast.worker.id) is cast.worker
