"""Shape engine results for the page and its map."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hub.search.operations import SearchOutcome
from routing.engine import ServiceRecord
from routing.engine.rules import service_points
from routing.geo import bng_to_wgs84


def map_points(outcome: SearchOutcome) -> list[dict[str, Any]]:
    """One marker per matched service, at its place nearest the family (the one whose
    distance the list shows), plus the search origin."""
    points: list[dict[str, Any]] = []
    origin = _origin(outcome)
    if outcome.place is not None:
        points.append(
            {"lat": outcome.place.latitude, "lon": outcome.place.longitude,
             "label": "Family's area" if outcome.place.approximate else "Family's postcode",
             "origin": True}
        )
    elif outcome.school is not None:
        location = outcome.school.location
        points.append(
            {"lat": location.latitude, "lon": location.longitude,
             "label": outcome.school.name, "origin": True}
        )
    seen: set[int] = set()
    for need in outcome.result.needs:
        for match in need.matches:
            service = match.service
            if service.id in seen:
                continue
            seen.add(service.id)
            point = nearest_place(service, origin)
            if point is None:
                continue
            lat, lon = _lat_lon(*point)
            points.append({"lat": lat, "lon": lon, "label": service.name, "id": service.id})
    return points


@lru_cache(maxsize=20_000)
def _lat_lon(easting: float, northing: float) -> tuple[float, float]:
    """``bng_to_wgs84``, kept: a pure function of the point, and services' places recur
    from search to search (a projection is a few microseconds each, a dozen a search)."""
    return bng_to_wgs84(easting, northing)


def _origin(outcome: SearchOutcome) -> tuple[float, float] | None:
    """Where the engine measured distances from: the family's home, else the school."""
    if outcome.place is not None:
        return (outcome.place.easting, outcome.place.northing)
    if outcome.school is not None:
        return (outcome.school.location.easting, outcome.school.location.northing)
    return None


def nearest_place(
    service: ServiceRecord, origin: tuple[float, float] | None
) -> tuple[float, float] | None:
    """The service's place nearest ``origin`` (the first place when there is no origin);
    None when it has no place. Nearest as the engine's ``distance_m`` measures it."""
    points = service_points(service)
    if not points or origin is None:
        return points[0] if points else None
    return min(points, key=lambda p: (p[0] - origin[0]) ** 2 + (p[1] - origin[1]) ** 2)
