"""A provider records progress on a referral in progress: the timeline, the family's page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.models import Referral, ReferralEvent, Status
from routing.referrals.progress_notes import record_progress
from services.db import utcnow
from services.errors import AlreadyDone, InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral

BORN = date(2015, 3, 14)  # complete_draft's date of birth


def _in_progress(db: Session, cast: Cast) -> Referral:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    start = utcnow() - timedelta(days=3)
    ops.accept_referral(db, referral, actor(cast.manager), start)
    ops.record_first_contact(db, referral, actor(cast.manager), start, "First session on Monday")
    db.flush()
    return referral


def test_it_records_a_note_on_the_timeline_and_gives_the_family_the_new_next_step(
    db: Session, cast: Cast
) -> None:
    referral = _in_progress(db, cast)
    _, token = issue_link(db, referral.child_id, cast.staff)
    now = utcnow()
    event = record_progress(db, referral, actor(cast.worker), now, "  Second session held. ",
                            "Third session on 12 March")
    db.flush()
    assert (event.from_status, event.to_status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)
    assert event.reason == ("Progress: Second session held. Next step for the family: "
                            "Third session on 12 March")
    assert event.actor_id == cast.worker.id
    assert referral.status is Status.IN_PROGRESS and referral.next_step == \
        "Third session on 12 March"
    (view,) = progress.check_and_show(db, token, BORN, "192.0.2.1", now)
    assert view.next_step == "Third session on 12 March"
    # The family's "Last update" is the note, not the first contact three days before.
    assert view.last_update == now


def test_it_keeps_the_familys_next_step_when_none_is_given(db: Session, cast: Cast) -> None:
    referral = _in_progress(db, cast)
    event = record_progress(db, referral, actor(cast.manager), utcnow(), "Phoned mum")
    assert event.reason == "Progress: Phoned mum"
    assert referral.next_step == "First session on Monday"


def test_it_refuses_a_blank_or_overlong_note_and_a_referral_not_in_progress(
    db: Session, cast: Cast
) -> None:
    referral = _in_progress(db, cast)
    with pytest.raises(InvalidInput) as blank:
        record_progress(db, referral, actor(cast.manager), utcnow(), "   ", "x" * 1001)
    assert set(blank.value.errors) == {"note", "next_step"}
    with pytest.raises(InvalidInput) as long_note:
        record_progress(db, referral, actor(cast.manager), utcnow(), "x" * 2001)
    assert long_note.value.errors == {"note": "What happened must be 2,000 characters or fewer"}
    opened = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    with pytest.raises(InvalidInput) as not_started:
        record_progress(db, opened, actor(cast.manager), utcnow(), "Met the family")
    assert "this referral is opened" in not_started.value.errors["note"]
    notes = db.execute(select(ReferralEvent).where(
        ReferralEvent.to_status == Status.IN_PROGRESS,
        ReferralEvent.from_status == Status.IN_PROGRESS)).scalars().all()
    assert notes == []


def test_it_records_a_double_submitted_note_once_but_the_same_words_later_again(
    db: Session, cast: Cast
) -> None:
    referral = _in_progress(db, cast)
    now = utcnow()
    record_progress(db, referral, actor(cast.manager), now, "Session held", "Next week")
    db.flush()
    with pytest.raises(AlreadyDone):
        record_progress(db, referral, actor(cast.manager), now + timedelta(seconds=1),
                        "Session held", "Next week")
    record_progress(db, referral, actor(cast.manager), now + timedelta(days=7),
                    "Session held", "Next week")
    db.flush()
    reasons = db.execute(select(ReferralEvent.reason).where(
        ReferralEvent.referral_id == referral.id,
        ReferralEvent.from_status == Status.IN_PROGRESS)).scalars().all()
    assert reasons == ["Progress: Session held. Next step for the family: Next week"] * 2
