"""Re-routing a declined referral and reminding a provider are safe when 20 people
(or one person's 20 clicks) do them at once: one onward referral, one reminder a day.

Each thread has its own session and connection, as each web worker does; on
PostgreSQL (TEST_DATABASE_URL) they truly run at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.lifecycle import TransitionRefused
from routing.referrals.models import Referral, ReferralEvent
from routing.referrals.outbox import OutboxMessage
from routing.referrals.reminders import remind_provider
from services.db import utcnow
from services.errors import AlreadyDone, InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral

THREADS = 20
ROUNDS = 20


def _together(app: Flask, work: Callable[[Session], None]) -> list[BaseException]:
    """Run ``work`` in THREADS threads at once, each with its own session; return the
    unexpected errors (refusals for the user are expected)."""
    engine = app.extensions["sqlalchemy"].engine
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context(), Session(engine) as session:
            start.wait()
            try:
                work(session)
                session.commit()
            except (InvalidInput, AlreadyDone, TransitionRefused):
                session.rollback()
            except Exception as error:
                session.rollback()
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.slow
def test_it_reroutes_a_declined_referral_once_however_many_click_at_once(
    app: Flask, db: Session, cast: Cast
) -> None:
    first = make_service(db, cast.provider, name="Declines", needs=("MHW",))
    onward = make_service(db, cast.provider, name="Takes it", needs=("MHW",), free_places=100)
    staff = actor(cast.staff)
    onward_id = onward.id
    for _ in range(ROUNDS):
        declined = sent_referral(db, cast, first, opened=True)
        ops.decline_referral(db, declined, actor(cast.manager), utcnow(), "no_capacity", "Full")
        db.commit()
        declined_id = declined.id

        def reroute(session: Session, declined_id: int = declined_id) -> None:
            referral = session.get(Referral, declined_id)
            assert referral is not None
            ops.reroute_need(session, referral, onward_id, staff, utcnow())

        errors = _together(app, reroute)
        assert not errors, errors[:3]
        made = db.execute(
            select(func.count()).where(Referral.rerouted_from_id == declined_id)
        ).scalar_one()
        assert made == 1


@pytest.mark.slow
def test_it_sends_one_reminder_however_many_click_at_once(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, name="Slow to open", needs=("MHW",))
    service.contact_email = "intake@slow.test"
    coordinator = actor(cast.coordinator)
    for _ in range(ROUNDS):
        waiting = sent_referral(db, cast, service)
        db.commit()
        waiting_id = waiting.id

        def remind(session: Session, waiting_id: int = waiting_id) -> None:
            referral = session.get(Referral, waiting_id)
            assert referral is not None
            remind_provider(session, referral, coordinator, utcnow(), "Please look")

        errors = _together(app, remind)
        assert not errors, errors[:3]
        reminders = db.execute(
            select(func.count()).where(
                ReferralEvent.referral_id == waiting_id, ReferralEvent.is_reminder)
        ).scalar_one()
        emails = db.execute(
            select(func.count()).where(
                OutboxMessage.reference == waiting.reference,
                OutboxMessage.template == "referral_reminder")
        ).scalar_one()
        assert (reminders, emails) == (1, 1)
