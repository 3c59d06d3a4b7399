"""What the retention purge will delete, and when: the data protection officer's view of
the rules in ``retention.py``, read through the same rule functions the purge applies
(nothing here knows a period or a condition of its own). Only reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals.merge import ChildMerge, merges_due_by
from routing.referrals.retention import (
    RULES,
    RetentionPolicy,
    Rule,
    children_due_on,
    orphan_children,
)

# The page looks this far ahead.
AHEAD_DAYS = 30
# At most this many children's records are listed one by one (each listed is audited);
# beyond it, the page gives the number.
MAX_RECORDS = 200


@dataclass(frozen=True)
class DueDay:
    day: date
    count: int


@dataclass
class DueKind:
    """Rows of one kind: how many are overdue (due, the purge has not yet run) and how
    many fall due on each of the coming days."""

    key: str
    words: str
    then: str
    overdue: int = 0
    days: list[DueDay] = field(default_factory=list)

    @property
    def coming(self) -> int:
        return sum(day.count for day in self.days)


@dataclass(frozen=True)
class DueRecord:
    """One child's record the purge will delete: its number, when, and under which rule."""

    child_id: int
    due: datetime
    overdue: bool
    why: str


@dataclass
class DueReport:
    now: datetime
    until: datetime
    records: list[DueRecord]
    # How many records are due in all (more than ``records`` lists beyond MAX_RECORDS).
    records_due: int
    kinds: list[DueKind]

    @property
    def child_ids(self) -> list[int]:
        return [record.child_id for record in self.records]


def _as_date(value: object) -> date:
    # SQLite's date() gives text, PostgreSQL's a date.
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _kind(session: Session, rule: Rule, policy: RetentionPolicy, now: datetime,
          until: datetime) -> DueKind:
    kind = DueKind(rule.key, rule.words, rule.then)
    kind.overdue = int(session.execute(
        select(func.count()).select_from(rule.model).where(*rule.due_by(policy, now))
    ).scalar_one())
    period = rule.period(policy)
    day = func.date(rule.moment)
    rows = session.execute(
        select(day, func.count()).select_from(rule.model)
        .where(*rule.due_by(policy, until), rule.moment >= period.before(now))
        .group_by(day).order_by(day))
    for counted_on, count in rows:
        moment = datetime.combine(_as_date(counted_on), datetime.min.time())
        kind.days.append(DueDay(period.after(moment).date(), int(count)))
    return kind


def _records(session: Session, policy: RetentionPolicy, now: datetime,
             until: datetime) -> list[DueRecord]:
    overdue = set(children_due_on(session, policy, now))
    found = [DueRecord(child_id, due, child_id in overdue,
                       "Referrals closed, the closed-referral period over")
             for child_id, due in children_due_on(session, policy, until).items()]
    found += [DueRecord(child_id, now, True, "Named by no referral or form (its unsent "
                                             "forms were deleted)")
              for child_id in orphan_children(session)]
    for merge in session.execute(select(ChildMerge).where(*merges_due_by(until))).scalars():
        due = merge.undo_until()
        found.append(DueRecord(merge.merged_child_id, due, due < now,
                               f"Merged into record {merge.surviving_child_id}, the merge "
                               "no longer undoable"))
    return sorted(found, key=lambda record: (record.due, record.child_id))


def due_for_deletion(
    session: Session, policy: RetentionPolicy, now: datetime, ahead_days: int = AHEAD_DAYS
) -> DueReport:
    """What the purge would delete if it ran now (overdue), and what falls due in the
    next ``ahead_days`` days: children's records one by one (at most MAX_RECORDS listed),
    every other kind counted by the day it falls due."""
    until = now + timedelta(days=ahead_days)
    records = _records(session, policy, now, until)
    return DueReport(now, until, records[:MAX_RECORDS], len(records),
                     [_kind(session, rule, policy, now, until) for rule in RULES])
