"""Saving a listing below HTTP: validation, geocoding, hubs and service areas."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from services.errors import InvalidInput
from services.listing_ops import ServiceInput, save_service
from tests.factories import Cast

BOLTON_SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-2.6, 53.5], [-2.3, 53.5], [-2.3, 53.65], [-2.6, 53.65], [-2.6, 53.5]]],
}


def _input(**changes: object) -> ServiceInput:
    values: dict[str, object] = {
        "name": "Wellbeing drop-in",
        "description": "Talk to a mental health practitioner.",
        "need_codes": ["MHW.ANX"],
        "min_age": 5,
        "max_age": 11,
        "delivery_modes": ["venue", "school_hub"],
        "venue_postcode": "bl11se",
        "hub_school_ids": [],
    }
    values.update(changes)
    return ServiceInput(**values)  # type: ignore[arg-type]


def test_it_creates_a_service_geocoding_its_venue(db: Session, cast: Cast) -> None:
    service = save_service(
        db, None, cast.provider.id,
        _input(hub_school_ids=[cast.school.id], hub_days=["Tuesday"],
               service_area_text=json.dumps(BOLTON_SQUARE), service_area_name="Bolton"),
    )
    db.commit()
    assert service.location is not None and service.location.postcode == "BL1 1SE"
    assert service.need_codes == ["MHW.ANX"]
    assert [(h.school_id, h.days) for h in service.hubs] == [(cast.school.id, ["Tuesday"])]
    assert service.service_area == BOLTON_SQUARE


def test_it_refuses_an_inverted_age_range(db: Session, cast: Cast) -> None:
    with pytest.raises(InvalidInput) as error:
        save_service(db, None, cast.provider.id, _input(min_age=12, max_age=5,
                                                        hub_school_ids=[cast.school.id]))
    assert "max_age" in error.value.errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "Point", "coordinates": [-2.4, 53.5]}', "Polygon or MultiPolygon"),
        ('{"type": "Polygon", "coordinates": [[[53.5, -2.6], [53.5, -2.3], [53.6, -2.3], '
         '[53.5, -2.6]]]}', "not in Great Britain"),
        ('{"type": "Polygon", "coordinates": [[[-2.6, 53.5], [-2.3, 53.65], [-2.3, 53.5], '
         '[-2.6, 53.65], [-2.6, 53.5]]]}', "not a valid polygon"),
    ],
)
def test_it_explains_why_a_service_area_is_unusable(
    db: Session, cast: Cast, text: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        save_service(db, None, cast.provider.id,
                     _input(service_area_text=text, hub_school_ids=[cast.school.id]))
    assert message in error.value.errors["service_area"]


def test_it_refuses_a_venue_postcode_outside_great_britain(db: Session, cast: Cast) -> None:
    with pytest.raises(InvalidInput) as error:
        save_service(db, None, cast.provider.id,
                     _input(venue_postcode="BT1 1AA", hub_school_ids=[cast.school.id]))
    assert "outside Great Britain" in error.value.errors["venue_postcode"]


def test_it_gives_each_hub_its_own_days_when_asked(db: Session, cast: Cast) -> None:
    service = save_service(
        db, None, cast.provider.id,
        _input(hub_school_ids=[cast.school.id, cast.other_school.id], hub_days=["Friday"],
               days_by_school={cast.other_school.id: ["Monday", "Wednesday"]}),
    )
    days = {hub.school_id: hub.days for hub in service.hubs}
    assert days == {cast.school.id: ["Friday"], cast.other_school.id: ["Monday", "Wednesday"]}


def test_it_keeps_the_venues_name_unless_given_one(db: Session, cast: Cast) -> None:
    service = save_service(
        db, None, cast.provider.id,
        _input(hub_school_ids=[cast.school.id], venue_name=" Central Library ",
               venue_address="Le Mans Crescent"),
    )
    assert service.location is not None
    assert (service.location.name, service.location.address) == (
        "Central Library", "Le Mans Crescent"
    )
    save_service(db, service, cast.provider.id,
                 _input(hub_school_ids=[cast.school.id], venue_postcode="BL2 2JU"))
    assert (service.location.name, service.location.postcode) == ("Central Library", "BL2 2JU")
    save_service(db, service, cast.provider.id,
                 _input(hub_school_ids=[cast.school.id], venue_name=""))
    assert service.location.name is None


def test_it_keeps_the_stated_response_time_unless_the_form_states_it(
    db: Session, cast: Cast
) -> None:
    service = save_service(db, None, cast.provider.id,
                           _input(delivery_modes=["venue"], response_working_days=3,
                                  states_response_time=True))
    assert service.response_working_days == 3
    # An import (which does not ask) keeps what the provider said.
    save_service(db, service, cast.provider.id, _input(delivery_modes=["venue"]))
    assert service.response_working_days == 3
    save_service(db, service, cast.provider.id,
                 _input(delivery_modes=["venue"], response_working_days=None,
                        states_response_time=True))
    assert service.response_working_days is None
    with pytest.raises(InvalidInput) as refused:
        save_service(db, service, cast.provider.id,
                     _input(delivery_modes=["venue"], response_working_days=61,
                            states_response_time=True))
    assert "response_working_days" in refused.value.errors


def test_it_saves_ages_cost_ways_and_languages_left_blank_as_not_stated(
        db: Session, cast: Cast) -> None:
    service = save_service(db, None, cast.provider.id, _input(
        min_age=None, max_age=None, cost=" ", delivery_modes=[], languages=["", " "]))
    db.commit()
    assert (service.min_age, service.max_age, service.cost, service.delivery_modes,
            service.languages) == (None, None, None, [], [])
    # One bound may be stated alone; a stated range is still checked.
    one = save_service(db, None, cast.provider.id, _input(min_age=11, max_age=None,
                                                          delivery_modes=["venue"]))
    assert (one.min_age, one.max_age) == (11, None)
    with pytest.raises(InvalidInput) as error:
        save_service(db, None, cast.provider.id, _input(min_age=-1, max_age=None,
                                                        delivery_modes=["venue"]))
    assert "min_age" in error.value.errors
