"""The GOV.UK date input pattern: three boxes read into a date, with the design
system's messages ("Date of birth must include a month", "... must be a real date")
and the boxes to mark, so the user sees exactly what to fix.

Every date a person types is read here, in three boxes (``read_date``) or in one
(``read_date_text``, a filter's "31/03/2026"), so each page has the same rules: any
real day of the month (31 March, 29 February in a leap year), one or two digits for
the day and month, four for the year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateAnswer:
    """What was typed in a date input: the date, or the message and the boxes in error.

    ``blank`` means nothing was typed (the caller says whether that is allowed);
    ``incomplete`` that a box was left empty.
    """

    value: date | None = None
    error: str = ""
    wrong: frozenset[str] = field(default_factory=frozenset)
    blank: bool = False
    incomplete: bool = False


def read_date(form: Mapping[str, str], prefix: str, label: str) -> DateAnswer:
    """The date typed in boxes ``{prefix}-day``, ``-month`` and ``-year``.

    ``label`` starts each message, like "Date of birth". Never raises.
    """
    return _read_parts(
        {part: str(form.get(f"{prefix}-{part}") or "").strip() for part in PARTS}, label)


# Day, month and year in one box, split at slashes, dashes, dots or spaces.
_SEPARATORS = re.compile(r"\s*[/.\-]\s*|\s+")


def read_date_text(text: str, label: str) -> DateAnswer:
    """A date typed in one box, as people in England write it (31/03/2026, 31-3-2026,
    31.3.2026, 31 3 2026) or year first (2026-03-31, the form links keep), read by the
    rules of ``read_date``. Never raises."""
    text = (text or "").strip()
    if not text:
        return DateAnswer(blank=True)
    pieces = _SEPARATORS.split(text)
    if len(pieces) != 3:
        return DateAnswer(error=f"{label} must be a date, like 31/03/2026",
                          wrong=frozenset(PARTS))
    if len(pieces[0]) == 4 and len(pieces[2]) <= 2:
        pieces.reverse()  # year first
    return _read_parts(dict(zip(PARTS, pieces, strict=True)), label)


def _read_parts(typed: Mapping[str, str], label: str) -> DateAnswer:
    missing = [part for part in PARTS if not typed[part]]
    if len(missing) == len(PARTS):
        return DateAnswer(blank=True)
    if missing:
        words = " and ".join(f"a {part}" for part in missing)
        return DateAnswer(error=f"{label} must include {words}", wrong=frozenset(missing),
                          incomplete=True)
    not_numbers = frozenset(part for part in PARTS if not typed[part].isdecimal()
                            or len(typed[part]) > (4 if part == "year" else 2))
    if not_numbers:
        return DateAnswer(error=f"{label} must be a real date", wrong=not_numbers)
    if len(typed["year"]) != 4:
        return DateAnswer(error="Year must include 4 numbers", wrong=frozenset({"year"}))
    day, month, year = (int(typed[part]) for part in PARTS)
    if not 1 <= month <= 12:
        return DateAnswer(error=f"{label} must be a real date", wrong=frozenset({"month"}))
    try:
        return DateAnswer(value=date(year, month, day))
    except ValueError:
        return DateAnswer(error=f"{label} must be a real date", wrong=frozenset({"day"}))


def precise(errors: dict[str, str], answers: Mapping[str, DateAnswer]) -> dict[str, str]:
    """An operation's refusal with each date field's message made precise: where the
    date typed could not be read, the reader's words ("Date of birth must include a
    month") replace the operation's general one ("Enter the date of birth")."""
    for name, answer in answers.items():
        if answer.error and name in errors:
            errors[name] = answer.error
    return errors


def wrong_boxes(form: Mapping[str, str], prefix: str) -> frozenset[str]:
    """The boxes of the date typed in ``prefix``-day/-month/-year that the reader finds
    wrong (none when it reads a date or nothing was typed): what a page marks when it
    shows that date's error again, beside what was typed."""
    return read_date(form, prefix, "Date").wrong


def optional_date(form: Mapping[str, str], prefix: str) -> tuple[date | None, bool]:
    """The date typed in ``prefix``-day/-month/-year for an operation that words its own
    messages: (the date, False), (None, False) when left blank, or (None, True) when it
    cannot be read as a real date."""
    answer = read_date(form, prefix, "Date")
    return answer.value, bool(answer.error)
