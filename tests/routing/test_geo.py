"""Postcode normalisation and coordinate conversion (pure functions)."""

from __future__ import annotations

import pytest

from routing.geo import (
    InvalidPostcode,
    OutsideGreatBritain,
    bng_to_wgs84,
    normalise_postcode,
    outcode_of,
    wgs84_to_bng,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("bl11aa", "BL1 1AA"),
        (" BL1   1SE ", "BL1 1SE"),
        ("sw1a1aa", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),
    ],
)
def test_it_normalises_what_people_type(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["", "hello", "BL1", "12345", "BL1 1A"])
def test_it_rejects_text_that_is_not_a_postcode(typed: str) -> None:
    with pytest.raises(InvalidPostcode):
        normalise_postcode(typed)


@pytest.mark.parametrize("typed", ["BT1 1AA", "JE2 3AB", "GY1 1AA", "IM1 1AA"])
def test_it_says_when_a_postcode_is_outside_great_britain(typed: str) -> None:
    with pytest.raises(OutsideGreatBritain, match="outside Great Britain"):
        normalise_postcode(typed)


def test_it_takes_the_district_of_a_postcode() -> None:
    assert outcode_of("BL1 1SE") == "BL1"


def test_it_converts_bolton_central_library_to_its_published_latitude() -> None:
    # BL1 1SE: E 371540, N 409063 is 53.577385, -2.431294 (shared/geo README).
    lat, lon = bng_to_wgs84(371540, 409063)
    assert lat == pytest.approx(53.577385, abs=1e-5)
    assert lon == pytest.approx(-2.431294, abs=1e-5)


def test_it_round_trips_between_grid_and_degrees() -> None:
    easting, northing = wgs84_to_bng(*bng_to_wgs84(371540, 409063))
    assert easting == pytest.approx(371540, abs=0.5)
    assert northing == pytest.approx(409063, abs=0.5)
