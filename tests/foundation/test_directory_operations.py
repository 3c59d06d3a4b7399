"""Directory operations below HTTP: capacity and service listings."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from hub.providers.operations import CapacityRow, ServiceInput, save_service, update_capacities
from services.capacity_ops import update_capacity
from services.errors import InvalidInput
from services.version import current_version
from tests.factories import Cast, make_service

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


def test_it_refuses_negative_capacity(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider)
    with pytest.raises(InvalidInput) as error:
        update_capacity(db, service, accepting=True, free_places=-1, waitlist_length=0,
                        typical_wait_days=None, user_id=None, user_name="x")
    assert error.value.errors == {"free_places": "Free places must be 0 or more"}


def test_updating_capacity_records_who_and_bumps_the_directory_version(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=1)
    before = current_version(db)
    update_capacity(db, service, accepting=True, free_places=4, waitlist_length=2,
                    typical_wait_days=10, user_id=cast.worker.id, user_name="Sam, NHS")
    db.commit()
    assert service.capacity is not None
    assert (service.capacity.free_places, service.capacity.updated_by_id) == (4, cast.worker.id)
    assert current_version(db) == before + 1


def test_a_capacity_table_with_one_bad_row_saves_nothing(db: Session, cast: Cast) -> None:
    first = make_service(db, cast.provider, free_places=1)
    second = make_service(db, cast.provider, free_places=1)
    db.commit()
    rows = {
        first.id: CapacityRow(True, "5", "0", ""),
        second.id: CapacityRow(True, "three", "0", ""),
    }
    with pytest.raises(InvalidInput) as error:
        update_capacities(db, [first, second], rows, cast.worker.id, "Sam")
    assert error.value.errors == {f"free_places-{second.id}": "Enter a whole number, like 3"}
    db.rollback()
    db.refresh(first)
    assert first.capacity is not None and first.capacity.free_places == 1
