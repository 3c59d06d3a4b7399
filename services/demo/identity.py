"""The demo's identity examples: a child's details corrected on their page (a second
version), and two records of one child merged by Tonge Moor's safeguarding lead, still
undoable. Written through the same operations as the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.children import ChildDetails
from routing.referrals.corrections import IdentityCorrection, correct_identity
from routing.referrals.lifecycle import Actor
from routing.referrals.merge import ChildMerge, merge_children
from routing.referrals.models import Child, ReferralRequest
from services.accounts.models import User
from services.demo.referral_stories import DUPLICATE_STORY, DUPLICATED_STORY
from services.demo.referrals import START_KEY_PREFIX

STAFF_EMAIL = "staff.tongemoor@demo.familyhub.test"
DSL_EMAIL = "dsl.tongemoor@demo.familyhub.test"
CORRECTED_STORY = "alfie-brackenridge"
# A valid unique pupil number (python-stdnum's check letter), invented.
DEMO_UPN = "B801200005001"


def _actor(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


def _child_of_story(session: Session, key: str) -> Child | None:
    return session.execute(
        select(Child).join(ReferralRequest, ReferralRequest.child_id == Child.id)
        .where(ReferralRequest.start_key == START_KEY_PREFIX + key)).scalar_one_or_none()


def add_identity_examples(session: Session, now: datetime) -> int:
    """Correct one child's details and merge the demo's duplicate record; how many
    examples were made (0 when already made, or the stories or staff are missing)."""
    if session.execute(select(ChildMerge.id)).first() is not None:
        return 0
    users = {u.email: u for u in session.execute(
        select(User).where(User.email.in_([STAFF_EMAIL, DSL_EMAIL]))).scalars()}
    corrected = _child_of_story(session, CORRECTED_STORY)
    original = _child_of_story(session, DUPLICATED_STORY)
    duplicate = _child_of_story(session, DUPLICATE_STORY)
    if len(users) < 2 or corrected is None or original is None or duplicate is None:
        return 0
    correct_identity(session, corrected, IdentityCorrection(
        ChildDetails(corrected.first_name, corrected.last_name, corrected.date_of_birth,
                     corrected.home_postcode, DEMO_UPN, corrected.nhs_number or ""),
        corrected.school_id, "Unique pupil number added from the school's records"),
        _actor(users[STAFF_EMAIL]), now - timedelta(days=8), (corrected.school_id,))
    merge_children(session, original, duplicate, {},
                   "Same child: surname misspelled on the second referral; date of birth and "
                   "address checked with Isla's mum", _actor(users[DSL_EMAIL]),
                   now - timedelta(days=4), (original.school_id,))
    return 2
