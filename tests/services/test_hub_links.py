"""A service runs at a school only with the school's agreement."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.snapshot import read_directory
from services.errors import InvalidInput
from services.hub_links import agree_hub, decline_hub, hub_requests
from services.listing_ops import save_service
from services.listings import Service, ServiceSchool
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor
from tests.services.test_listing_ops import _input

NOW = datetime(2026, 11, 30, 10, 0)


def _hub_schools(db: Session, service: Service) -> list[int]:
    """The schools the routing engine places the service at (at-school points)."""
    db.flush()
    (record,) = [s for s in read_directory(db).snapshot.services if s.id == service.id]
    return [hub.school_id for hub in record.hubs]


def test_it_a_providers_new_school_hub_is_a_request_that_earns_nothing(
    db: Session, cast: Cast
) -> None:
    service = save_service(db, None, cast.provider.id,
                           _input(hub_school_ids=[cast.school.id], hub_days=["Monday"]),
                           actor=actor(cast.manager), now=NOW)
    (link,) = service.hubs
    assert (link.agreed, link.requested_at, link.requested_by_name) == (
        False, NOW, f"{cast.manager.name}, {cast.provider.name}")
    assert _hub_schools(db, service) == []
    assert [r.id for r in hub_requests(db, [cast.school.id])] == [link.id]
    assert hub_requests(db, [cast.other_school.id]) == []
    agree_hub(db, link, actor(cast.staff), NOW)
    assert _hub_schools(db, service) == [cast.school.id]
    assert hub_requests(db, None) == []
    actions = db.execute(select(AuditEvent.action, AuditEvent.actor_id)
                         .where(AuditEvent.action.startswith("hub_"))
                         .order_by(AuditEvent.id)).all()
    assert actions == [
        (f"hub_requested: service {service.id} school {cast.school.id}", cast.manager.id),
        (f"hub_agreed: service {service.id} school {cast.school.id}", cast.staff.id)]


def test_it_the_coordinator_agrees_for_the_school_when_listing_it(
    db: Session, cast: Cast
) -> None:
    service = save_service(db, None, cast.provider.id, _input(hub_school_ids=[cast.school.id]),
                           actor=actor(cast.coordinator), agree_hubs=True, now=NOW)
    assert service.hubs[0].agreed_by_name == f"{cast.coordinator.name}, {cast.council.name}"
    assert _hub_schools(db, service) == [cast.school.id]


def test_it_an_edit_keeps_an_agreed_hub_agreed_and_a_request_requested(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, modes=("venue", "school_hub"),
                           hubs=(cast.school,))
    save_service(db, service, cast.provider.id,
                 _input(hub_school_ids=[cast.school.id, cast.other_school.id]),
                 actor=actor(cast.manager), now=NOW)
    agreed = {hub.school_id: hub.agreed for hub in service.hubs}
    assert agreed == {cast.school.id: True, cast.other_school.id: False}
    assert _hub_schools(db, service) == [cast.school.id]


def test_it_a_declined_request_is_removed_and_an_agreed_hub_cannot_be_declined(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, hubs=(cast.school,), hubs_requested=True)
    (link,) = service.hubs
    decline_hub(db, link, actor(cast.staff), NOW)
    db.flush()
    db.expire_all()
    assert db.execute(select(ServiceSchool)).scalars().all() == []
    agreed = make_service(db, cast.provider, hubs=(cast.school,))
    with pytest.raises(InvalidInput):
        decline_hub(db, agreed.hubs[0], actor(cast.staff), NOW)
    agree_hub(db, agreed.hubs[0], actor(cast.staff), NOW)  # a double click: nothing new
    assert agreed.hubs[0].agreed_by_name == "Test school"
