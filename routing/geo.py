"""Postcodes and coordinates: pure functions, no database.

Distances are computed on the British National Grid (EPSG:27700), a planar
projection in metres, so a distance is one square root and service areas can
be tested with plain planar geometry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_WHITESPACE = re.compile(r"\s+")
_AREA = re.compile(r"[A-Z]*")
# Postcode areas of the UK and Crown dependencies outside Great Britain:
# Northern Ireland, Guernsey, Jersey and the Isle of Man. Open GB data has none.
NON_GB_AREAS = frozenset({"BT", "GY", "JE", "IM"})


class PostcodeError(ValueError):
    """Base class for postcodes we cannot place; ``str(error)`` is the user's message."""


class InvalidPostcode(PostcodeError):
    def __init__(self) -> None:
        super().__init__("Enter a full UK postcode, like BL1 1SE")


class OutsideGreatBritain(PostcodeError):
    def __init__(self) -> None:
        super().__init__(
            "That postcode is outside Great Britain. This directory covers England only"
        )


class UnknownPostcode(PostcodeError):
    def __init__(self) -> None:
        super().__init__("We could not find that postcode. Check it and try again")


# Feeds repeat postcodes and an import normalises each several times: remembered.
@lru_cache(maxsize=65536)
def normalise_postcode(text: str) -> str:
    """'bl11aa' -> 'BL1 1AA'. Raises InvalidPostcode or OutsideGreatBritain."""
    compact = _WHITESPACE.sub("", text or "").upper()
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidPostcode
    if postcode_area(match.group(1)) in NON_GB_AREAS:
        raise OutsideGreatBritain
    return f"{match.group(1)} {match.group(2)}"


def outcode_of(postcode: str) -> str:
    """The district part of a normalised postcode: 'BL1 1AA' -> 'BL1'."""
    return postcode.split(" ", 1)[0]


def postcode_area(outcode: str) -> str:
    """The letters that open a postcode: 'BL1' -> 'BL', 'M14' -> 'M'."""
    return _AREA.match(outcode.upper()).group(0)  # type: ignore[union-attr]


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


@lru_cache(maxsize=1)
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def bng_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """Return (latitude, longitude) for a British National Grid point."""
    lon, lat = _to_wgs84().transform(easting, northing)
    return round(lat, 6), round(lon, 6)


def wgs84_to_bng(latitude: float, longitude: float) -> tuple[float, float]:
    """Return (easting, northing) in metres for a WGS84 point."""
    easting, northing = _to_bng().transform(longitude, latitude)
    return round(easting, 1), round(northing, 1)


@dataclass(frozen=True)
class Place:
    """A geocoded postcode. ``approximate`` when only its district was known."""

    postcode: str
    latitude: float
    longitude: float
    easting: float
    northing: float
    approximate: bool = False
