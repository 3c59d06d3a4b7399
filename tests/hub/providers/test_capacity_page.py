"""The capacity page: Save dates only edited rows; "Still right" confirms figures."""

from __future__ import annotations

from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from services.listings import Service
from tests.clock import MovableClock
from tests.factories import Cast, login, make_service

NOW = datetime(2026, 11, 30, 10, 0)


def _form(*services: Service, **changes: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for service in services:
        capacity = service.capacity
        assert capacity is not None
        data |= {f"accepting-{service.id}": "yes" if capacity.accepting else "",
                 f"free_places-{service.id}": str(capacity.free_places),
                 f"waitlist_length-{service.id}": str(capacity.waitlist_length),
                 f"typical_wait_days-{service.id}": str(capacity.typical_wait_days or "")}
    return data | changes


def _updated(db: Session, service: Service) -> datetime:
    db.expire_all()
    assert service.capacity is not None
    return service.capacity.updated_at


def test_it_a_save_with_no_edits_leaves_every_figure_as_old_as_it_was(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    services = [make_service(db, cast.provider, updated_days_ago=9) for _ in range(3)]
    db.commit()
    before = [_updated(db, s) for s in services]
    clock.set(NOW)
    login(client, cast.coordinator)
    response = client.post("/provider/services", data=_form(*services, confirm=""),
                           follow_redirects=True)
    assert "Nothing changed: no figures were edited or confirmed." in response.get_data(
        as_text=True)
    assert [_updated(db, s) for s in services] == before


def test_it_still_right_confirms_one_row_and_all_confirms_every_row(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    first, second = (make_service(db, cast.provider, updated_days_ago=9) for _ in range(2))
    db.commit()
    kept = _updated(db, second)
    clock.set(NOW)
    login(client, cast.worker)
    page = client.get("/provider/services").get_data(as_text=True)
    assert f'name="confirm" value="{first.id}"' in page
    assert "All these figures are still right" in page
    response = client.post("/provider/services", data=_form(first, second,
                                                             confirm=str(first.id)),
                           follow_redirects=True)
    assert "Figures confirmed as still right for 1 service." in response.get_data(as_text=True)
    assert (_updated(db, first), _updated(db, second)) == (NOW, kept)
    response = client.post("/provider/services", data=_form(
        first, second, confirm="all", **{f"free_places-{second.id}": "0"}),
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "New figures saved for 1 service. Figures confirmed as still right for 1 service." \
        in text
    assert second.capacity is not None and second.capacity.free_places == 0


def test_it_ignores_a_confirm_value_that_is_no_row(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, updated_days_ago=9)
    db.commit()
    before = _updated(db, service)
    login(client, cast.worker)
    for value in ("99999999999999999999", "-1", "x"):
        response = client.post("/provider/services", data=_form(service, confirm=value))
        assert response.status_code == 302
    assert _updated(db, service) == before


def test_it_shows_a_figure_past_the_limits_beside_its_field_and_keeps_what_was_typed(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=2)
    db.commit()
    login(client, cast.worker)
    response = client.post("/provider/services", data=_form(
        service, confirm="", **{f"free_places-{service.id}": "20000"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (f'<p class="govuk-error-message" id="free_places-{service.id}-error">'
            '<span class="govuk-visually-hidden">Error:</span> '
            'Free places must be 10,000 or fewer</p>') in page
    assert f'href="#free_places-{service.id}"' in page
    assert f'id="free_places-{service.id}" name="free_places-{service.id}" type="text" ' \
           'inputmode="numeric" value="20000"' in page
    assert _updated(db, service) is not None and service.capacity is not None
    assert service.capacity.free_places == 2


def test_it_saves_the_table_not_a_rows_still_right_when_enter_is_pressed(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    # Enter in a field submits the form's first submit button: it must be "Save
    # changes", not the first row's "Still right", or Enter dates that row today.
    make_service(db, cast.provider)
    db.commit()
    login(client, cast.worker)
    page = client.get("/provider/services").get_data(as_text=True)
    form = page[page.index('<form method="post" novalidate>'):]
    first_button = form[form.index("<button"):]
    first_button = first_button[:first_button.index(">")]
    assert 'name="confirm" value=""' in first_button


def test_it_the_coordinator_sees_every_service_and_cannot_vouch_for_them_all_at_once(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    ours = make_service(db, cast.provider, updated_days_ago=9)
    theirs = make_service(db, cast.other_provider, updated_days_ago=9)
    db.commit()
    before = [_updated(db, ours), _updated(db, theirs)]
    clock.set(NOW)
    login(client, cast.coordinator)
    page = client.get("/provider/services").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Every service and its capacity</h1>" in page
    assert "Our services and capacity" not in page
    assert "All these figures are still right" not in page
    response = client.post("/provider/services", data=_form(ours, theirs, confirm="all"),
                           follow_redirects=True)
    assert "Nothing changed: no figures were edited or confirmed." in response.get_data(
        as_text=True)
    assert [_updated(db, ours), _updated(db, theirs)] == before
    # One row the provider confirmed by phone can still be marked.
    client.post("/provider/services", data=_form(ours, theirs, confirm=str(theirs.id)))
    assert [_updated(db, ours), _updated(db, theirs)] == [before[0], NOW]
