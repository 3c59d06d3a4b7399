"""Account use cases below HTTP: adding, editing, deactivating users and passwords."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services.accounts import operations as ops
from services.accounts.models import Role, User
from services.accounts.passwords import verify_password
from services.errors import InvalidInput
from services.organisations import Organisation, OrganisationKind
from tests.factories import Cast, make_org, make_school, make_user


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


def test_it_puts_provider_roles_only_in_organisations_that_provide_services(db: Session) -> None:
    school = make_school(db)
    trust = make_org(db, kind=OrganisationKind.ACADEMY_TRUST)
    for org in (school.organisation, trust):
        with pytest.raises(InvalidInput) as caught:
            ops.add_user(db, user_input(org, role="provider_manager"))
        assert caught.value.errors == {
            "organisation_id": "Provider manager accounts must belong to an organisation "
                               "that provides services"
        }


def test_it_puts_school_roles_only_in_a_school(db: Session) -> None:
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


def test_it_filters_users_by_organisation(
    cast: Cast, db: Session
) -> None:
    emails = {user.email for user in ops.list_users(db, cast.provider.id)}
    assert emails == {"manager@example.test", "worker@example.test"}
    assert len(ops.list_users(db)) == 7


def test_it_ends_a_users_sessions_when_deactivating_them(cast: Cast) -> None:
    token = cast.worker.session_token
    ops.deactivate_user(cast.worker, cast.coordinator)
    assert not cast.worker.active
    assert cast.worker.session_token != token
    ops.reactivate_user(cast.worker)
    assert cast.worker.active


def test_it_stops_a_coordinator_deactivating_themselves(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.deactivate_user(cast.coordinator, cast.coordinator)
    assert caught.value.errors == {"user": "You cannot deactivate your own account"}
    assert cast.coordinator.active


def test_it_rehashes_a_reset_password_and_ends_sessions(cast: Cast) -> None:
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


def test_it_keeps_the_user_signed_in_when_their_name_or_email_changes(
    cast: Cast, db: Session
) -> None:
    token = cast.worker.session_token
    signed_out = ops.update_user(
        db, cast.worker, details_of(cast.worker, name=" Sam Jones ", email="Sam@Example.test"),
        cast.coordinator)
    assert not signed_out
    assert (cast.worker.name, cast.worker.email) == ("Sam Jones", "sam@example.test")
    assert cast.worker.session_token == token


def test_it_signs_out_a_user_moved_to_another_organisation(
    cast: Cast, db: Session
) -> None:
    token = cast.worker.session_token
    signed_out = ops.update_user(
        db, cast.worker, details_of(cast.worker, organisation_id=cast.other_provider.id),
        cast.coordinator)
    assert signed_out
    assert cast.worker.organisation is cast.other_provider
    assert cast.worker.session_token != token


def test_it_signs_out_a_user_given_a_new_role(
    cast: Cast, db: Session
) -> None:
    token = cast.worker.session_token
    assert ops.update_user(db, cast.worker, details_of(cast.worker, role="provider_manager"),
                           cast.coordinator)
    assert cast.worker.role == Role.PROVIDER_MANAGER
    assert cast.worker.session_token != token


def test_it_refuses_another_accounts_email_but_not_its_own_when_editing(
    cast: Cast, db: Session
) -> None:
    ops.update_user(db, cast.worker, details_of(cast.worker, email="WORKER@example.test"),
                    cast.coordinator)
    with pytest.raises(InvalidInput) as caught:
        ops.update_user(db, cast.worker, details_of(cast.worker, email="Manager@example.test"),
                        cast.coordinator)
    assert caught.value.errors == {
        "email": "An account with the email address manager@example.test already exists"}
    assert cast.worker.email == "worker@example.test"


def test_it_keeps_roles_in_organisations_they_fit_when_editing(
    cast: Cast, db: Session
) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.update_user(db, cast.staff, details_of(cast.staff, organisation_id=cast.provider.id),
                        cast.coordinator)
    assert caught.value.errors == {
        "organisation_id": "School staff accounts must belong to a school"}
    assert cast.staff.organisation_id == cast.school.organisation_id


def test_it_stops_a_coordinator_removing_their_own_coordinator_role(
    cast: Cast, db: Session
) -> None:
    with pytest.raises(InvalidInput) as caught:
        ops.update_user(db, cast.coordinator,
                        details_of(cast.coordinator, role="school_staff",
                                   organisation_id=cast.school.organisation_id),
                        cast.coordinator)
    assert caught.value.errors == {"role": "You cannot remove your own coordinator role"}
    assert cast.coordinator.role == Role.COORDINATOR


def test_it_lists_deactivated_accounts_among_users(
    cast: Cast, db: Session
) -> None:
    ops.deactivate_user(cast.worker, cast.coordinator)
    db.flush()
    assert cast.worker in ops.list_users(db, cast.provider.id)
    assert db.get(User, cast.worker.id) is cast.worker
