"""Places: an address with WGS84 and British National Grid coordinates."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from routing.geo import Place
from services.db import Base


class Location(Base):
    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    latitude: Mapped[float]
    longitude: Mapped[float]
    # BNG metres: distances and service areas are computed in this planar CRS.
    easting: Mapped[float]
    northing: Mapped[float]

    def __repr__(self) -> str:
        return f"<Location {self.id} {self.postcode}>"


def place_location(
    place: Place, *, address: str, name: str | None = None, location: Location | None = None
) -> Location:
    """``location`` (a new Location when None) set to the geocoded ``place``.

    The one way a location gets its coordinates, so a postcode is always
    stored with the WGS84 and British National Grid figures of the same place.
    """
    location = location if location is not None else Location()
    location.name = name
    location.address = address.strip()
    location.postcode = place.postcode
    location.latitude, location.longitude = place.latitude, place.longitude
    location.easting, location.northing = place.easting, place.northing
    return location
