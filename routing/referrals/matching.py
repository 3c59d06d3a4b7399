"""Ask the routing engine for services for a child's needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.engine import DirectoryIndex, FamilyQuery, Match, NeedRequest, RoutingResult
from routing.gazetteer.lookup import geocode
from routing.geo import PostcodeError
from routing.referrals.models import Child, Referral, ReferralRequest, Status
from services.schools import School


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True)
class RoutedChild:
    """What routing needs to know of the child: where they live, their age and school,
    and their record (for the providers already helping), if they have one yet."""

    home_postcode: str
    date_of_birth: date
    school_id: int
    child_id: int | None = None

    @classmethod
    def of_child(cls, child: Child) -> RoutedChild:
        return cls(child.home_postcode, child.date_of_birth, child.school_id, child.id)

    @classmethod
    def of_draft(cls, draft: ReferralRequest) -> RoutedChild | None:
        """The child as typed on the form (None before the child step); routed from the
        referring school."""
        typed = draft.form.child
        if typed.date_of_birth is None:
            return None
        return cls(typed.home_postcode, typed.date_of_birth, draft.school_id,
                   typed.existing_child_id)


def route_for_child(
    session: Session,
    index: DirectoryIndex,
    child: RoutedChild,
    needs: Sequence[tuple[str, int]],
    now: datetime,
    severity: str = "",
) -> RoutingResult:
    """The engine's matches per need for this child (system referrals, accepting);
    ``severity`` is how serious the referrer said it is ("" not said)."""
    try:
        place = geocode(session, child.home_postcode)
        home: tuple[float, float] | None = (place.easting, place.northing)
    except PostcodeError:
        home = None
    school = session.get(School, child.school_id)
    current = frozenset(
        session.execute(
            select(Referral.organisation_id).where(
                Referral.child_id == child.child_id,
                Referral.status.in_((Status.ACCEPTED, Status.IN_PROGRESS)),
            )
        ).scalars()
    ) if child.child_id is not None else frozenset()
    query = FamilyQuery(
        needs=tuple(NeedRequest(code, priority, severity=severity) for code, priority in needs),
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
        session, index, RoutedChild.of_child(declined.child), declined.asked.priorities, now
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
