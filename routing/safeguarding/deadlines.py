"""When a safeguarding item must have been actioned: the rule, written once."""

from __future__ import annotations

from datetime import datetime, timedelta

from routing.referrals.workdays import is_working_day


def due_at(raised_at: datetime, working_days: int) -> datetime:
    """The moment an item raised at ``raised_at`` is overdue: the same time of day,
    ``working_days`` working days later (weekends and England and Wales bank holidays
    skipped). Raised on Friday at 15:00 with one working day: due on Monday at 15:00."""
    moment = raised_at
    for _ in range(working_days):
        moment += timedelta(days=1)
        while not is_working_day(moment.date()):
            moment += timedelta(days=1)
    return moment


def is_overdue(raised_at: datetime, working_days: int, now: datetime) -> bool:
    return due_at(raised_at, working_days) <= now


def raised_no_later_than(now: datetime, working_days: int) -> datetime:
    """A bound for SQL: an item raised after it cannot be overdue at ``now`` (a working
    day is at least a calendar day), so only older items need checking in full."""
    return now - timedelta(days=working_days)
