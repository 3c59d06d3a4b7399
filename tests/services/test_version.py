"""The directory's change counters: a batch of capacity changes is logged as the same
changes one by one would be."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import version
from services.version import CapacityChange, record_capacity_change, record_capacity_changes
from tests.factories import Cast, make_service


def _log(db: Session) -> list[tuple[int, int]]:
    return [(seq, service_id) for seq, service_id in db.execute(
        select(CapacityChange.seq, CapacityChange.service_id).order_by(CapacityChange.seq))]


@pytest.mark.parametrize("already", [0, 2, 3])
def test_it_logs_a_batch_as_one_change_after_another(
        db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch, already: int) -> None:
    monkeypatch.setattr(version, "KEEP_CHANGES", 5)
    monkeypatch.setattr(version, "PRUNE_EVERY", 4)
    ids = [make_service(db).id for _ in range(3)]
    for n in range(already):
        record_capacity_change(db, ids[n % 3])
    changes = ids * 3
    one_by_one = db.begin_nested()
    numbers = [record_capacity_change(db, service_id) for service_id in changes]
    expected = _log(db)
    one_by_one.rollback()
    assert record_capacity_changes(db, changes) == numbers
    assert _log(db) == expected
    # Pruned: only the latest KEEP_CHANGES at the last multiple of PRUNE_EVERY stay.
    assert expected[0][0] > 1
    assert record_capacity_changes(db, []) == []
