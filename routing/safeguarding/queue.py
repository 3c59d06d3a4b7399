"""Reading the queue: a lead's open and recent items, a member of staff's own, the items
not actioned in time, and a child's safeguarding timeline.

Open items are few by nature (a school's lead acts within a day), so the overdue rule
(``deadlines.due_at``) is applied in Python to the open items old enough in calendar
days to possibly be late, which SQL selects.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from routing.referrals.workdays import working_days_between
from routing.safeguarding.deadlines import due_at, raised_no_later_than
from routing.safeguarding.models import SafeguardingEvent, SafeguardingItem

RECENT = 20


@dataclass(frozen=True)
class QueueEntry:
    item: SafeguardingItem
    due: datetime
    overdue: bool
    waited: int  # working days since it was raised


@dataclass(frozen=True)
class Queue:
    """A lead's queue: open items oldest first, and the latest decided ones."""

    open: list[QueueEntry]
    decided: list[SafeguardingItem]

    @property
    def overdue(self) -> int:
        return sum(entry.overdue for entry in self.open)


def _in(school_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if school_ids is None else [SafeguardingItem.school_id.in_(list(school_ids))]


def _entry(item: SafeguardingItem, now: datetime, working_days: int) -> QueueEntry:
    due = due_at(item.raised_at, working_days)
    return QueueEntry(item, due, due <= now,
                      working_days_between(item.raised_at.date(), now.date()))


def lead_queue(
    session: Session, school_ids: Collection[int], now: datetime, working_days: int
) -> Queue:
    """The queue of the leads of ``school_ids``."""
    opened = session.execute(
        select(SafeguardingItem)
        .where(SafeguardingItem.decision.is_(None), *_in(school_ids))
        .options(selectinload(SafeguardingItem.school))
        .order_by(SafeguardingItem.raised_at, SafeguardingItem.id)
    ).scalars()
    decided = session.execute(
        select(SafeguardingItem)
        .where(SafeguardingItem.decision.is_not(None), *_in(school_ids))
        .order_by(SafeguardingItem.decided_at.desc(), SafeguardingItem.id.desc())
        .limit(RECENT)
    ).scalars()
    return Queue([_entry(item, now, working_days) for item in opened], list(decided))


def raised_by(session: Session, user_id: int) -> list[SafeguardingItem]:
    """What one member of staff recorded, newest first."""
    return list(session.execute(
        select(SafeguardingItem).where(SafeguardingItem.raised_by_id == user_id)
        .order_by(SafeguardingItem.raised_at.desc(), SafeguardingItem.id.desc())
        .limit(100)
    ).scalars())


def overdue_entries(
    session: Session, now: datetime, working_days: int, school_ids: Collection[int] | None
) -> list[QueueEntry]:
    """Open items not actioned within ``working_days`` working days, oldest first;
    limited to ``school_ids`` (None: every school)."""
    candidates = session.execute(
        select(SafeguardingItem)
        .where(SafeguardingItem.decision.is_(None),
               SafeguardingItem.raised_at <= raised_no_later_than(now, working_days),
               *_in(school_ids))
        .options(selectinload(SafeguardingItem.school))
        .order_by(SafeguardingItem.raised_at, SafeguardingItem.id)
    ).scalars()
    entries = [_entry(item, now, working_days) for item in candidates]
    return [entry for entry in entries if entry.overdue]


def child_events(
    session: Session, child_id: int, visible: ColumnElement[bool]
) -> list[SafeguardingEvent]:
    """A child's safeguarding timeline: every step on the items linked to their record
    that ``visible`` (a WHERE clause on SafeguardingItem) lets the reader see."""
    return list(session.execute(
        select(SafeguardingEvent)
        .join(SafeguardingItem, SafeguardingItem.id == SafeguardingEvent.item_id)
        .where(SafeguardingItem.child_id == child_id, visible)
        .options(selectinload(SafeguardingEvent.item))
        .order_by(SafeguardingEvent.at, SafeguardingEvent.id)
    ).scalars())
