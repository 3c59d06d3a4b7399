"""Accepting takes a place atomically: concurrent acceptances never overbook."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.models import Referral, Status
from services.listings import Capacity
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral

THREADS = 50
ROUNDS = 20


def _race(app, db: Session, cast: Cast, places: int) -> None:  # type: ignore[no-untyped-def]
    engine = app.extensions["sqlalchemy"].engine
    service = make_service(db, cast.provider, free_places=places, needs=("MHW",))
    template = sent_referral(db, cast, service, opened=True)
    # The other 49 are copies made in one go: the form is not what is under test.
    referrals = [template] + [
        Referral(
            reference=ops.new_reference(),
            request_id=template.request_id,
            child_id=template.child_id,
            school_id=template.school_id,
            referrer_id=template.referrer_id,
            service_id=service.id,
            organisation_id=service.organisation_id,
            needs=template.needs,
            status=Status.OPENED,
            risk_rank=n % 4,
        )
        for n in range(THREADS - 1)
    ]
    db.add_all(referrals)
    db.commit()
    ids = [r.id for r in referrals]
    manager = actor(cast.manager)
    outcomes: dict[int, ops.AcceptOutcome | Exception] = {}
    start = threading.Barrier(THREADS)

    def accept(referral_id: int) -> None:
        with Session(engine) as session:
            start.wait()
            try:
                referral = session.get(Referral, referral_id)
                assert referral is not None
                outcome = ops.accept_referral(session, referral, manager, ops_now())
                session.commit()
                outcomes[referral_id] = outcome
            except Exception as error:
                session.rollback()
                outcomes[referral_id] = error

    threads = [threading.Thread(target=accept, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert not errors, errors[:3]
    db.expire_all()
    statuses = db.execute(select(Referral.status).where(Referral.id.in_(ids))).scalars().all()
    accepted = [o for o in outcomes.values() if isinstance(o, ops.AcceptOutcome) and o.accepted]
    losers = [o for o in outcomes.values() if isinstance(o, ops.AcceptOutcome) and not o.accepted]
    assert len(statuses) == THREADS  # no referral lost
    assert statuses.count(Status.ACCEPTED) == len(accepted) == min(places, THREADS)
    assert statuses.count(Status.WAITLISTED) == len(losers) == THREADS - places
    assert all(o.position and "wait-list" in o.message for o in losers)
    positions = sorted(o.position for o in losers)  # type: ignore[type-var]
    assert positions[-1] <= THREADS - places
    free = db.execute(
        select(Capacity.free_places).where(Capacity.service_id == service.id)
    ).scalar_one()
    assert free == 0


def ops_now():  # type: ignore[no-untyped-def]
    from services.db import utcnow

    return utcnow()


@pytest.mark.slow
@pytest.mark.parametrize("places", [1, 5])
def test_it_concurrent_acceptances_never_take_more_places_than_exist(
    app, db: Session, cast: Cast, places: int
) -> None:
    # No timing assertion: speed is measured by benchmarks, never by tests.
    for _ in range(ROUNDS):
        _race(app, db, cast, places)
