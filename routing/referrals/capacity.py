"""Places: taken and freed with single conditional UPDATEs, so concurrent
acceptances can never take more places than exist (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, cast, func, or_, select, update
from sqlalchemy.orm import Session

from routing.referrals.models import Referral, Status
from services.listings import Capacity
from services.version import record_capacity_change


def take_place(session: Session, service_id: int) -> bool:
    """Take one free place for ``service_id``; False when none is left.

    The row count of the conditional UPDATE decides: the database serialises
    writers on the row (PostgreSQL re-checks the WHERE after a concurrent
    commit; SQLite allows one writer at a time), so no read-then-write race.
    """
    result = session.execute(
        update(Capacity)
        .where(Capacity.service_id == service_id, Capacity.free_places > 0)
        .values(free_places=Capacity.free_places - 1)
        .execution_options(synchronize_session=False)
    )
    taken = result.rowcount == 1  # type: ignore[attr-defined]
    if taken:
        record_capacity_change(session, service_id)
    return taken


def free_place(session: Session, service_id: int) -> None:
    """Give one place back to ``service_id``."""
    session.execute(
        update(Capacity)
        .where(Capacity.service_id == service_id)
        .values(free_places=Capacity.free_places + 1)
        .execution_options(synchronize_session=False)
    )
    record_capacity_change(session, service_id)


def change_waitlist(session: Session, service_id: int, by: int) -> None:
    """Keep the listed wait-list length in step with wait-listed referrals."""
    condition = [Capacity.service_id == service_id]
    if by < 0:
        condition.append(Capacity.waitlist_length >= -by)
    session.execute(
        update(Capacity)
        .where(*condition)
        .values(waitlist_length=Capacity.waitlist_length + by)
        .execution_options(synchronize_session=False)
    )
    record_capacity_change(session, service_id)


def _waitlist_keys(referral: Referral | None = None) -> list[tuple[Any, Any, bool]]:
    """The wait-list's order, as (column, this referral's value, higher first): urgent
    referrals first, then the highest risk, then the longest waiting. The referral
    form promises this order ("urgent needs come first when a place frees up")."""
    return [
        # As a number: SQL compares booleans only for equality.
        (cast(Referral.urgent, Integer), int(referral.urgent) if referral else None, True),
        (Referral.risk_rank, referral.risk_rank if referral else None, True),
        (Referral.waitlisted_at, referral.waitlisted_at if referral else None, False),
        (Referral.id, referral.id if referral else None, False),
    ]


def waitlist_order() -> tuple[Any, ...]:
    """ORDER BY terms: first in line first."""
    return tuple(column.desc() if higher else column
                 for column, _, higher in _waitlist_keys())


def waitlist_position(session: Session, referral: Referral) -> int:
    """1 for the first in line; counts only wait-listed referrals for the same service."""
    keys = _waitlist_keys(referral)
    # Lexicographic "comes before", built from the last key outwards.
    column, value, higher = keys[-1]
    ahead: ColumnElement[bool] = column > value if higher else column < value
    for column, value, higher in reversed(keys[:-1]):
        before = column > value if higher else column < value
        ahead = or_(before, and_(column == value, ahead))
    count = session.execute(
        select(func.count(Referral.id)).where(
            Referral.service_id == referral.service_id,
            Referral.status == Status.WAITLISTED,
            Referral.id != referral.id,
            ahead,
        )
    ).scalar_one()
    return int(count) + 1
