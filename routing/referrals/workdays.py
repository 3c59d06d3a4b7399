"""Working days in England: weekends and England and Wales bank holidays excluded."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@lru_cache(maxsize=1)
def _holidays() -> frozenset[date]:
    # The packaged copy: no network call, so it works offline and in tests.
    calendar = BankHolidays(use_cached_holidays=True)
    return frozenset(
        h["date"] for h in calendar.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays()


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
