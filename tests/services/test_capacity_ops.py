"""Capacity below HTTP: one service's figures and a whole table at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.capacity_ops import CapacityRow, update_capacities, update_capacity
from services.errors import InvalidInput
from services.version import CapacityChange, current_version
from tests.factories import Cast, make_service


def test_it_refuses_negative_capacity(db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider)
    with pytest.raises(InvalidInput) as error:
        update_capacity(db, service, accepting=True, free_places=-1, waitlist_length=0,
                        typical_wait_days=None, user_id=None, user_name="x")
    assert error.value.errors == {"free_places": "Free places must be 0 or more"}


def test_it_records_who_updated_capacity_and_logs_the_change_without_a_new_version(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=1)
    db.commit()
    before = current_version(db)
    seen = db.execute(select(func.max(CapacityChange.seq))).scalar_one() or 0
    update_capacity(db, service, accepting=True, free_places=4, waitlist_length=2,
                    typical_wait_days=10, user_id=cast.worker.id, user_name="Sam, NHS")
    db.commit()
    assert service.capacity is not None
    assert (service.capacity.free_places, service.capacity.updated_by_id) == (4, cast.worker.id)
    assert current_version(db) == before
    logged = db.execute(select(CapacityChange.seq, CapacityChange.service_id)
                        .order_by(CapacityChange.seq)).all()
    assert logged[-1] == (seen + 1, service.id)


def test_it_saves_nothing_from_a_capacity_table_with_one_bad_row(db: Session, cast: Cast) -> None:
    first = make_service(db, cast.provider, free_places=1)
    second = make_service(db, cast.provider, free_places=1)
    db.commit()
    rows = {
        first.id: CapacityRow(True, "5", "0", ""),
        second.id: CapacityRow(True, "three", "0", ""),
    }
    with pytest.raises(InvalidInput) as error:
        update_capacities(db, [first, second], rows, cast.worker.id, "Sam")
    assert error.value.errors == {f"free_places-{second.id}": "Enter a whole number, like 3"}
    db.rollback()
    db.refresh(first)
    assert first.capacity is not None and first.capacity.free_places == 1
