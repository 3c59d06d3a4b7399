"""Chasing a provider: a reminder about a referral that has waited too long.

A reminder changes no status, so it is recorded as an event whose status stays the
same (the timeline shows it; measured waits and the family's "last update" ignore
it) and sent to the provider as an outbox message with no personal details.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals.lifecycle import Actor, record_event
from routing.referrals.models import Referral, ReferralEvent, Status
from routing.referrals.operations import provider_address
from routing.referrals.outbox import queue_message
from services.errors import InvalidInput
from services.locking import lock_row

# Waiting on the provider: to be opened, decided, given a place, or (accepted) to make
# first contact with the family, which the stuck page lists after a few working days.
CHASEABLE = (Status.SENT, Status.OPENED, Status.WAITLISTED, Status.ACCEPTED)
# One reminder a day is enough; more would only teach a provider to ignore them.
MIN_INTERVAL = timedelta(hours=20)
REMINDER_PREFIX = "Reminder sent to the provider"


def last_reminder(session: Session, referral: Referral) -> datetime | None:
    """When the provider was last reminded about ``referral``, if ever."""
    return session.execute(
        select(func.max(ReferralEvent.at)).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.is_reminder)
    ).scalar_one()


def last_reminders(session: Session, referral_ids: list[int]) -> dict[int, datetime]:
    """When each of these referrals' providers was last reminded (only those ever were)."""
    if not referral_ids:
        return {}
    rows = session.execute(
        select(ReferralEvent.referral_id, func.max(ReferralEvent.at))
        .where(ReferralEvent.referral_id.in_(referral_ids), ReferralEvent.is_reminder)
        .group_by(ReferralEvent.referral_id)
    ).all()
    return {referral_id: at for referral_id, at in rows}


def remind_provider(
    session: Session, referral: Referral, actor: Actor, now: datetime, note: str = ""
) -> ReferralEvent:
    """Record a reminder on the referral's timeline and email the provider.

    Raises InvalidInput (key ``note``) when the referral is not waiting on the
    provider, when it was reminded less than MIN_INTERVAL ago, or when the note is
    over 1,000 characters.
    """
    note = note.strip()
    # Concurrent reminders take turns here, so the second sees the first's event.
    lock_row(session, referral)
    if referral.status not in CHASEABLE:
        raise InvalidInput({"note": f"A referral that is {referral.status.label.lower()} "
                                    "is not waiting on the provider"})
    if len(note) > 1000:
        raise InvalidInput({"note": "The note must be 1,000 characters or fewer"})
    last = last_reminder(session, referral)
    if last is not None and now - last < MIN_INTERVAL:
        raise InvalidInput({"note": "The provider was reminded in the last day. "
                                    "Try again tomorrow, or phone them"})
    event = record_event(session, referral, referral.status, actor, now,
                         f"{REMINDER_PREFIX}: {note}" if note else REMINDER_PREFIX)
    queue_message(session, provider_address(referral), "referral_reminder", referral, now)
    return event
