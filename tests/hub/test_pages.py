"""Each page once through HTTP, with who may see it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Cast, login, make_service


def _search(client: FlaskClient, **fields: object) -> str:
    data = {"postcode": "BL1 1SE", "needs": ["MHW"], "age": "9",
            "radius": "5", "mode": ""}
    data.update(fields)
    response = client.post("/search", data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_it_search_ranks_services_with_distance_capacity_and_reasons(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    near = make_service(db, cast.provider, name="Mind Matters Bolton", postcode="BL1 1SE",
                        free_places=3)
    make_service(db, cast.provider, name="Far Away Counselling", postcode="BL0 0AA")
    make_service(db, cast.provider, name="Teen Only Service", min_age=13, max_age=18)
    db.commit()
    login(client, cast.staff)
    page = _search(client)
    assert "Mind Matters Bolton" in page
    assert "3 places free" in page
    assert "Teen Only Service" not in page.split("left out")[0]
    assert "miles" in page
    assert f"/services/{near.id}" in page


def test_it_search_keeps_what_was_typed_when_the_postcode_is_unknown(
    client: FlaskClient, cast: Cast
) -> None:
    login(client, cast.staff)
    page = _search(client, postcode="ZZ9 9ZZ", age="7")
    assert "We could not find that postcode" in page
    assert 'value="ZZ9 9ZZ"' in page
    assert 'value="7"' in page


def test_it_search_says_the_location_is_approximate_for_an_unknown_full_postcode(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="Mind Matters Bolton")
    db.commit()
    login(client, cast.staff)
    page = _search(client, postcode="bl11aa")
    assert "approximate" in page
    assert "BL1 1AA" in page


def test_it_search_by_school_shows_a_badge_for_services_at_that_school(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="School Nurse Drop-in", hubs=(cast.school,),
                 modes=("school_hub",), postcode=None)
    db.commit()
    login(client, cast.staff)
    page = _search(client, school_id=str(cast.school.id), postcode="")
    assert "School Nurse Drop-in" in page
    assert f"At {cast.school.name}" in page


def test_it_search_asks_for_a_postcode_or_a_school_and_keeps_the_needs_chosen(
    client: FlaskClient, cast: Cast
) -> None:
    login(client, cast.staff)
    page = _search(client, postcode="  ", needs=["MHW", "SEND"])
    assert "Enter the family&#39;s postcode or choose the child&#39;s school" in page
    assert page.count("checked") >= 2


def test_it_search_with_a_postcode_and_a_school_measures_from_home_and_marks_the_school(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="School Nurse Drop-in", hubs=(cast.school,),
                 modes=("school_hub",), postcode="BL1 1SE")
    db.commit()
    login(client, cast.staff)
    page = _search(client, school_id=str(cast.school.id))
    assert f"At {cast.school.name}" in page
    assert "miles away" in page


def test_it_search_lists_the_ten_best_and_shows_more_of_one_need_on_request(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    for n in range(12):
        make_service(db, cast.provider, name=f"Counselling {n:02d}", free_places=n + 1)
    make_service(db, cast.provider, name="Homework Club", needs=("ACTIVITY",))
    db.commit()
    login(client, cast.staff)
    card = '<div class="hub-result">'
    short = _search(client, needs=["MHW", "ACTIVITY"])
    assert short.count(card) == 10 + 1
    assert "12 services found, the best 10 shown" in short
    assert 'name="more" value="MHW"' in short
    assert 'name="more" value="ACTIVITY"' not in short  # its one service is listed
    full = _search(client, needs=["MHW", "ACTIVITY"], more="MHW")
    assert full.count(card) == 12 + 1
    assert 'name="more"' not in full
    assert "Homework Club" in full


def test_it_a_capacity_update_shows_in_the_next_search(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, name="Mind Matters Bolton", free_places=2)
    db.commit()
    login(client, cast.staff)
    assert "2 places free" in _search(client)
    provider = client.application.test_client()
    login(provider, cast.worker)
    response = provider.post("/provider/services", data={
        f"accepting-{service.id}": "yes", f"free_places-{service.id}": "7",
        f"waitlist_length-{service.id}": "0", f"typical_wait_days-{service.id}": "5",
    })
    assert response.status_code == 302
    assert "7 places free" in _search(client)


def test_it_the_capacity_page_keeps_bad_figures_and_explains(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    db.commit()
    login(client, cast.worker)
    response = client.post("/provider/services", data={
        f"accepting-{service.id}": "yes", f"free_places-{service.id}": "-2",
        f"waitlist_length-{service.id}": "0", f"typical_wait_days-{service.id}": "",
    })
    page = response.get_data(as_text=True)
    assert "Enter 0 or more" in page
    assert 'value="-2"' in page


def test_it_a_provider_only_sees_its_own_services_on_the_capacity_page(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="Ours")
    make_service(db, cast.other_provider, name="Theirs")
    db.commit()
    login(client, cast.worker)
    page = client.get("/provider/services").get_data(as_text=True)
    assert "Ours" in page and "Theirs" not in page


def test_it_a_provider_cannot_edit_another_organisations_service(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    theirs = make_service(db, cast.other_provider)
    ours = make_service(db, cast.provider)
    db.commit()
    login(client, cast.manager)
    assert client.get(f"/provider/services/{theirs.id}/edit").status_code == 403
    assert client.get(f"/provider/services/{ours.id}/edit").status_code == 200


def test_it_school_staff_cannot_reach_provider_pages(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.staff)
    assert client.get("/provider/services").status_code == 403
    assert client.get("/provider/services/new").status_code == 403


def test_it_a_provider_worker_cannot_add_services(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.worker)
    assert client.get("/provider/services/new").status_code == 403


def test_it_offers_adding_a_service_only_to_whoever_may_add_one(
    app: Flask, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider)
    db.commit()
    for user, offered in ((cast.manager, True), (cast.worker, False),
                          (cast.coordinator, False)):
        client = app.test_client()
        login(client, user)
        page = client.get("/provider/services").get_data(as_text=True)
        assert ('href="/provider/services/new"' in page) is offered, user.email
        assert (client.get("/provider/services/new").status_code == 200) is offered


def test_it_editing_a_service_keeps_what_was_typed_on_error(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    db.commit()
    login(client, cast.manager)
    response = client.post(f"/provider/services/{service.id}/edit", data={
        "name": "Renamed service", "description": "Still helps.", "needs": ["MHW"],
        "min_age": "12", "max_age": "4", "delivery_modes": ["venue"],
        "venue_postcode": "BL1 1SE", "referral_route": "system", "cost": "Free",
        "languages": "English", "service_area": "{broken",
    })
    page = response.get_data(as_text=True)
    assert "Oldest age must be the same as or more than the youngest age" in page
    assert 'value="Renamed service"' in page


def test_it_the_service_page_shows_what_a_referrer_needs(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, name="Mind Matters Bolton", hubs=(cast.school,))
    db.commit()
    login(client, cast.staff)
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    for text in ("Mind Matters Bolton", "Accepting referrals", "Free places", cast.school.name,
                 "Referral through Family Hub"):
        assert text in page
    assert client.get("/services/999999").status_code == 404
