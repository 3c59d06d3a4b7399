"""Find services for a family: geocode, build the engine's query, route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.engine import FamilyQuery, NeedRequest, RoutingResult
from routing.gazetteer.lookup import OnlineGeocoder, geocode
from routing.geo import Place
from routing.snapshot import IndexCache
from services.db import utcnow
from services.errors import InvalidInput
from services.schools import School

METRES_PER_MILE = 1609.344


@dataclass(frozen=True)
class SearchCriteria:
    need_codes: tuple[str, ...]
    postcode: str | None = None
    school_id: int | None = None
    age: int | None = None
    radius_miles: float | None = 5
    mode: str | None = None
    accepting_only: bool = False


@dataclass(frozen=True)
class SearchOutcome:
    result: RoutingResult
    place: Place | None
    school: School | None
    searched_at: datetime


def search_services(
    session: Session,
    cache: IndexCache,
    criteria: SearchCriteria,
    online: OnlineGeocoder | None = None,
) -> SearchOutcome:
    """Rank directory services for the criteria.

    Raises InvalidInput (keyed by form field) for an unknown school or a
    postcode we cannot place.
    """
    from routing.geo import PostcodeError

    place = None
    school = None
    if criteria.school_id is not None:
        school = session.get(School, criteria.school_id)
        if school is None:
            raise InvalidInput({"school_id": "Choose a school from the list"})
    if criteria.postcode:
        try:
            place = geocode(session, criteria.postcode, online)
        except PostcodeError as error:
            raise InvalidInput({"postcode": str(error)}) from None
    if place is None and school is None:
        raise InvalidInput({"postcode": "Enter the family's postcode or choose a school"})
    now = utcnow()
    school_point = (school.location.easting, school.location.northing) if school else None
    query = FamilyQuery(
        needs=tuple(NeedRequest(code) for code in criteria.need_codes),
        now=now,
        home=(place.easting, place.northing) if place else None,
        school_id=school.id if school else None,
        school_point=school_point,
        age=criteria.age,
        delivery_modes=frozenset({criteria.mode}) if criteria.mode else frozenset(),
        max_distance_m=(
            criteria.radius_miles * METRES_PER_MILE if criteria.radius_miles else None
        ),
        require_system_referrals=False,
        require_accepting=criteria.accepting_only,
        limit_per_need=25,
    )
    result = cache.get(session).route(query)
    return SearchOutcome(result=result, place=place, school=school, searched_at=now)


def school_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(School.id, School.name).order_by(School.name))
    return [("", "Choose a school"), *((str(i), name) for i, name in rows)]
