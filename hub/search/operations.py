"""Find services for a family: geocode, build the engine's query, route."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from routing.engine import DirectoryIndex, FamilyQuery, NeedRequest, RoutingResult, ranking_time
from routing.engine.reasons import METRES_PER_MILE
from routing.gazetteer.lookup import KnownPlaces, OnlineGeocoder, place_postcode
from routing.geo import Place
from services.db import utcnow
from services.errors import InvalidInput
from services.schools import School

URGENT, ROUTINE = 1, 2  # ``NeedRequest.priority``
# Matches listed per need at first, and for the one need a user asks to see more of.
# The ten best are what people act on; a longer list is one click away.
SHORT_LIST = 10
FULL_LIST = 50


@dataclass(frozen=True)
class SearchCriteria:
    need_codes: tuple[str, ...]
    postcode: str | None = None
    school_id: int | None = None
    age: int | None = None
    radius_miles: float | None = 5
    mode: str | None = None
    accepting_only: bool = False
    # How serious ("early", "moderate", "high"; "" not said) and whether help is needed
    # now; the kinds of help asked for and whom it is for ("" = the need's default).
    severity: str = ""
    urgent: bool = False
    kinds: frozenset[str] = frozenset()
    help_for: str = ""
    # The need whose list is shown in full ("Show more"); None for short lists only.
    expand: str | None = None


@dataclass(frozen=True)
class SearchOutcome:
    result: RoutingResult
    place: Place | None
    school: School | None
    searched_at: datetime
    expanded: str | None = None

    def has_more(self, code: str) -> bool:
        """Whether a short list left out eligible services that "Show more" would list."""
        for need in self.result.needs:
            if need.need.code == code:
                return code != self.expanded and len(need.matches) < need.eligible_count
        return False


def search_services(
    session: Session,
    index: DirectoryIndex,
    criteria: SearchCriteria,
    online: OnlineGeocoder | None = None,
    known: KnownPlaces | None = None,
) -> SearchOutcome:
    """Rank the services of ``index`` (the directory snapshot's) for the criteria.

    Raises InvalidInput (keyed by form field) for an unknown school or a
    postcode we cannot place. ``known`` keeps postcodes already placed (hub.caches).
    """
    place = None
    school = None
    if criteria.school_id is not None:
        school = session.get(School, criteria.school_id)
        if school is None:
            raise InvalidInput({"school_id": "Choose a school from the list"})
    if criteria.postcode:
        place = place_postcode(session, criteria.postcode, "postcode", online, known)
    if place is None and school is None:
        raise InvalidInput({"postcode": "Enter the family's postcode or choose a school"})
    now = utcnow()
    expanded = criteria.expand if criteria.expand in criteria.need_codes else None
    school_point = (school.location.easting, school.location.northing) if school else None
    query = FamilyQuery(
        needs=tuple(
            NeedRequest(code, URGENT if criteria.urgent else ROUTINE, severity=criteria.severity,
                        kinds=criteria.kinds, help_for=criteria.help_for)
            for code in criteria.need_codes),
        now=ranking_time(now),
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
        limit_per_need=FULL_LIST if expanded else SHORT_LIST,
    )
    result = index.route(query)
    if expanded:
        # The other needs keep their short lists.
        result = replace(result, needs=tuple(
            need if need.need.code == expanded else replace(need, matches=need.matches[:SHORT_LIST])
            for need in result.needs
        ))
    return SearchOutcome(
        result=result, place=place, school=school, searched_at=now, expanded=expanded
    )

