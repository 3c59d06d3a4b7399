"""The demo's safeguarding lead's queue: one referral form stopped at safeguarding and two
concerns at Tonge Moor Primary School, so the lead has something to act on at first run.

Written through the same operations as the pages (the referral form's steps, the stop,
``raise_concern``), so the lead is told by message as they would be. The children are
invented.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as referral_ops
from routing.referrals.children import ChildDetails
from routing.referrals.lifecycle import Actor
from routing.safeguarding.models import SafeguardingItem
from routing.safeguarding.operations import ConcernInput, raise_concern
from services.accounts.models import User
from services.schools import School

SCHOOL_URN = "105204"  # Tonge Moor Primary School
STAFF_EMAIL = "staff.tongemoor@demo.familyhub.test"
CONCERNS = (
    (timedelta(hours=1), ConcernInput(
        kind="whereabouts_unknown", first_name="Tyler", last_name="Nash",
        known_school="Tonge Moor Primary School (left in October)",
        last_known_address="Flat 3, 41 Tonge Moor Road, Bolton",
        details="His sister says the family moved away suddenly; no new school has asked "
                "for his records and nobody answers the phone.")),
    (timedelta(minutes=30), ConcernInput(
        kind="persistent_absence", first_name="Maisie", last_name="Cole",
        date_of_birth=date(2017, 9, 12), known_school="Tonge Moor Primary School",
        details="Attendance 71% this term, mostly Mondays; came in hungry twice last week.")),
)


def add_safeguarding_examples(session: Session, now: datetime) -> int:
    """Add the examples unless the school already has an item; returns how many were made.

    Does nothing when the school or its member of staff is missing (a cut-down dataset).
    """
    school = session.execute(select(School).where(School.urn == SCHOOL_URN)).scalar_one_or_none()
    staff = session.execute(select(User).where(User.email == STAFF_EMAIL)).scalar_one_or_none()
    if school is None or staff is None:
        return 0
    if session.execute(select(SafeguardingItem.id).where(
            SafeguardingItem.school_id == school.id)).first() is not None:
        return 0
    actor = Actor(staff.id, staff.name, staff.organisation_id, staff.organisation.name)
    stopped_at = now - timedelta(hours=2)
    draft = referral_ops.start_request(session, "demo-safeguarding-stop-tonge-moor", staff.id,
                                       school.id, stopped_at)
    referral_ops.save_child(session, draft, ChildDetails(
        "Leo", "Marsh", date(2016, 6, 2), "BL2 2NL"), None, stopped_at)
    referral_ops.stop_for_safeguarding(session, draft, actor, stopped_at)
    for ago, concern in CONCERNS:
        raise_concern(session, school.id, actor, concern, False,
                      f"demo-concern-{concern.first_name.lower()}", now - ago)
    session.flush()
    return 1 + len(CONCERNS)
