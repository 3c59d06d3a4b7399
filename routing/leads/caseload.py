"""What a lead practitioner sees: their caseload (the children they lead for, each with
open referrals, what is stuck and the last activity) and one child's coordination view.

A lead sees of a child only what coordinating needs: the child's name, date of birth
and school, and the referrals the child's school made (service, provider and its
contact, status, dates, next step, and which are stuck by the stuck page's rules).
Never the referral form's answers, risk or safeguarding notes, nor progress links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals.models import Child, Referral, Status
from routing.referrals.stuck import StuckKind, StuckScope, deciding_since, not_opened_cutoff


@dataclass(frozen=True)
class ReferralLine:
    """One referral as the lead sees it."""

    referral: Referral
    stuck: StuckKind | None

    @property
    def stuck_label(self) -> str:
        return self.stuck.heading() if self.stuck else ""


@dataclass(frozen=True)
class CaseloadEntry:
    lead: LeadPractitioner
    child: Child
    referrals: tuple[ReferralLine, ...]
    last_activity: datetime

    @property
    def open_referrals(self) -> tuple[ReferralLine, ...]:
        return tuple(line for line in self.referrals if not line.referral.status.ended)

    @property
    def stuck(self) -> tuple[ReferralLine, ...]:
        return tuple(line for line in self.referrals if line.stuck is not None)


def _asked_day(referral: Referral) -> date:
    asked = [e.at for e in referral.events if e.to_status is Status.NEEDS_INFORMATION]
    return max(asked, default=referral.updated_at).date()


# The stuck page's waiting rules (routing/referrals/stuck.py) for one referral: the
# list it would be on, when its wait began, and the threshold that applies.
_WAITS: dict[Status, tuple[StuckKind, Callable[[Referral], date],
                           Callable[[StuckScope], int]]] = {
    Status.SENT: (StuckKind.NOT_OPENED, lambda r: (r.sent_at or r.created_at).date(),
                  lambda s: s.working_days),
    Status.OPENED: (StuckKind.NOT_DECIDED, lambda r: deciding_since(r).date(),
                    lambda s: s.decide_days),
    Status.NEEDS_INFORMATION: (StuckKind.QUESTION_UNANSWERED, _asked_day,
                               lambda s: s.answer_days),
    Status.ACCEPTED: (StuckKind.NO_FIRST_CONTACT,
                      lambda r: (r.decided_at or r.created_at).date(),
                      lambda s: s.contact_days),
}


def stuck_kind(referral: Referral, scope: StuckScope, onward_from: set[int]) -> StuckKind | None:
    """The stuck page's list ``referral`` is on, or None (``onward_from``: ids of
    referrals that were re-routed to another service)."""
    if referral.status is Status.DECLINED:
        return None if referral.id in onward_from else StuckKind.DECLINED_NO_ONWARD
    wait = _WAITS.get(referral.status)
    if wait is None:
        return None
    kind, since, days = wait
    return kind if since(referral) <= not_opened_cutoff(scope.now.date(), days(scope)) else None


def child_referrals(session: Session, children: list[Child],
                    scope: StuckScope) -> dict[int, tuple[ReferralLine, ...]]:
    """Each child's referrals from their own school (sent or later), oldest first."""
    if not children:
        return {}
    schools = {child.id: child.school_id for child in children}
    referrals = [r for r in session.execute(
        select(Referral)
        .where(Referral.child_id.in_(list(schools)), Referral.status != Status.DRAFT)
        .options(selectinload(Referral.service), selectinload(Referral.organisation),
                 selectinload(Referral.events))
        .order_by(Referral.id)
    ).scalars() if r.school_id == schools[r.child_id]]
    onward: set[int] = {rid for rid in session.execute(
        select(Referral.rerouted_from_id)
        .where(Referral.rerouted_from_id.in_([r.id for r in referrals]))
    ).scalars() if rid is not None} if referrals else set()
    lines: dict[int, list[ReferralLine]] = {child_id: [] for child_id in schools}
    for referral in referrals:
        lines[referral.child_id].append(
            ReferralLine(referral, stuck_kind(referral, scope, onward)))
    return {child_id: tuple(found) for child_id, found in lines.items()}


def caseload(session: Session, user_id: int, scope: StuckScope) -> list[CaseloadEntry]:
    """The children ``user_id`` leads for now, those with something stuck first, then
    by the oldest last activity (the family nobody has touched for longest)."""
    leads = list(session.execute(
        select(LeadPractitioner)
        .where(LeadPractitioner.user_id == user_id, LeadPractitioner.ended_at.is_(None))
        .options(selectinload(LeadPractitioner.child).selectinload(Child.school))
    ).scalars())
    children = [lead.child for lead in leads]
    lines = child_referrals(session, children, scope)
    ids = [child.id for child in children]
    last_events: dict[int, datetime] = {}
    if ids:
        last_events = dict(session.execute(
            select(LeadEvent.child_id, func.max(LeadEvent.at))
            .where(LeadEvent.child_id.in_(ids)).group_by(LeadEvent.child_id)
        ).all())
    for child_id, found in lines.items():
        # Only the referrals the lead sees count (their events are loaded already).
        for line in found:
            for referral_event in line.referral.events:
                if referral_event.at > last_events.get(child_id, referral_event.at):
                    last_events[child_id] = referral_event.at
                last_events.setdefault(child_id, referral_event.at)
    entries = [
        CaseloadEntry(lead, lead.child, lines.get(lead.child_id, ()),
                      last_events.get(lead.child_id, lead.started_at))
        for lead in leads
    ]
    return sorted(entries, key=lambda e: (not e.stuck, e.last_activity, e.child.id))
