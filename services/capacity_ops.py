"""Operations on a service's capacity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from services.bounds import MAX_COUNT
from services.db import utcnow
from services.errors import InvalidInput
from services.listings import Capacity, Service
from services.version import record_capacity_change


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
    record_capacity_change(session, service.id)
    return capacity


@dataclass(frozen=True)
class CapacityRow:
    accepting: bool
    free_places: str
    waitlist_length: str
    typical_wait_days: str


def update_capacities(
    session: Session,
    services: Sequence[Service],
    rows: Mapping[int, CapacityRow],
    user_id: int,
    user_name: str,
) -> int:
    """Apply a whole capacity table at once: all rows valid, or nothing saved.

    Raises InvalidInput keyed ``<field>-<service id>``. Returns how many
    services were updated.
    """
    parsed: dict[int, tuple[bool, int, int, int | None]] = {}
    errors: dict[str, str] = {}
    for service in services:
        row = rows.get(service.id)
        if row is None:
            continue
        values: list[int | None] = []
        for name, text, required in (
            ("free_places", row.free_places, True),
            ("waitlist_length", row.waitlist_length, True),
            ("typical_wait_days", row.typical_wait_days, False),
        ):
            text = text.strip()
            if not text and not required:
                values.append(None)
                continue
            try:
                number = int(text)
            except ValueError:
                errors[f"{name}-{service.id}"] = "Enter a whole number, like 3"
                values.append(None)
                continue
            if number < 0:
                errors[f"{name}-{service.id}"] = "Enter 0 or more"
            elif number > MAX_COUNT:
                errors[f"{name}-{service.id}"] = f"Enter a number up to {MAX_COUNT:,}"
            values.append(number)
        parsed[service.id] = (row.accepting, values[0] or 0, values[1] or 0, values[2])
    if errors:
        raise InvalidInput(errors)
    changed = 0
    for service in services:
        if service.id not in parsed:
            continue
        accepting, free, waitlist, wait_days = parsed[service.id]
        # Saving a row confirms its figures even when unchanged: freshness
        # counts in ranking, so "still 3 places" is worth recording.
        update_capacity(
            session,
            service,
            accepting=accepting,
            free_places=free,
            waitlist_length=waitlist,
            typical_wait_days=wait_days,
            user_id=user_id,
            user_name=user_name,
        )
        changed += 1
    return changed
