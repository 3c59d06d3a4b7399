"""The GOV.UK date input pattern: three boxes read into a date, with the design
system's messages ("Date of birth must include a month", "... must be a real date")
and the boxes to mark, so the user sees exactly what to fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateAnswer:
    """What was typed in a date input: the date, or the message and the boxes in error.

    ``blank`` means nothing was typed (the caller says whether that is allowed).
    """

    value: date | None = None
    error: str = ""
    wrong: frozenset[str] = field(default_factory=frozenset)
    blank: bool = False


def read_date(form: Mapping[str, str], prefix: str, label: str) -> DateAnswer:
    """The date typed in boxes ``{prefix}-day``, ``-month`` and ``-year``.

    ``label`` starts each message, like "Date of birth". Never raises.
    """
    typed = {part: str(form.get(f"{prefix}-{part}") or "").strip() for part in PARTS}
    missing = [part for part in PARTS if not typed[part]]
    if len(missing) == len(PARTS):
        return DateAnswer(blank=True)
    if missing:
        words = " and ".join(f"a {part}" for part in missing)
        return DateAnswer(error=f"{label} must include {words}", wrong=frozenset(missing))
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
