"""Typical waits measured from our own referral history feed the routing engine."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.history import measured_waits
from services.db import utcnow
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral


def _accept_after(db: Session, cast: Cast, service_id: int, days: float) -> None:
    from services.listings import Service

    service = db.get(Service, service_id)
    assert service is not None
    sent = utcnow() - timedelta(days=30)
    referral = sent_referral(db, cast, service, opened=True, now=sent)
    ops.accept_referral(db, referral, actor(cast.manager), sent + timedelta(days=days))


def test_it_measures_the_median_days_from_sending_to_acceptance(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=10)
    for days in (2, 4, 9):
        _accept_after(db, cast, service.id, days)
    db.commit()
    assert measured_waits(db) == {service.id: 4.0}


def test_it_ignores_services_with_too_few_acceptances(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=10)
    _accept_after(db, cast, service.id, 3)
    _accept_after(db, cast, service.id, 5)
    db.commit()
    assert measured_waits(db) == {}


def test_it_measures_only_the_services_asked_for(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=10)
    other = make_service(db, cast.provider, free_places=10)
    for days in (2, 4, 9):
        _accept_after(db, cast, service.id, days)
    db.commit()
    assert measured_waits(db, [service.id]) == {service.id: 4.0}
    assert measured_waits(db, [other.id]) == {}


def test_it_patches_the_measured_wait_into_the_running_index_on_acceptance(
        db: Session, cast: Cast) -> None:
    from routing.snapshot import SnapshotCache

    service = make_service(db, cast.provider, free_places=10, typical_wait_days=30)
    db.commit()
    cache = SnapshotCache(measured_waits=measured_waits)
    before = cache.get(db).index().service(service.id)
    assert before is not None and before.measured_wait_days is None
    for days in (2, 4, 9):
        _accept_after(db, cast, service.id, days)
    db.commit()
    after = cache.get(db).index().service(service.id)
    assert after is not None
    assert (after.measured_wait_days, after.free_places, cache.builds) == (4.0, 7, 1)
