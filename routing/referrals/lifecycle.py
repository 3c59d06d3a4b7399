"""Allowed status changes, and the one function that makes a change and records it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from routing.referrals.models import Referral, ReferralEvent, Status

S = Status
ALLOWED: dict[Status, frozenset[Status]] = {
    S.DRAFT: frozenset({S.SENT, S.WITHDRAWN}),
    S.SENT: frozenset({S.OPENED, S.WITHDRAWN}),
    S.OPENED: frozenset({S.ACCEPTED, S.WAITLISTED, S.DECLINED, S.NEEDS_INFORMATION, S.WITHDRAWN}),
    # Answered: back to the service, opened as it was before its question.
    S.NEEDS_INFORMATION: frozenset({S.OPENED, S.WITHDRAWN, S.DECLINED}),
    S.WAITLISTED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.CLOSED, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.CLOSED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a user and their organisation, or the system (ids None)."""

    user_id: int | None
    name: str
    organisation_id: int | None
    organisation_name: str


SYSTEM = Actor(None, "Family Hub", None, "Family Hub")


class TransitionRefused(ValueError):
    """Raised when a referral cannot move from its status to the one asked for."""

    def __init__(self, referral: Referral, to: Status) -> None:
        super().__init__(
            f"A referral that is {referral.status.label.lower()} cannot be "
            f"{to.label.lower()}"
        )
        self.referral = referral
        self.to = to


def can_move(referral: Referral, to: Status) -> bool:
    return to in ALLOWED[referral.status]


def move(
    session: Session,
    referral: Referral,
    to: Status,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> ReferralEvent:
    """Change ``referral`` to ``to`` and write its immutable event.

    Raises TransitionRefused when the change is not allowed.
    """
    if not can_move(referral, to):
        raise TransitionRefused(referral, to)
    event = record_event(session, referral, to, actor, now, reason)
    referral.status = to
    referral.updated_at = now
    if to.ended:
        referral.ended_at = now
    return event


def record_event(
    session: Session, referral: Referral, to: Status, actor: Actor, now: datetime,
    reason: str = "",
) -> ReferralEvent:
    """Add the immutable event of ``referral`` going (or, for a reminder, staying) from
    its current status to ``to``; the caller changes the status. Never raises."""
    event = ReferralEvent(
        referral_id=referral.id,
        child_id=referral.child_id,
        actor_id=actor.user_id,
        actor_name=actor.name,
        organisation_id=actor.organisation_id,
        organisation_name=actor.organisation_name,
        at=now,
        from_status=referral.status,
        to_status=to,
        reason=reason,
    )
    session.add(event)
    return event
