"""Turn our free-text opening times into structured ORUK schedule fields.

Providers type opening times as text ("Monday to Friday, 9am to 5pm"). When the
text has a recognisable day range and time range we publish ``byday``,
``opens_at`` and ``closes_at``; otherwise only the description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RRULE_DAYS = {day: day[:2].upper() for day in DAYS}
DAY_BY_RRULE = {code: day for day, code in RRULE_DAYS.items()}

_DAY = r"(mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?"
_RANGE = re.compile(rf"\b{_DAY}\s*(?:to|-|\u2013|until)\s*{_DAY}\b", re.IGNORECASE)
_SINGLE = re.compile(rf"\b{_DAY}\b", re.IGNORECASE)
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?"
_TIMES = re.compile(rf"\b{_TIME}\s*(?:to|-|\u2013|until)\s*{_TIME}\b", re.IGNORECASE)


@dataclass(frozen=True)
class OpeningHours:
    """Structured opening hours: weekday names and opening and closing times."""

    days: tuple[str, ...]
    opens: time | None
    closes: time | None

    @property
    def byday(self) -> str:
        """RFC 5545 BYDAY text, such as ``MO,TU,WE``."""
        return ",".join(RRULE_DAYS[day] for day in self.days)


def _day(prefix: str) -> str:
    prefix = prefix.lower()[:2]
    return next(day for day in DAYS if day.lower().startswith(prefix))


def _clock(hour: str, minute: str | None, half: str | None) -> time | None:
    value = int(hour)
    if half:
        if not 1 <= value <= 12:
            return None
        value = value % 12 + (12 if half.lower() == "pm" else 0)
    if not 0 <= value <= 23:
        return None
    minutes = int(minute or 0)
    return time(value, minutes) if minutes < 60 else None


def parse_opening_times(text: str) -> OpeningHours:
    """Read days and hours from opening-times text; parts not found are empty. Never raises."""
    text = text or ""
    days: list[str] = []
    if re.search(r"\bweekdays?\b", text, re.IGNORECASE):
        days.extend(DAYS[:5])
    for match in _RANGE.finditer(text):
        start, end = DAYS.index(_day(match.group(1))), DAYS.index(_day(match.group(2)))
        if start <= end:
            days.extend(DAYS[start : end + 1])
    stripped = _RANGE.sub(" ", text)
    days.extend(_day(match.group(1)) for match in _SINGLE.finditer(stripped))
    opens = closes = None
    found = _TIMES.search(text)
    if found:
        h1, m1, half1, h2, m2, half2 = found.groups()
        # "9 to 5pm": the first time takes the second's am/pm only if that keeps it earlier.
        opens = _clock(h1, m1, half1 or (None if half2 is None else "am"))
        closes = _clock(h2, m2, half2)
        if opens is not None and closes is not None and closes <= opens and not half1:
            opens = _clock(h1, m1, half2)
        if opens is None or closes is None or closes <= opens:
            opens = closes = None
    ordered = tuple(day for day in DAYS if day in set(days))
    return OpeningHours(ordered, opens, closes)


def parse_clock(text: str) -> time:
    """Parse a query time such as ``09:00``, ``9:30:00`` or ``9am``. Raises ValueError."""
    match = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?\s*", text or "",
                         re.IGNORECASE)
    if not match:
        raise ValueError(text)
    hour, minute, second, half = match.groups()
    if second is not None and not 0 <= int(second) < 60:
        raise ValueError(text)
    value = _clock(hour, minute, half)
    if value is None:
        raise ValueError(text)
    return value


def day_name(text: str) -> str:
    """A weekday from a name, abbreviation or RRULE code (``MO``). Raises ValueError."""
    cleaned = (text or "").strip()
    if cleaned.upper() in DAY_BY_RRULE:
        return DAY_BY_RRULE[cleaned.upper()]
    if len(cleaned) >= 3:
        for day in DAYS:
            if day.lower().startswith(cleaned.lower()):
                return day
    raise ValueError(text)
