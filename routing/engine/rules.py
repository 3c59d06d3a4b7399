"""The hard eligibility rules, one function each, in a fixed order.

Each rule takes a service and the per-query context and returns ``None`` when the
service passes, or a plain-language reason when the rule excludes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from routing.engine import reasons
from routing.engine.areas import AreaCatalogue
from routing.engine.records import FamilyQuery, HubRecord, ServiceRecord

REMOTE_MODES = frozenset({"online", "phone"})


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What the rules need to know about a query, worked out once per query."""

    query: FamilyQuery
    point: tuple[float, float] | None
    areas: AreaCatalogue
    language: str | None
    # Slots of the areas holding the point, when already worked out (the index does).
    inside_slots: frozenset[int] | None = None

    @classmethod
    def build(cls, query: FamilyQuery, areas: AreaCatalogue, *,
              find_areas: bool = False) -> QueryContext:
        """Context for ``query``: the family's point is the home, else the school.

        With ``find_areas``, every area holding the point is found up front, so the
        area rule is a set lookup. Raises ValueError if the point is not finite.
        """
        point = query.home if query.home is not None else query.school_point
        if point is not None and not (math.isfinite(point[0]) and math.isfinite(point[1])):
            raise ValueError("the family's location must be finite grid coordinates")
        language = query.language.casefold() if query.language else None
        inside = None
        if find_areas and point is not None:
            inside = frozenset(areas.slots_containing(point))
        return cls(query=query, point=point, areas=areas, language=language,
                   inside_slots=inside)

    def in_area(self, wkt: str) -> bool:
        """Whether the family's point lies in the area (True with no point).

        Raises KeyError for an area missing from the catalogue.
        """
        if self.point is None:
            return True
        if self.inside_slots is not None:
            return self.areas.slot(wkt) in self.inside_slots
        return self.areas.contains(wkt, self.point)


def service_points(service: ServiceRecord) -> list[tuple[float, float]]:
    """The places a service is delivered: its venue, then each hub."""
    points = [] if service.venue is None else [service.venue]
    points.extend((hub.easting, hub.northing) for hub in service.hubs)
    return points


def distance_m(service: ServiceRecord, point: tuple[float, float] | None) -> float | None:
    """Straight-line metres from ``point`` to the nearest place of the service.

    ``None`` when there is no point or the service has no places. Written as
    ``sqrt(dx*dx + dy*dy)`` (not ``hypot``) so the numpy index gets identical bits.
    """
    if point is None:
        return None
    best: float | None = None
    for x, y in service_points(service):
        dx = x - point[0]
        dy = y - point[1]
        d = math.sqrt(dx * dx + dy * dy)
        if best is None or d < best:
            best = d
    return best


def hub_at_school(service: ServiceRecord, school_id: int | None) -> HubRecord | None:
    """The service's hub at the child's school, if it has one."""
    if school_id is None:
        return None
    for hub in service.hubs:
        if hub.school_id == school_id:
            return hub
    return None


def is_remote_only(service: ServiceRecord) -> bool:
    """Offered only online or by phone."""
    return bool(service.delivery_modes) and service.delivery_modes <= REMOTE_MODES


def is_distance_free(service: ServiceRecord) -> bool:
    """Not limited by distance: no places at all, or only online or phone."""
    return (service.venue is None and not service.hubs) or is_remote_only(service)


def meets_need(service: ServiceRecord, matching_codes: frozenset[str]) -> bool:
    """The need rule: the service declares one of the codes that meet the request."""
    return not service.need_codes.isdisjoint(matching_codes)


def check_age(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Age: min_age <= age <= max_age; a query with no age passes."""
    age = ctx.query.age
    if age is None or service.min_age <= age <= service.max_age:
        return None
    return f"for ages {service.min_age} to {service.max_age}; this child is {age}"


def check_area(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Area: the family's point lies in the service area (no area, or no point, passes)."""
    if service.area_wkt is None or ctx.in_area(service.area_wkt):
        return None
    where = f" ({service.area_name})" if service.area_name else ""
    return f"the family lives outside its area{where}"


def check_distance(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Distance: the nearest place is within the limit.

    Services at the child's own school, with no places, or only online or by phone
    always pass, as does a query with no limit or no point.
    """
    limit = ctx.query.max_distance_m
    if limit is None or ctx.point is None or is_distance_free(service):
        return None
    if hub_at_school(service, ctx.query.school_id) is not None:
        return None
    d = distance_m(service, ctx.point)
    if d is None or d <= limit:
        return None
    return f"{reasons.miles(d)} away, beyond the {reasons.mile_limit(limit)} limit"


def check_mode(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Mode: the service offers at least one of the asked-for ways (none asked passes)."""
    wanted = ctx.query.delivery_modes
    if not wanted or not service.delivery_modes.isdisjoint(wanted):
        return None
    offered = reasons.modes(service.delivery_modes) or "in no listed way"
    return f"only offered {offered}"


def check_language(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Language: the service offers the asked-for language, ignoring case."""
    if ctx.language is None:
        return None
    if any(lang.casefold() == ctx.language for lang in service.languages):
        return None
    return f"not offered in {ctx.query.language}"


def check_referrals(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Referrals: takes referrals through this system, when the query requires it."""
    if not ctx.query.require_system_referrals or service.takes_system_referrals:
        return None
    return "does not take referrals through this system"


def check_accepting(service: ServiceRecord, ctx: QueryContext) -> str | None:
    """Accepting: open to referrals, when the query requires it (0 places is fine)."""
    if not ctx.query.require_accepting or service.accepting:
        return None
    return "not accepting referrals at the moment"


Rule = Callable[[ServiceRecord, QueryContext], "str | None"]

# The fixed order decides which failing rule explains an exclusion.
RULES: tuple[tuple[str, Rule], ...] = (
    ("age", check_age),
    ("area", check_area),
    ("distance", check_distance),
    ("mode", check_mode),
    ("language", check_language),
    ("referrals", check_referrals),
    ("accepting", check_accepting),
)
RULE_NAMES: tuple[str, ...] = tuple(name for name, _ in RULES)
RULE_BY_NAME: dict[str, Rule] = dict(RULES)


def first_failure(service: ServiceRecord, ctx: QueryContext) -> tuple[str, str] | None:
    """(rule name, reason) of the first rule the service fails, or None if eligible."""
    for name, rule in RULES:
        reason = rule(service, ctx)
        if reason is not None:
            return name, reason
    return None


def first_failure_at(
    service: ServiceRecord,
    ctx: QueryContext,
    distance: float | None,
    at_school: bool,
    distance_free: bool,
) -> tuple[str, str] | None:
    """``first_failure`` when the distance, the school hub and ``is_distance_free`` are
    already known (as the index knows them), so the places are not walked again."""
    for name, rule in RULES:
        if rule is check_distance:
            limit = ctx.query.max_distance_m
            if (limit is None or ctx.point is None or distance_free or at_school
                    or distance is None or distance <= limit):
                continue
            beyond = reasons.mile_limit(limit)
            return name, f"{reasons.miles(distance)} away, beyond the {beyond} limit"
        reason = rule(service, ctx)
        if reason is not None:
            return name, reason
    return None
