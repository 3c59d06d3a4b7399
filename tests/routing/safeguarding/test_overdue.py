"""Items not actioned in time: the working-day rule, the stuck list, its school scope,
and telling the coordinator once."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.lifecycle import SYSTEM
from routing.referrals.outbox import OutboxMessage
from routing.referrals.stuck import StuckKind, StuckScope, stuck_counts, stuck_page
from routing.safeguarding import operations as ops
from routing.safeguarding.deadlines import due_at, is_overdue
from routing.safeguarding.models import SafeguardingItem
from routing.safeguarding.queue import lead_queue, overdue_entries
from tests.factories import Cast
from tests.routing.referrals.helpers import actor


@pytest.mark.parametrize(("raised", "days", "due"), [
    # Monday morning: Tuesday at the same time.
    (datetime(2026, 11, 30, 9, 0), 1, datetime(2026, 12, 1, 9, 0)),
    # Friday afternoon: over the weekend to Monday.
    (datetime(2026, 12, 4, 15, 30), 1, datetime(2026, 12, 7, 15, 30)),
    # Saturday: the first working day after it.
    (datetime(2026, 12, 5, 11, 0), 1, datetime(2026, 12, 7, 11, 0)),
    # Christmas Eve: Christmas Day, the weekend and the Boxing Day substitute skipped.
    (datetime(2026, 12, 24, 10, 0), 1, datetime(2026, 12, 29, 10, 0)),
    # Thursday before Easter, two working days: Good Friday and Easter Monday skipped.
    (datetime(2026, 4, 2, 12, 0), 2, datetime(2026, 4, 8, 12, 0)),
    (datetime(2026, 11, 30, 9, 0), 0, datetime(2026, 11, 30, 9, 0)),
])
def test_it_an_item_is_due_the_given_working_days_later_at_the_same_time(
    raised: datetime, days: int, due: datetime
) -> None:
    assert due_at(raised, days) == due
    assert not is_overdue(raised, days, due - timedelta(minutes=1))
    assert is_overdue(raised, days, due)


def _item(db: Session, cast: Cast, at: datetime, school: int | None = None) -> SafeguardingItem:
    data = ops.ConcernInput(kind="wellbeing", first_name="Kai", known_school="Castle Hill",
                            details="Bruises twice this week")
    user = cast.staff if school is None else cast.other_staff
    return ops.raise_concern(db, school or cast.school.id, actor(user), data, None,
                             secrets.token_urlsafe(24), at)


FRIDAY = datetime(2026, 12, 4, 15, 30)


def test_it_lists_an_unactioned_item_once_its_working_day_has_passed(
    db: Session, cast: Cast
) -> None:
    item = _item(db, cast, FRIDAY)
    db.flush()
    for now, listed in [(datetime(2026, 12, 5, 23, 0), False),  # Saturday night
                        (datetime(2026, 12, 7, 15, 29), False),  # Monday, a minute early
                        (datetime(2026, 12, 7, 15, 30), True)]:
        scope = StuckScope(now, safeguarding_days=1)
        assert stuck_counts(db, scope)[StuckKind.SAFEGUARDING_NOT_ACTIONED] == int(listed), now
    page = stuck_page(db, StuckScope(datetime(2026, 12, 8, 9, 0), safeguarding_days=1))
    (entry,) = page.sections[StuckKind.SAFEGUARDING_NOT_ACTIONED]
    assert entry.safeguarding is not None and entry.safeguarding.item.id == item.id
    assert entry.waited == 2  # Monday and Tuesday
    # With a threshold of three working days it is not late yet.
    assert stuck_counts(db, StuckScope(datetime(2026, 12, 8, 9, 0), safeguarding_days=3))[
        StuckKind.SAFEGUARDING_NOT_ACTIONED] == 0


def test_it_a_decided_item_leaves_the_list(db: Session, cast: Cast) -> None:
    item = _item(db, cast, FRIDAY)
    later = datetime(2026, 12, 9, 9, 0)
    assert len(overdue_entries(db, later, 1, None)) == 1
    ops.decide(db, item, actor(cast.dsl),
               ops.DecisionInput(decision="in_school", note="Pastoral plan"), later)
    assert overdue_entries(db, later, 1, None) == []


def test_it_the_list_and_the_queue_are_scoped_to_the_schools(db: Session, cast: Cast) -> None:
    ours = _item(db, cast, FRIDAY)
    theirs = _item(db, cast, FRIDAY, school=cast.other_school.id)
    later = datetime(2026, 12, 9, 9, 0)
    every = [e.item.id for e in overdue_entries(db, later, 1, None)]
    assert every == [ours.id, theirs.id]
    assert [e.item.id for e in overdue_entries(db, later, 1, [cast.school.id])] == [ours.id]
    assert [e.item.id for e in overdue_entries(db, later, 1, [])] == []
    queue = lead_queue(db, [cast.other_school.id], later, 1)
    assert [e.item.id for e in queue.open] == [theirs.id] and queue.overdue == 1


def test_it_tells_the_coordinator_once_about_each_late_item(db: Session, cast: Cast) -> None:
    late = _item(db, cast, FRIDAY)
    _item(db, cast, datetime(2026, 12, 7, 14, 0))  # Monday: due Tuesday 14:00
    now = datetime(2026, 12, 8, 9, 0)
    assert [i.id for i in ops.escalate_overdue(db, now, 1, SYSTEM)] == [late.id]
    assert ops.escalate_overdue(db, now + timedelta(hours=1), 1, SYSTEM) == []
    told = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == "safeguarding_overdue")).scalars().all()
    assert [(m.recipient, m.reference) for m in told] == [(cast.coordinator.email,
                                                           late.reference)]
    assert late.escalated_at == now
    assert late.events[-1].summary.startswith("Not actioned within 1 working day")
