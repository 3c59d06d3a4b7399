"""Ask the routing engine for services for a child's needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.engine import (
    DirectoryIndex,
    FamilyQuery,
    Match,
    NeedRequest,
    RoutingResult,
    ranking_time,
)
from routing.gazetteer.lookup import geocode
from routing.geo import PostcodeError
from routing.referrals.models import Child, Referral, ReferralRequest, Status
from routing.referrals.subjects import Subject
from services.schools import School


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True)
class RoutedChild:
    """What routing needs to know of the child: where they live, their age and school,
    and their record (for the providers already helping), if they have one yet.

    ``subject`` is whom the referral is about (``models.Subject``); ``birth_year`` an
    approximate year of birth when the date is not known."""

    home_postcode: str
    date_of_birth: date | None
    school_id: int
    child_id: int | None = None
    subject: Subject = Subject.CHILD
    birth_year: int | None = None

    @classmethod
    def of_child(cls, child: Child) -> RoutedChild:
        return cls(child.home_postcode, child.date_of_birth, child.school_id, child.id,
                   child.subject_kind, child.birth_year)

    @classmethod
    def of_draft(cls, draft: ReferralRequest) -> RoutedChild | None:
        """The child as typed on the form (None before the child step); routed from the
        referring school."""
        if "child" not in draft.form.answered:
            return None
        typed = draft.form.child
        return cls(typed.home_postcode, typed.date_of_birth, draft.school_id,
                   typed.existing_child_id, Subject.of(typed.subject), typed.birth_year)

    def ages(self, today: date) -> tuple[int, int] | None:
        """The youngest and oldest the child may be today, for the age rule: exact with
        a date of birth; two years from a year of birth; 0 before birth; None when not
        known, and for a parent or carer (services state the ages of the children whose
        families they help, not of the adults)."""
        if self.subject is Subject.UNBORN:
            return 0, 0
        if self.subject is Subject.PARENT:
            return None
        if self.date_of_birth is not None:
            age = _age(self.date_of_birth, today)
            return age, age
        if self.birth_year is not None:
            oldest = max(today.year - self.birth_year, 0)
            return max(oldest - 1, 0), oldest
        return None


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
    ages = child.ages(now.date())
    query = FamilyQuery(
        needs=tuple(NeedRequest(code, priority, severity=severity,
                                help_for=child.subject.help_for)
                    for code, priority in needs),
        now=ranking_time(now),
        home=home,
        school_id=school.id if school else None,
        school_point=(school.location.easting, school.location.northing) if school else None,
        age=ages[0] if ages else None,
        age_upper=ages[1] if ages else None,
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
