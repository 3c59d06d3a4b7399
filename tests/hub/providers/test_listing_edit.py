"""Editing a listing: saved unchanged, it stays exactly as it was, each school's own
days included; a new school is only requested until the school agrees."""

from __future__ import annotations

from html.parser import HTMLParser

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from services.listings import Service
from tests.factories import Cast, login, make_school, make_service


class FormFields(HTMLParser):
    """What a browser submits for the page's service form, as the page filled it in."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method") == "post" and "action" not in a:
            self._in_form = True
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def _submitted(page: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(page)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        # A textarea's first newline is the browser's to drop, as it does.
        data.setdefault(name, []).append(value.removeprefix("\n"))
    return data


def _state(db: Session, service: Service) -> tuple[object, ...]:
    db.expire_all()
    return (service.name, service.description, service.need_codes, service.min_age,
            service.max_age, service.delivery_modes, service.languages, service.opening_times,
            service.referral_route, service.service_area,
            sorted((hub.school_id, tuple(hub.days), hub.agreed) for hub in service.hubs))


def test_it_saving_a_listing_unchanged_keeps_each_schools_own_days(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    """The mental health support team's Wed/Tue/Mon/Thu at four schools became
    Wednesday at all four when the listing was saved unchanged."""
    schools = [cast.school, cast.other_school, make_school(db, "Oak Primary"),
               make_school(db, "Elm Primary")]
    service = make_service(db, cast.provider, modes=("school_hub",), postcode=None,
                           hubs=tuple(schools))
    for hub, day in zip(sorted(service.hubs, key=lambda h: h.school.name),
                        ("Wednesday", "Tuesday", "Monday", "Thursday"), strict=True):
        hub.days = [day]
    db.commit()
    before = _state(db, service)
    login(client, cast.manager)
    page = client.get(f"/provider/services/{service.id}/edit").get_data(as_text=True)
    response = client.post(f"/provider/services/{service.id}/edit", data=_submitted(page))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _state(db, service) == before
    days = {hub.school.name: hub.days for hub in service.hubs}
    assert sorted(map(tuple, days.values())) == [("Monday",), ("Thursday",), ("Tuesday",),
                                                 ("Wednesday",)]


def test_it_changes_one_schools_days_and_gives_a_new_school_the_new_days(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, modes=("school_hub",), postcode=None,
                           hubs=(cast.school,), hub_days=("Wednesday",))
    db.commit()
    login(client, cast.manager)
    data = _submitted(client.get(f"/provider/services/{service.id}/edit").get_data(
        as_text=True))
    data[f"hub_days-{cast.school.id}"] = ["Monday", "Friday"]
    data["hubs"] = [str(cast.school.id), str(cast.other_school.id)]
    data["hub_days"] = ["Thursday"]
    assert client.post(f"/provider/services/{service.id}/edit", data=data).status_code == 302
    db.expire_all()
    hubs = {hub.school_id: (hub.days, hub.agreed) for hub in service.hubs}
    assert hubs == {cast.school.id: (["Monday", "Friday"], True),
                    cast.other_school.id: (["Thursday"], False)}
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert f"{cast.other_school.name} (Thursday) \u2013 requested, waiting for the school" in page
    edit = client.get(f"/provider/services/{service.id}/edit").get_data(as_text=True)
    assert "Requested: waiting for the school to agree" in edit


def test_it_a_coordinator_listing_a_school_agrees_for_it(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, modes=("school_hub",), postcode=None,
                           hubs=(cast.school,))
    db.commit()
    login(client, cast.coordinator)
    data = _submitted(client.get(f"/provider/services/{service.id}/edit").get_data(
        as_text=True))
    data["hubs"] = [str(cast.school.id), str(cast.other_school.id)]
    assert client.post(f"/provider/services/{service.id}/edit", data=data).status_code == 302
    db.expire_all()
    assert all(hub.agreed for hub in service.hubs) and len(service.hubs) == 2


def test_it_keeps_facts_left_not_stated_unknown_when_saved_and_lists_them_so(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    unknown = make_service(db, cast.provider, min_age=None, max_age=None, cost=None,
                           modes=(), languages=())
    stated = make_service(db, cast.provider, min_age=3, max_age=9, cost="£2 a week",
                          modes=("online", "venue"), languages=("Urdu",))
    db.commit()
    login(client, cast.manager)
    for service in (unknown, stated):
        before = (_state(db, service), service.cost)
        page = client.get(f"/provider/services/{service.id}/edit").get_data(as_text=True)
        response = client.post(f"/provider/services/{service.id}/edit",
                               data=_submitted(page))
        assert response.status_code == 302, response.get_data(as_text=True)
        # Nothing filled in with a guess, and nothing the provider entered replaced.
        assert (_state(db, service), service.cost) == before
    assert (unknown.min_age, unknown.max_age, unknown.cost, unknown.delivery_modes,
            unknown.languages) == (None, None, None, [], [])
    new_form = client.get("/provider/services/new").get_data(as_text=True)
    assert _submitted(new_form).get("languages") == [""]
    assert _submitted(new_form).get("cost") == [""]
    listing = client.get("/provider/services").get_data(as_text=True)
    assert ("Ages: Not stated · Cost: Not stated · Delivered: Not stated · "
            "Languages: Not stated") in listing
    assert ("Ages: 3 to 9 years · Cost: £2 a week · Delivered: At a venue, Online · "
            "Languages: Urdu") in listing
