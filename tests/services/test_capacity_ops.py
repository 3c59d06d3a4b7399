"""Capacity below HTTP: one service's figures and a whole table at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from services.capacity_ops import ALL_ROWS, CapacityRow, update_capacities, update_capacity
from services.errors import InvalidInput
from services.listings import Service
from services.version import CapacityChange, current_version
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor


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
        update_capacities(db, [first, second], rows, actor(cast.worker))
    assert error.value.errors == {f"free_places-{second.id}": "Enter a whole number, like 3"}
    db.rollback()
    db.refresh(first)
    assert first.capacity is not None and first.capacity.free_places == 1


def _unedited(service: Service) -> CapacityRow:
    capacity = service.capacity
    assert capacity is not None
    wait = capacity.typical_wait_days
    return CapacityRow(capacity.accepting, str(capacity.free_places),
                       str(capacity.waitlist_length), "" if wait is None else str(wait))


def _dates(db: Session, *services: Service) -> list[datetime]:
    db.expire_all()
    return [service.capacity.updated_at for service in services
            if service.capacity is not None]


def _last_audit(db: Session) -> int:
    return db.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one()


def test_it_saving_a_table_nobody_edited_dates_no_row(db: Session, cast: Cast) -> None:
    """A coordinator's Save with no edits made 73 services look updated today."""
    old = make_service(db, cast.provider, updated_days_ago=9)
    older = make_service(db, cast.provider, updated_days_ago=40, typical_wait_days=None)
    db.commit()
    before = _dates(db, old, older)
    mark = _last_audit(db)
    saved = update_capacities(db, [old, older], {s.id: _unedited(s) for s in (old, older)},
                              actor(cast.coordinator))
    db.commit()
    assert (saved.changed, saved.confirmed) == (0, 0)
    assert _dates(db, old, older) == before
    # Nothing changed, so nothing is audited: no directory event and no changed record.
    assert _last_audit(db) == mark


def test_it_dates_and_audits_only_the_rows_whose_figures_changed(
    db: Session, cast: Cast
) -> None:
    edited = make_service(db, cast.provider, free_places=3, updated_days_ago=9)
    untouched = make_service(db, cast.provider, updated_days_ago=9)
    db.commit()
    now = datetime(2026, 11, 30, 10, 0)
    rows = {edited.id: CapacityRow(True, "2", "0", "14"), untouched.id: _unedited(untouched)}
    kept = _dates(db, untouched)
    mark = _last_audit(db)
    saved = update_capacities(db, [edited, untouched], rows, actor(cast.worker), now=now)
    db.commit()
    assert (saved.changed, saved.confirmed) == (1, 0)
    assert _dates(db, edited, untouched) == [now, *kept]
    actions = db.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.detail)
                         .where(AuditEvent.id > mark)
                         .order_by(AuditEvent.id)).all()
    # The directory's event with who did it, and the record's changed fields; only the
    # edited row's.
    assert sorted(actions) == sorted([
        (f"capacity_changed: service {edited.id}", cast.worker.id, ""),
        ("capacity_changed", None, "free_places, updated_by_id, updated_by_name")])


def test_it_confirms_one_row_or_every_row_as_still_right(db: Session, cast: Cast) -> None:
    first = make_service(db, cast.provider, free_places=3, updated_days_ago=9)
    second = make_service(db, cast.provider, free_places=1, updated_days_ago=20)
    db.commit()
    now = datetime(2026, 11, 30, 10, 0)
    rows = {s.id: _unedited(s) for s in (first, second)}
    kept = _dates(db, second)
    saved = update_capacities(db, [first, second], rows, actor(cast.worker), now=now,
                              confirm={first.id})
    db.commit()
    assert (saved.changed, saved.confirmed) == (0, 1)
    assert _dates(db, first, second) == [now, *kept]
    assert first.capacity is not None and first.capacity.free_places == 3  # figures kept
    later = now + timedelta(hours=1)
    saved = update_capacities(db, [first, second], rows, actor(cast.worker), now=later,
                              confirm=ALL_ROWS)
    db.commit()
    assert (saved.changed, saved.confirmed) == (0, 2)
    assert _dates(db, first, second) == [later, later]
    confirmed = db.execute(select(AuditEvent.action).where(
        AuditEvent.action.startswith("capacity_confirmed"))).scalars().all()
    assert len(confirmed) == 3


def test_it_puts_a_figure_past_a_services_limits_beside_its_own_row(
    db: Session, cast: Cast
) -> None:
    # Below the table's overflow bound but past one service's plausible figures: the
    # message is keyed to the row's field, so the page shows it beside that number.
    first = make_service(db, cast.provider, free_places=1)
    second = make_service(db, cast.provider, free_places=1)
    db.commit()
    rows = {
        first.id: CapacityRow(True, "5", "0", ""),
        second.id: CapacityRow(True, "20000", "0", "800"),
    }
    with pytest.raises(InvalidInput) as error:
        update_capacities(db, [first, second], rows, actor(cast.worker))
    assert error.value.errors == {
        f"free_places-{second.id}": "Free places must be 10,000 or fewer",
        f"typical_wait_days-{second.id}": "Typical wait must be between 0 and 730 days",
    }
    db.rollback()
    db.refresh(first)
    assert first.capacity is not None and first.capacity.free_places == 1
