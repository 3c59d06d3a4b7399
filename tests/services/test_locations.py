"""The one way a location gets its coordinates: from a geocoded place."""

from __future__ import annotations

from routing.geo import Place
from services.locations import Location, place_location

PLACE = Place("BL1 1SE", 53.578, -2.431, 371500.0, 409200.0)


def test_it_makes_a_location_with_the_places_coordinates() -> None:
    location = place_location(PLACE, address=" Le Mans Crescent ", name="Central Library")
    assert (location.name, location.address, location.postcode) == (
        "Central Library", "Le Mans Crescent", "BL1 1SE"
    )
    assert (location.latitude, location.longitude) == (53.578, -2.431)
    assert (location.easting, location.northing) == (371500.0, 409200.0)


def test_it_moves_an_existing_location_rather_than_making_another() -> None:
    existing = Location(name="Old", address="Old Street", postcode="BL2 2JU", latitude=0.0,
                        longitude=0.0, easting=0.0, northing=0.0)
    moved = place_location(PLACE, address="New Street", location=existing)
    assert moved is existing
    assert (moved.name, moved.address, moved.postcode, moved.easting) == (
        None, "New Street", "BL1 1SE", 371500.0
    )
