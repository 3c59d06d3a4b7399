"""Postcode to place, from the gazetteer tables, with an optional online fallback."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from routing.gazetteer.models import GazetteerDistrict, GazetteerPostcode
from routing.geo import Place, PostcodeError, UnknownPostcode, normalise_postcode, outcode_of
from services.errors import InvalidInput

# Given a normalised postcode, returns (latitude, longitude) or None. Used only
# when the gazetteer lacks a full postcode and the online geocoder is enabled.
OnlineGeocoder = Callable[[str], tuple[float, float] | None]


class KnownPlaces:
    """Places of full postcodes already read from the gazetteer, each kept ``ttl`` seconds.

    A search places the family's postcode on every request, and on PostgreSQL each
    read is a round trip; a postcode's place is reference data (Code-Point Open,
    replaced by an import a few times a year), so a worker keeps what it read for an
    hour at most: after an import a place may be an hour old, and never wrong by more
    than the centroid moved. Only rows read from the table are kept, never the online
    geocoder's answers nor district centroids. At ``size`` entries it starts again.
    The web layer keeps one per app (hub.caches).
    """

    def __init__(self, ttl: float = 3600.0, size: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._size, self._clock = ttl, size, clock
        self._places: dict[str, tuple[Place, float]] = {}

    def get(self, postcode: str) -> Place | None:
        found = self._places.get(postcode)
        if found is None or found[1] <= self._clock():
            return None
        return found[0]

    def keep(self, place: Place) -> None:
        if len(self._places) >= self._size:
            self._places = {}
        self._places[place.postcode] = (place, self._clock() + self._ttl)


def geocode(session: Session, text: str, online: OnlineGeocoder | None = None,
            known: KnownPlaces | None = None) -> Place:
    """Place a postcode typed by a user.

    Exact postcodes come from the gazetteer; otherwise the online geocoder (if
    any) is asked and its answer cached; otherwise the district centroid is
    returned with ``approximate=True``. Raises InvalidPostcode or
    OutsideGreatBritain for malformed input, UnknownPostcode when even the
    district is unknown.
    """
    postcode = normalise_postcode(text)
    place = known.get(postcode) if known is not None else None
    if place is not None:
        return place
    row = session.get(GazetteerPostcode, postcode)
    if row is not None:
        place = Place(postcode, row.latitude, row.longitude, row.easting, row.northing)
        if known is not None:
            known.keep(place)
        return place
    if online is not None:
        found = online(postcode)
        if found is not None:
            from routing.geo import wgs84_to_bng

            easting, northing = wgs84_to_bng(*found)
            session.add(
                GazetteerPostcode(
                    postcode=postcode,
                    outcode=outcode_of(postcode),
                    easting=easting,
                    northing=northing,
                    latitude=found[0],
                    longitude=found[1],
                    source="nominatim",
                )
            )
            return Place(postcode, found[0], found[1], easting, northing)
    district = session.get(GazetteerDistrict, outcode_of(postcode))
    if district is None:
        raise UnknownPostcode
    return Place(
        postcode,
        district.latitude,
        district.longitude,
        district.easting,
        district.northing,
        approximate=True,
    )


def place_postcode(
    session: Session, text: str, field: str, online: OnlineGeocoder | None = None,
    known: KnownPlaces | None = None,
) -> Place:
    """The place of a postcode a user typed into form field ``field``: the one check
    the search and the referral form share, so both say the same about the same input.

    Raises InvalidInput keyed by ``field`` with the message for a malformed, non-British
    or unknown postcode.
    """
    try:
        return geocode(session, text, online, known)
    except PostcodeError as error:
        raise InvalidInput({field: str(error)}) from None
