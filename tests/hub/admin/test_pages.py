"""The coordinator's pages through HTTP: each reached once, errors shown next to fields."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import User
from services.organisations import Organisation, OrganisationKind
from services.schools import School
from services.taxonomy import Need
from tests.factories import PASSWORD, Cast, login, make_org


@pytest.fixture
def coordinator(client: FlaskClient, cast: Cast) -> FlaskClient:
    login(client, cast.coordinator)
    return client


def admin_pages(cast: Cast) -> list[str]:
    return [
        "/admin",
        "/admin/schools",
        "/admin/schools/new",
        f"/admin/schools/{cast.school.id}/edit",
        "/admin/organisations",
        "/admin/organisations/new",
        f"/admin/organisations/{cast.provider.id}/edit",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{cast.staff.id}",
        f"/admin/users/{cast.staff.id}/edit",
        "/admin/needs",
        "/admin/needs/new",
        "/admin/needs/MHW/edit",
    ]


def admin_posts(cast: Cast) -> list[str]:
    return [
        f"/admin/users/{cast.staff.id}/deactivate",
        f"/admin/users/{cast.staff.id}/reactivate",
        f"/admin/users/{cast.staff.id}/password",
        f"/admin/users/{cast.staff.id}/edit",
    ]


def test_it_school_staff_and_provider_users_get_403_on_every_admin_page(
    client: FlaskClient, cast: Cast, db: Session
) -> None:
    for user in (cast.staff, cast.dsl, cast.manager, cast.worker):
        login(client, user)
        for url in admin_pages(cast):
            assert client.get(url).status_code == 403, (user.role, url)
        for url in admin_posts(cast):
            assert client.post(url, data={"password": "x" * 20}).status_code == 403, url
        client.post("/logout")
    db.expire_all()
    assert db.get(User, cast.staff.id).active  # type: ignore[union-attr]


def test_it_signed_out_visitors_are_sent_to_log_in(client: FlaskClient, cast: Cast) -> None:
    response = client.get("/admin/schools")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_it_a_coordinator_can_open_every_admin_page(coordinator: FlaskClient, cast: Cast) -> None:
    for url in admin_pages(cast):
        response = coordinator.get(url)
        assert response.status_code == 200, url
        assert "govuk-" in response.get_data(as_text=True)


def test_it_unknown_objects_are_404(coordinator: FlaskClient) -> None:
    for url in ("/admin/schools/999/edit", "/admin/organisations/999/edit",
                "/admin/users/999", "/admin/needs/NOPE/edit"):
        assert coordinator.get(url).status_code == 404, url
    assert coordinator.post("/admin/users/999/deactivate").status_code == 404


def test_it_the_overview_shows_counts_and_links(coordinator: FlaskClient) -> None:
    page = coordinator.get("/admin").get_data(as_text=True)
    assert '<p class="govuk-heading-xl govuk-!-margin-bottom-2" id="count-schools">2</p>' in page
    assert 'id="count-users">7</p>' in page
    assert 'href="/admin/organisations"' in page
    assert 'href="/admin/needs"' in page


def test_it_the_schools_list_shows_urn_phase_trust_and_postcode(
    coordinator: FlaskClient, cast: Cast
) -> None:
    page = coordinator.get("/admin/schools").get_data(as_text=True)
    assert cast.school.name in page
    assert cast.school.urn in page
    assert "Secondary" in page
    assert "BL2 2JU" in page


SCHOOL = {
    "name": "Brandwood Primary School",
    "urn": "105201",
    "phase": "primary",
    "trust_id": "",
    "address": "Brandwood Street",
    "postcode": "BL1 1SE",
}


def test_it_a_coordinator_adds_a_school_in_a_trust(
    coordinator: FlaskClient, db: Session
) -> None:
    trust = make_org(db, "Bolton Learning Trust", OrganisationKind.ACADEMY_TRUST)
    db.commit()
    assert "Bolton Learning Trust" in coordinator.get("/admin/schools/new").get_data(
        as_text=True
    )
    response = coordinator.post("/admin/schools/new", data={**SCHOOL, "trust_id": trust.id})
    assert response.status_code == 302
    school = db.execute(select(School).where(School.urn == "105201")).scalar_one()
    assert school.trust_id == trust.id
    assert school.organisation.kind == OrganisationKind.SCHOOL
    page = coordinator.get("/admin/schools").get_data(as_text=True)
    assert "Brandwood Primary School saved." in page


def test_it_refuses_a_duplicate_urn_and_keeps_what_was_typed(
    coordinator: FlaskClient, cast: Cast
) -> None:
    response = coordinator.post(
        "/admin/schools/new", data={**SCHOOL, "urn": cast.school.urn}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"A school with URN {cast.school.urn} already exists" in page
    assert 'id="urn-error"' in page
    assert 'value="Brandwood Primary School"' in page
    assert 'value="Brandwood Street"' in page
    assert "There is a problem" in page


def test_it_shows_the_geocoders_message_next_to_a_bad_postcode(
    coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    response = coordinator.post("/admin/schools/new", data={**SCHOOL, "postcode": "BT1 1AA"})
    page = response.get_data(as_text=True)
    assert "That postcode is outside Great Britain" in page
    assert 'id="postcode-error"' in page
    assert 'value="BT1 1AA"' in page
    response = coordinator.post("/admin/schools/new", data={**SCHOOL, "postcode": "ZZ99 9ZZ"})
    assert "We could not find that postcode" in response.get_data(as_text=True)
    assert db.execute(select(School).where(School.urn == "105201")).first() is None


def test_it_a_postcode_only_known_by_its_district_is_saved_with_a_warning(
    coordinator: FlaskClient, cast: Cast
) -> None:
    response = coordinator.post(
        "/admin/schools/new", data={**SCHOOL, "postcode": "BL1 1AA"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "We do not know the exact postcode BL1 1AA" in page


def test_it_a_coordinator_edits_a_school(coordinator: FlaskClient, cast: Cast, db: Session) -> None:
    page = coordinator.get(f"/admin/schools/{cast.school.id}/edit").get_data(as_text=True)
    assert f'value="{cast.school.urn}"' in page
    assert 'value="BL2 2JU"' in page
    response = coordinator.post(
        f"/admin/schools/{cast.school.id}/edit",
        data={**SCHOOL, "name": "Castle Hill School", "urn": cast.school.urn,
              "postcode": "BL4 7BE"},
    )
    assert response.status_code == 302
    db.expire_all()
    school = db.get(School, cast.school.id)
    assert school is not None
    assert (school.name, school.location.postcode) == ("Castle Hill School", "BL4 7BE")
    assert school.organisation.name == "Castle Hill School"


def test_it_the_organisations_list_shows_kind_and_counts(
    coordinator: FlaskClient, cast: Cast
) -> None:
    page = coordinator.get("/admin/organisations").get_data(as_text=True)
    assert "Bolton Wellbeing NHS Trust" in page
    assert "Local authority" in page
    assert f'href="/admin/users?organisation={cast.provider.id}">2<' in page


def test_it_a_coordinator_adds_an_organisation(coordinator: FlaskClient, db: Session) -> None:
    response = coordinator.post(
        "/admin/organisations/new",
        data={"name": "Bolton Carers", "kind": "voluntary", "website": "https://carers.test",
              "email": "", "phone": ""},
    )
    assert response.status_code == 302
    org = db.execute(select(Organisation).where(Organisation.name == "Bolton Carers")).scalar_one()
    assert org.website == "https://carers.test"


def test_it_refuses_a_duplicate_organisation_name_and_keeps_what_was_typed(
    coordinator: FlaskClient, cast: Cast
) -> None:
    response = coordinator.post(
        "/admin/organisations/new",
        data={"name": "Bolton Council", "kind": "nhs", "phone": "01204 111111"},
    )
    page = response.get_data(as_text=True)
    assert "An organisation called Bolton Council already exists" in page
    assert 'id="name-error"' in page
    assert 'value="01204 111111"' in page


def test_it_a_coordinator_edits_an_organisation(
    coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    response = coordinator.post(
        f"/admin/organisations/{cast.other_provider.id}/edit",
        data={"name": "Bolton Families", "kind": "voluntary", "email": "hi@families.test"},
    )
    assert response.status_code == 302
    db.expire_all()
    org = db.get(Organisation, cast.other_provider.id)
    assert org is not None
    assert (org.name, org.email) == ("Bolton Families", "hi@families.test")


def test_it_the_users_list_filters_by_organisation(coordinator: FlaskClient, cast: Cast) -> None:
    page = coordinator.get("/admin/users").get_data(as_text=True)
    assert "staff@example.test" in page
    assert "Designated safeguarding lead" in page
    page = coordinator.get(f"/admin/users?organisation={cast.provider.id}").get_data(
        as_text=True
    )
    assert "manager@example.test" in page
    assert "worker@example.test" in page
    assert "staff@example.test" not in page


USER = {
    "name": "Priya Shah",
    "email": "priya@example.test",
    "role": "provider_worker",
    "password": "a long enough password",
}


def test_it_a_coordinator_adds_a_user_who_can_then_sign_in(
    coordinator: FlaskClient, cast: Cast, db: Session, client: FlaskClient
) -> None:
    response = coordinator.post(
        "/admin/users/new", data={**USER, "organisation_id": cast.provider.id}
    )
    assert response.status_code == 302
    user = db.execute(select(User).where(User.email == "priya@example.test")).scalar_one()
    assert user.organisation_id == cast.provider.id
    coordinator.post("/logout")
    response = client.post("/login", data={"email": "priya@example.test",
                                           "password": "a long enough password"})
    assert response.status_code == 302


def test_it_refuses_a_duplicate_email_and_keeps_what_was_typed(
    coordinator: FlaskClient, cast: Cast
) -> None:
    response = coordinator.post(
        "/admin/users/new",
        data={**USER, "email": "Worker@Example.test", "organisation_id": cast.provider.id},
    )
    page = response.get_data(as_text=True)
    assert "An account with the email address worker@example.test already exists" in page
    assert 'id="email-error"' in page
    assert 'value="Priya Shah"' in page
    assert 'value="Worker@Example.test"' in page


def test_it_refuses_a_short_password(coordinator: FlaskClient, cast: Cast) -> None:
    response = coordinator.post(
        "/admin/users/new",
        data={**USER, "password": "too short", "organisation_id": cast.provider.id},
    )
    page = response.get_data(as_text=True)
    assert "Password must be 12 characters or more" in page
    assert 'id="password-error"' in page


def test_it_refuses_a_provider_role_at_a_school(coordinator: FlaskClient, cast: Cast) -> None:
    response = coordinator.post(
        "/admin/users/new",
        data={**USER, "organisation_id": cast.school.organisation_id},
    )
    page = response.get_data(as_text=True)
    assert "Provider worker accounts must belong to an organisation that provides" in page
    assert 'id="organisation_id-error"' in page


def test_it_a_coordinator_moves_a_user_to_another_school_and_signs_them_out(
    coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    staff_client = coordinator.application.test_client()
    login(staff_client, cast.staff)
    page = coordinator.get(f"/admin/users/{cast.staff.id}/edit").get_data(as_text=True)
    assert f'value="{cast.staff.email}"' in page
    response = coordinator.post(f"/admin/users/{cast.staff.id}/edit", data={
        "name": cast.staff.name, "email": cast.staff.email, "role": "school_staff",
        "organisation_id": cast.other_school.organisation_id})
    assert response.status_code == 302
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Their access has changed, so they have been signed out." in page
    assert "Moss Lane Academy" in page
    assert staff_client.get("/search").status_code == 302  # back to log in


def test_it_editing_a_user_with_a_bad_email_keeps_what_was_typed(
    coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    response = coordinator.post(f"/admin/users/{cast.worker.id}/edit", data={
        "name": "Sam Renamed", "email": "not an email", "role": "provider_worker",
        "organisation_id": cast.provider.id})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in page
    assert 'value="Sam Renamed"' in page
    assert 'value="not an email"' in page
    db.expire_all()
    assert db.get(User, cast.worker.id).email == "worker@example.test"  # type: ignore[union-attr]


def test_it_a_coordinator_renaming_themselves_stays_signed_in(
    coordinator: FlaskClient, cast: Cast
) -> None:
    response = coordinator.post(f"/admin/users/{cast.coordinator.id}/edit", data={
        "name": "Chris Coordinator", "email": cast.coordinator.email, "role": "coordinator",
        "organisation_id": cast.council.id})
    assert response.status_code == 302
    assert coordinator.get("/admin").status_code == 200


def test_it_deactivating_a_user_signs_them_out_at_once(
    app: object, coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    staff_client = coordinator.application.test_client()
    login(staff_client, cast.staff)
    assert staff_client.get("/search").status_code == 200
    response = coordinator.post(f"/admin/users/{cast.staff.id}/deactivate")
    assert response.status_code == 302
    assert staff_client.get("/search").status_code == 302  # back to log in
    response = staff_client.post("/login", data={"email": cast.staff.email,
                                                 "password": PASSWORD})
    assert response.status_code == 200  # refused
    response = coordinator.post(f"/admin/users/{cast.staff.id}/reactivate")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, cast.staff.id).active  # type: ignore[union-attr]


def test_it_a_coordinator_cannot_deactivate_themselves(
    coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    response = coordinator.post(f"/admin/users/{cast.coordinator.id}/deactivate")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You cannot deactivate your own account" in page
    db.expire_all()
    assert db.get(User, cast.coordinator.id).active  # type: ignore[union-attr]
    assert coordinator.get("/admin").status_code == 200


def test_it_a_coordinator_resets_a_password(
    coordinator: FlaskClient, cast: Cast, client: FlaskClient
) -> None:
    response = coordinator.post(f"/admin/users/{cast.worker.id}/password",
                                data={"password": "short"})
    assert "Password must be 12 characters or more" in response.get_data(as_text=True)
    response = coordinator.post(f"/admin/users/{cast.worker.id}/password",
                                data={"password": "a fresh password for worker"})
    assert response.status_code == 302
    other = coordinator.application.test_client()
    assert other.post("/login", data={"email": cast.worker.email,
                                      "password": "a fresh password for worker"}
                      ).status_code == 302


def test_it_a_coordinator_who_resets_their_own_password_stays_signed_in(
    coordinator: FlaskClient, cast: Cast
) -> None:
    response = coordinator.post(f"/admin/users/{cast.coordinator.id}/password",
                                data={"password": "my own new password"})
    assert response.status_code == 302
    assert coordinator.get("/admin").status_code == 200


def test_it_the_taxonomy_page_shows_the_tree_with_codes(coordinator: FlaskClient) -> None:
    page = coordinator.get("/admin/needs").get_data(as_text=True)
    assert "<code>MHW</code>" in page
    assert "<code>MHW." in page


def test_it_a_coordinator_adds_a_child_need(coordinator: FlaskClient, db: Session) -> None:
    response = coordinator.post("/admin/needs/new",
                                data={"parent_code": "MHW", "suffix": "grf", "name": "Grief"})
    assert response.status_code == 302
    need = db.get(Need, "MHW.GRF")
    assert need is not None and need.name == "Grief"


def test_it_a_taken_need_code_is_shown_next_to_the_code(coordinator: FlaskClient) -> None:
    response = coordinator.post("/admin/needs/new",
                                data={"parent_code": "", "suffix": "MHW", "name": "Again"})
    page = response.get_data(as_text=True)
    assert "The code MHW is already in use" in page
    assert 'id="suffix-error"' in page
    assert 'value="Again"' in page


def test_it_a_coordinator_edits_and_retires_a_need(coordinator: FlaskClient, db: Session) -> None:
    page = coordinator.get("/admin/needs/MHW/edit").get_data(as_text=True)
    assert "checked" in page
    response = coordinator.post("/admin/needs/MHW/edit",
                                data={"name": "Mental health", "description": "Feelings"})
    assert response.status_code == 302
    db.expire_all()
    need = db.get(Need, "MHW")
    assert need is not None
    assert (need.name, need.description, need.active) == ("Mental health", "Feelings", False)


def test_it_stops_the_family_links_a_person_made_when_they_are_deactivated(
    coordinator: FlaskClient, cast: Cast, db: Session
) -> None:
    from routing.referrals import progress
    from tests.factories import make_service
    from tests.routing.referrals.helpers import issue_link, sent_referral

    referral = sent_referral(db, cast, make_service(db, cast.provider))
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    response = coordinator.post(f"/admin/users/{cast.staff.id}/deactivate")
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "1 family progress link they made stopped working." in page
    db.expire_all()
    assert progress.active_links(db, referral.child_id) == []
