"""Chasing without anyone having to remember: the scheduled reminders and escalations.

Each working morning a job reads the "not opened" and "opened but not decided"
lists (``stuck``) and, for each referral on them:

- reminds the provider, exactly as a coordinator's reminder does (on the timeline,
  emailed, at most one a day counting reminders people sent);
- escalates it to the hub coordinators once it has waited twice the list's
  threshold: an email to each with the reference and a link, recorded in the
  audit trail, once per referral.

And for each question from a service the school has not answered in time, it
reminds the referrer (at most once a day, audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent, audit
from routing.referrals.lifecycle import SYSTEM
from routing.referrals.outbox import queue_message
from routing.referrals.reminders import MIN_INTERVAL, last_reminders, remind_provider
from routing.referrals.stuck import StuckKind, StuckScope, stuck_items
from services.accounts.models import Role, User

# The provider's turn: the lists a reminder to the provider can move on.
CHASED = (StuckKind.NOT_OPENED, StuckKind.NOT_DECIDED)
ESCALATED = "referral_escalated"
SCHOOL_REMINDED = "school_reminded"
AUTOMATIC_NOTE = "Automatic reminder: {waited} working days without {what}"


@dataclass(frozen=True)
class ChaseReport:
    """What one run did: reminders sent and referrals escalated."""

    reminded: int
    escalated: int
    schools_reminded: int = 0


def chase_stuck_referrals(session: Session, scope: StuckScope) -> ChaseReport:
    """Remind providers of referrals waiting on them past the lists' thresholds and
    escalate those waiting twice as long to the hub coordinators; never raises for
    a referral already reminded today or already escalated."""
    now = scope.now
    reminded = escalated = 0
    coordinators = _coordinator_addresses(session)
    for kind in CHASED:
        threshold = scope.working_days if kind is StuckKind.NOT_OPENED else scope.decide_days
        items = [item for item in stuck_items(session, kind, scope) if item.referral]
        ids = [item.referral.id for item in items if item.referral is not None]
        reminded_at = last_reminders(session, ids)
        already = _escalated(session, ids)
        for item in items:
            referral = item.referral
            assert referral is not None
            waited = item.waited or 0
            last = reminded_at.get(referral.id)
            if last is None or now - last >= MIN_INTERVAL:
                what = "being opened" if kind is StuckKind.NOT_OPENED else "a decision"
                remind_provider(session, referral, SYSTEM, now,
                                AUTOMATIC_NOTE.format(waited=waited, what=what))
                reminded += 1
            if waited >= 2 * threshold and referral.id not in already and coordinators:
                for address in coordinators:
                    queue_message(session, address, ESCALATED, referral, now)
                audit(session, SYSTEM, ESCALATED, now, child_id=referral.child_id,
                      referral_id=referral.id)
                escalated += 1
    return ChaseReport(reminded, escalated, _remind_schools(session, scope))


def _remind_schools(session: Session, scope: StuckScope) -> int:
    """Remind referrers of services' questions they have not answered in time."""
    items = [item.referral for item in stuck_items(session, StuckKind.QUESTION_UNANSWERED,
                                                   scope) if item.referral is not None]
    if not items:
        return 0
    since = scope.now - MIN_INTERVAL
    recent = set(session.execute(
        select(AuditEvent.referral_id).where(
            AuditEvent.action == SCHOOL_REMINDED, AuditEvent.at > since,
            AuditEvent.referral_id.in_([referral.id for referral in items]))
    ).scalars())
    addresses: dict[int, str] = {user_id: email for user_id, email in session.execute(
        select(User.id, User.email).where(
            User.id.in_({referral.referrer_id for referral in items}), User.active.is_(True)))}
    sent = 0
    for referral in items:
        address = addresses.get(referral.referrer_id)
        if referral.id in recent or not address:
            continue
        queue_message(session, address, "question_reminder", referral, scope.now)
        audit(session, SYSTEM, SCHOOL_REMINDED, scope.now, child_id=referral.child_id,
              referral_id=referral.id)
        sent += 1
    return sent


def _coordinator_addresses(session: Session) -> list[str]:
    return list(session.execute(
        select(User.email).where(User.role == Role.COORDINATOR, User.active.is_(True))
        .order_by(User.id)
    ).scalars())


def _escalated(session: Session, referral_ids: list[int]) -> set[int]:
    if not referral_ids:
        return set()
    return {referral_id for referral_id in session.execute(
        select(AuditEvent.referral_id).where(AuditEvent.action == ESCALATED,
                                             AuditEvent.referral_id.in_(referral_ids))
    ).scalars() if referral_id is not None}
