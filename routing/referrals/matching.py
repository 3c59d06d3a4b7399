"""Ask the routing engine for services for a child's needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.engine import DirectoryIndex, FamilyQuery, Match, NeedRequest, RoutingResult
from routing.gazetteer.lookup import geocode
from routing.geo import PostcodeError
from routing.referrals.models import Child, Referral, Status
from services.schools import School


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def route_for_child(
    session: Session,
    index: DirectoryIndex,
    child: Child,
    needs: Sequence[tuple[str, int]],
    now: datetime,
) -> RoutingResult:
    """The engine's matches per need for this child (system referrals, accepting)."""
    try:
        place = geocode(session, child.home_postcode)
        home: tuple[float, float] | None = (place.easting, place.northing)
    except PostcodeError:
        home = None
    school = session.get(School, child.school_id)
    current = frozenset(
        session.execute(
            select(Referral.organisation_id).where(
                Referral.child_id == child.id,
                Referral.status.in_((Status.ACCEPTED, Status.IN_PROGRESS)),
            )
        ).scalars()
    )
    query = FamilyQuery(
        needs=tuple(NeedRequest(code, priority) for code, priority in needs),
        now=now,
        home=home,
        school_id=school.id if school else None,
        school_point=(school.location.easting, school.location.northing) if school else None,
        age=_age(child.date_of_birth, now.date()),
        require_system_referrals=True,
        require_accepting=True,
        current_provider_ids=current,
    )
    return index.route(query)


def next_options(
    session: Session, index: DirectoryIndex, declined: Referral, now: datetime,
    exclude_service_ids: Iterable[int] = (),
) -> list[Match]:
    """The engine's next matches for a declined referral's needs, without the decliner
    (or any service already tried for this child)."""
    tried = set(exclude_service_ids) | {declined.service_id}
    tried |= set(
        session.execute(
            select(Referral.service_id).where(
                Referral.child_id == declined.child_id, Referral.status == Status.DECLINED
            )
        ).scalars()
    )
    result = route_for_child(
        session, index, declined.child, declined.asked.priorities, now
    )
    seen: set[int] = set()
    options: list[Match] = []
    for need in result.needs:
        for match in need.matches:
            if match.service.id in tried or match.service.id in seen:
                continue
            seen.add(match.service.id)
            options.append(match)
    return options
