"""Operations on a service's capacity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import InvalidInput
from services.listings import Capacity, Service
from services.version import bump_version


def update_capacity(
    session: Session,
    service: Service,
    *,
    accepting: bool,
    free_places: int,
    waitlist_length: int,
    typical_wait_days: int | None,
    user_id: int | None,
    user_name: str,
    now: datetime | None = None,
) -> Capacity:
    """Record a provider's new capacity figures for one service.

    Raises InvalidInput for negative or implausible figures.
    """
    errors: dict[str, str] = {}
    if free_places < 0:
        errors["free_places"] = "Free places must be 0 or more"
    elif free_places > 10_000:
        errors["free_places"] = "Free places must be 10,000 or fewer"
    if waitlist_length < 0:
        errors["waitlist_length"] = "Wait-list length must be 0 or more"
    if typical_wait_days is not None and not 0 <= typical_wait_days <= 730:
        errors["typical_wait_days"] = "Typical wait must be between 0 and 730 days"
    if errors:
        raise InvalidInput(errors)
    capacity = service.capacity
    if capacity is None:
        capacity = Capacity(service_id=service.id)
        service.capacity = capacity
    capacity.accepting = accepting
    capacity.free_places = free_places
    capacity.waitlist_length = waitlist_length
    capacity.typical_wait_days = typical_wait_days
    capacity.updated_at = now or utcnow()
    capacity.updated_by_id = user_id
    capacity.updated_by_name = user_name
    bump_version(session)
    return capacity
