"""Shape engine results for the page and its map."""

from __future__ import annotations

from typing import Any

from hub.search.operations import SearchOutcome
from routing.geo import bng_to_wgs84


def map_points(outcome: SearchOutcome) -> list[dict[str, Any]]:
    """One marker per matched service (its nearest point), plus the search origin."""
    points: list[dict[str, Any]] = []
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
            point = _nearest_point(match)
            if point is None:
                continue
            lat, lon = bng_to_wgs84(*point)
            points.append({"lat": lat, "lon": lon, "label": service.name, "id": service.id})
    return points


def _nearest_point(match: Any) -> tuple[float, float] | None:
    if match.at_school is not None:
        return (match.at_school.easting, match.at_school.northing)
    service = match.service
    candidates = [service.venue] if service.venue else []
    candidates += [(hub.easting, hub.northing) for hub in service.hubs]
    return candidates[0] if candidates else None
