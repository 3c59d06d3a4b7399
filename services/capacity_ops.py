"""Operations on a service's capacity."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from routing.referrals.lifecycle import Actor
from services.audit_trail import actor_label, audit_listing
from services.bounds import MAX_COUNT
from services.db import utcnow
from services.errors import InvalidInput
from services.listings import Capacity, Service
from services.version import record_capacity_change


def check_capacity(free_places: int, waitlist_length: int,
                   typical_wait_days: int | None) -> None:
    """Raise InvalidInput, keyed by form field, for negative or implausible figures."""
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
    record_change: bool = True,
) -> Capacity:
    """Record a provider's new capacity figures for one service.

    ``record_change=False``: the caller logs the change itself, with others
    (``services.version.record_capacity_changes``; an import logs all of its changes
    together, last). Raises InvalidInput for negative or implausible figures.
    """
    check_capacity(free_places, waitlist_length, typical_wait_days)
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
    if record_change:
        record_capacity_change(session, service.id)
    return capacity


@dataclass(frozen=True)
class CapacityRow:
    accepting: bool
    free_places: str
    waitlist_length: str
    typical_wait_days: str


@dataclass(frozen=True)
class TableSaved:
    """What one save of the capacity table did: rows whose figures changed, and rows
    whose unchanged figures were confirmed as still right."""

    changed: int
    confirmed: int


# Every service's figures in the table, as opposed to some services' ids.
ALL_ROWS = "all"


def update_capacities(
    session: Session,
    services: Sequence[Service],
    rows: Mapping[int, CapacityRow],
    actor: Actor,
    *,
    confirm: Collection[int] | str = (),
    now: datetime | None = None,
) -> TableSaved:
    """Apply a capacity table: all rows valid, or nothing saved.

    Only rows whose figures differ from the stored ones are updated (and dated
    today): saving a table nobody edited changes nothing, so an old figure never
    looks fresh. Rows in ``confirm`` (``ALL_ROWS`` for every row) that did not
    change are confirmed as still right: dated today, figures kept. Each change and
    confirmation is audited.

    Raises InvalidInput keyed ``<field>-<service id>``.
    """
    now = now or utcnow()
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
        if not any(key.endswith(f"-{service.id}") for key in errors):
            # The limits of one service's figures, keyed to this row's fields so each
            # message sits beside the number that broke it.
            try:
                check_capacity(*parsed[service.id][1:])
            except InvalidInput as refused:
                errors.update({f"{name}-{service.id}": message
                               for name, message in refused.errors.items()})
    if errors:
        raise InvalidInput(errors)
    user_name = actor_label(actor)
    changed = confirmed = 0
    for service in services:
        figures = parsed.get(service.id)
        if figures is not None and figures != _figures(service.capacity):
            accepting, free, waitlist, wait_days = figures
            update_capacity(session, service, accepting=accepting, free_places=free,
                            waitlist_length=waitlist, typical_wait_days=wait_days,
                            user_id=actor.user_id, user_name=user_name, now=now)
            audit_listing(session, actor, "capacity_changed", service.id, now)
            changed += 1
        elif confirm == ALL_ROWS or (not isinstance(confirm, str) and service.id in confirm):
            confirm_capacity(session, service, actor, now)
            confirmed += 1
    return TableSaved(changed, confirmed)


def confirm_capacity(session: Session, service: Service, actor: Actor, now: datetime) -> None:
    """Record that ``service``'s figures are still right: dated ``now``, by ``actor``,
    figures kept; audited. A service with no figures yet is given none."""
    capacity = service.capacity
    if capacity is None:
        return
    capacity.updated_at = now
    capacity.updated_by_id = actor.user_id
    capacity.updated_by_name = actor_label(actor)
    record_capacity_change(session, service.id)
    audit_listing(session, actor, "capacity_confirmed", service.id, now)


def _figures(capacity: Capacity | None) -> tuple[bool, int, int, int | None] | None:
    if capacity is None:
        return None
    return (capacity.accepting, capacity.free_places, capacity.waitlist_length,
            capacity.typical_wait_days)
