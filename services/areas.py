"""Service areas: GeoJSON polygons in WGS84, checked with shapely."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity


class AreaError(ValueError):
    """Raised for GeoJSON we cannot use as a service area; the message is for the user."""


def parse_area(text: str) -> dict[str, Any] | None:
    """Parse and check a service area typed or pasted by a user.

    Accepts a GeoJSON Polygon or MultiPolygon, or a Feature or one-feature
    FeatureCollection holding one. Blank means "no area limit" (None).
    Raises AreaError with a message that says what is wrong.
    """
    if not text or not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AreaError(f"The service area is not valid JSON (line {error.lineno})") from None
    return check_area(data)


def check_area(data: Any) -> dict[str, Any]:
    """Return the geometry part of GeoJSON data; raises AreaError if unusable."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise AreaError("The service area must hold exactly one polygon feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise AreaError("The service area must be a GeoJSON Polygon or MultiPolygon")
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        raise AreaError("The service area's coordinates are not a valid polygon") from None
    if geometry.is_empty:
        raise AreaError("The service area is empty")
    if not geometry.is_valid:
        raise AreaError(f"The service area is not a valid polygon: {explain_validity(geometry)}")
    minx, miny, maxx, maxy = geometry.bounds
    # GB lies within these longitudes and latitudes; anything else is usually
    # swapped coordinates (GeoJSON is longitude first) or the wrong CRS.
    if not (minx >= -9 and maxx <= 3 and miny >= 49 and maxy <= 61):
        raise AreaError(
            "The service area is not in Great Britain. GeoJSON lists longitude first, "
            "in WGS84 degrees"
        )
    return {"type": data["type"], "coordinates": data["coordinates"]}


@lru_cache(maxsize=1)
def _wgs84_to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def area_to_bng(area: dict[str, Any]) -> BaseGeometry:
    """The area as a shapely geometry in British National Grid metres."""
    return shapely.transform(shape(area), _wgs84_to_bng().transform, interleaved=False)
