"""Gazetteer tables: every known postcode, and each district's centroid."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class GazetteerPostcode(Base):
    __tablename__ = "gazetteer_postcode"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    outcode: Mapped[str] = mapped_column(String(4), index=True)
    easting: Mapped[float]
    northing: Mapped[float]
    latitude: Mapped[float]
    longitude: Mapped[float]
    # codepoint, onspd, nominatim: where the figure came from.
    source: Mapped[str] = mapped_column(String(20))


class GazetteerDistrict(Base):
    """Mean position of a district's postcodes: the fallback for an unknown postcode."""

    __tablename__ = "gazetteer_district"

    outcode: Mapped[str] = mapped_column(String(4), primary_key=True)
    easting: Mapped[float]
    northing: Mapped[float]
    latitude: Mapped[float]
    longitude: Mapped[float]
    postcodes: Mapped[int]
