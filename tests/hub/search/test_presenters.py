"""The results map: each service's pin is at its place nearest the family."""

from __future__ import annotations

import math

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from hub.caches import snapshot_cache
from hub.search.operations import SearchCriteria, search_services
from hub.search.presenters import map_points
from routing.geo import bng_to_wgs84
from tests.factories import Cast, make_service


def test_it_pins_a_service_at_the_place_whose_distance_the_list_shows(
        app: Flask, db: Session, cast: Cast) -> None:
    # The venue comes first in the service's places but is the far one.
    service = make_service(db, cast.provider, name="Venue far, hub near", postcode="BL4 7BE",
                           hubs=(cast.school,))
    db.commit()
    outcome = search_services(
        db, snapshot_cache(app).get(db).index(),
        SearchCriteria(need_codes=("MHW",), postcode="BL2 2JU", radius_miles=None))
    match = outcome.result.needs[0].matches[0]
    assert match.service.id == service.id
    assert outcome.place is not None and match.distance_m is not None
    hub = cast.school.location
    venue = service.location
    assert venue is not None
    home = (outcome.place.easting, outcome.place.northing)
    assert match.distance_m == pytest.approx(math.dist(home, (hub.easting, hub.northing)))
    assert match.distance_m < math.dist(home, (venue.easting, venue.northing))

    pins = [point for point in map_points(outcome) if point.get("id") == service.id]

    assert [(pin["lat"], pin["lon"]) for pin in pins] == [bng_to_wgs84(hub.easting, hub.northing)]
