"""A provider's note on work under way with a family, and the next step the family reads.

After first contact the referral stays "In progress" until it is closed, often for
weeks: each session held, appointment booked or plan changed is a progress note.
A note changes no status, so it is an event whose status stays the same, like a
reminder (the timeline shows its words), but it is news for the family: their page
dates its "Last update" by it (routing/referrals/progress.py), and a new next step
replaces the one they read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.lifecycle import Actor, record_event
from routing.referrals.models import Referral, ReferralEvent, Status
from services.errors import AlreadyDone, InvalidInput
from services.locking import lock_row

PROGRESS_PREFIX = "Progress"
NEXT_STEP_WORDS = "Next step for the family"
NOTE_MAX = 2000
NEXT_STEP_MAX = 1000
# The same note by the same person this soon after is a double click or a resubmitted
# page, not a second session with the family.
REPEAT_WINDOW = timedelta(minutes=10)


def progress_reason(note: str, next_step: str) -> str:
    """The timeline's words for a progress note (and the next step, when one was given)."""
    if not next_step:
        return f"{PROGRESS_PREFIX}: {note}"
    return f"{PROGRESS_PREFIX}: {note.rstrip('.')}. {NEXT_STEP_WORDS}: {next_step}"


def record_progress(
    session: Session, referral: Referral, actor: Actor, now: datetime, note: str,
    next_step: str = "",
) -> ReferralEvent:
    """Record what happened with the family on a referral in progress and, if given, the
    next step the family's page shows from now on.

    Raises InvalidInput (keys ``note`` and ``next_step``) when the referral is not in
    progress, the note is blank or either text is too long; AlreadyDone when the same
    person recorded the same note on it in the last REPEAT_WINDOW.
    """
    note, next_step = note.strip(), next_step.strip()
    # A double click's second request waits here, then finds the first one's event.
    lock_row(session, referral)
    if referral.status is not Status.IN_PROGRESS:
        raise InvalidInput({"note": "Progress can be recorded once first contact is made "
                                    f"and until the referral ends; this referral is "
                                    f"{referral.status.label.lower()}"})
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = "Enter what happened, for example the session you held"
    elif len(note) > NOTE_MAX:
        errors["note"] = f"What happened must be {NOTE_MAX:,} characters or fewer"
    if len(next_step) > NEXT_STEP_MAX:
        errors["next_step"] = f"The next step must be {NEXT_STEP_MAX:,} characters or fewer"
    if errors:
        raise InvalidInput(errors)
    reason = progress_reason(note, next_step)
    last = session.execute(
        select(ReferralEvent.reason, ReferralEvent.actor_id, ReferralEvent.at)
        .where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.at.desc(), ReferralEvent.id.desc())
        .limit(1)
    ).first()
    if (last is not None and last.reason == reason and last.actor_id == actor.user_id
            and now - last.at < REPEAT_WINDOW):
        raise AlreadyDone("This progress note was already recorded.")
    event = record_event(session, referral, Status.IN_PROGRESS, actor, now, reason)
    if next_step:
        referral.next_step = next_step
    referral.updated_at = now
    return event
