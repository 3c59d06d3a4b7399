"""Falling through the cracks: referrals and children that need someone to act."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from routing.referrals.models import Referral, Status
from routing.referrals.workdays import working_days_between
from services.listings import Service

ACTIVE_SUPPORT = (Status.ACCEPTED, Status.IN_PROGRESS)


@dataclass
class StuckReport:
    not_opened: list[tuple[Referral, int]] = field(default_factory=list)  # working days
    declined_no_onward: list[Referral] = field(default_factory=list)
    long_waits: list[tuple[Referral, int, int]] = field(default_factory=list)  # days, typical
    unsupported_children: list[tuple[int, list[Referral]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.not_opened or self.declined_no_onward or self.long_waits
            or self.unsupported_children
        )

    def only_schools(self, school_ids: set[int]) -> StuckReport:
        """The part of the report about referrals from these schools."""
        return _only(self, school_ids)

    @property
    def count(self) -> int:
        return (
            len(self.not_opened) + len(self.declined_no_onward) + len(self.long_waits)
            + len(self.unsupported_children)
        )


def stuck_report(session: Session, now: datetime, working_days: int = 5) -> StuckReport:
    """Everything falling through the cracks at ``now``.

    - sent referrals not opened within ``working_days`` working days;
    - declines with no onward referral for the same need;
    - wait-lists longer than the service's typical wait;
    - children whose every referral ended with no support in place.
    """
    report = StuckReport()
    options = (selectinload(Referral.service).selectinload(Service.capacity),)
    today = now.date()
    for referral in session.execute(
        select(Referral).where(Referral.status == Status.SENT).options(*options)
        .order_by(Referral.sent_at)
    ).scalars():
        waited = working_days_between((referral.sent_at or referral.created_at).date(), today)
        if waited >= working_days:
            report.not_opened.append((referral, waited))
    onward = aliased(Referral)
    report.declined_no_onward = list(
        session.execute(
            select(Referral)
            .where(
                Referral.status == Status.DECLINED,
                ~select(onward.id).where(onward.rerouted_from_id == Referral.id).exists(),
            )
            .options(*options)
            .order_by(Referral.decided_at)
        ).scalars()
    )
    for referral in session.execute(
        select(Referral).where(Referral.status == Status.WAITLISTED).options(*options)
        .order_by(Referral.waitlisted_at)
    ).scalars():
        typical = referral.service.capacity.typical_wait_days if referral.service.capacity else None
        waited = (now - (referral.waitlisted_at or referral.created_at)).days
        if typical is not None and waited > typical:
            report.long_waits.append((referral, waited, typical))
    by_child: dict[int, list[Referral]] = defaultdict(list)
    for referral in session.execute(
        select(Referral).where(Referral.status != Status.DRAFT).options(*options)
        .order_by(Referral.id)
    ).scalars():
        by_child[referral.child_id].append(referral)
    for child_id, referrals in by_child.items():
        ended = all(r.status.ended for r in referrals)
        supported = any(r.outcome is not None and r.outcome.support_given for r in referrals)
        if ended and not supported:
            report.unsupported_children.append((child_id, referrals))
    return report


def _in(referral: Referral, school_ids: set[int]) -> bool:
    return referral.school_id in school_ids


def _only(report: StuckReport, school_ids: set[int]) -> StuckReport:
    return StuckReport(
        not_opened=[item for item in report.not_opened if _in(item[0], school_ids)],
        declined_no_onward=[r for r in report.declined_no_onward if _in(r, school_ids)],
        long_waits=[item for item in report.long_waits if _in(item[0], school_ids)],
        unsupported_children=[
            item for item in report.unsupported_children
            if any(_in(r, school_ids) for r in item[1])
        ],
    )

