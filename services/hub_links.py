"""A school's agreement to host a service: provider requests, school decisions.

A provider listing a school hub only requests it (``listing_ops.save_service``);
the school's staff, or the hub coordinator, agree or decline here. Only agreed
links are counted by the routing engine and published.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from routing.referrals.lifecycle import Actor
from services.audit_trail import actor_label, audit_listing
from services.errors import InvalidInput
from services.listings import Service, ServiceSchool
from services.version import bump_version


def hub_requests(session: Session, school_ids: Collection[int] | None) -> list[ServiceSchool]:
    """Links waiting for a school's agreement, oldest first: at ``school_ids`` (None:
    every school, for the coordinator)."""
    query = (
        select(ServiceSchool)
        .where(ServiceSchool.agreed_at.is_(None))
        .options(selectinload(ServiceSchool.school),
                 selectinload(ServiceSchool.service).selectinload(Service.organisation))
        .order_by(ServiceSchool.requested_at, ServiceSchool.id)
    )
    if school_ids is not None:
        query = query.where(ServiceSchool.school_id.in_(list(school_ids)))
    return list(session.execute(query).scalars())


def agree_hub(session: Session, link: ServiceSchool, actor: Actor, now: datetime) -> None:
    """The school agrees the service runs there: from now on it counts in routing and
    is published. Agreeing twice (a double click) changes nothing."""
    if link.agreed_at is not None:
        return
    link.agreed_at = now
    link.agreed_by_name = actor_label(actor)
    audit_listing(session, actor, "hub_agreed", link.service_id, now, link.school_id)
    bump_version(session)  # the engine now places the service at the school


def decline_hub(session: Session, link: ServiceSchool, actor: Actor, now: datetime) -> None:
    """The school declines a request: the link is removed (audited).

    Raises InvalidInput when the link was already agreed (withdrawing an agreement is
    the provider's edit or the coordinator's).
    """
    if link.agreed_at is not None:
        raise InvalidInput({"": "The school has already agreed to host this service"})
    audit_listing(session, actor, "hub_declined", link.service_id, now, link.school_id)
    session.delete(link)
