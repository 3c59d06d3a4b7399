"""Query parameters of the ORUK list operations: parsing and checking.

The operations call :func:`parse_list_query`; any bad value raises
:class:`QueryError`, which the web layer turns into a 400 JSON answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time

from services.oruk.schedule import day_name, parse_clock

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PROXIMITY_METRES = 1_000_000
MAX_PAGE = 1_000_000


class QueryError(ValueError):
    """A query parameter we cannot use; ``parameter`` names it, the message says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class ListQuery:
    """The checked parameters of a list request. ``None`` means "not given"."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    postcode: str | None = None
    proximity: float | None = None
    # Naive UTC, as the database holds times.
    modified_after: datetime | None = None
    # Any of these term ids (a comma-separated ``taxonomy_term_id``).
    taxonomy_term_ids: tuple[str, ...] = ()


def _integer(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise QueryError(name, f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise QueryError(name, f"{name} must be between {low} and {high}")
    return value


def _number(args: Mapping[str, str], name: str, low: float, high: float) -> float | None:
    text = args.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise QueryError(name, f"{name} must be a number") from None
    if not low <= value <= high:  # also refuses NaN
        raise QueryError(name, f"{name} must be between {low:g} and {high:g}")
    return value


def _text(args: Mapping[str, str], name: str) -> str | None:
    text = args.get(name)
    if text is None:
        return None
    text = text.strip()
    if "\x00" in text or len(text) > 200:
        raise QueryError(name, f"{name} must be at most 200 characters of text")
    return text or None


def _datetime(args: Mapping[str, str], name: str) -> datetime | None:
    text = _text(args, name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
        # Moving 0001-01-01 with a positive offset to UTC leaves the calendar.
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    except (ValueError, OverflowError):
        raise QueryError(name, f"{name} must be a date-time, like 2025-01-31T09:00:00Z"
                         ) from None


def parse_page_query(args: Mapping[str, str]) -> ListQuery:
    """Only ``page`` and ``per_page`` (taxonomy lists); ``per_page`` above MAX_PER_PAGE
    is capped to it. Raises QueryError."""
    return ListQuery(
        page=_integer(args, "page", 1, 1, MAX_PAGE),
        per_page=min(_integer(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PAGE), MAX_PER_PAGE),
    )


def parse_list_query(args: Mapping[str, str]) -> ListQuery:
    """Every filter of ``/services`` and ``/service_at_locations``. Raises QueryError."""
    paging = parse_page_query(args)
    day = _text(args, "day")
    if day is not None:
        try:
            day = day_name(day)
        except ValueError:
            raise QueryError("day", "day must be a weekday, like Monday or MO") from None
    times: dict[str, time | None] = {}
    for name in ("start_time", "end_time"):
        text = _text(args, name)
        try:
            times[name] = parse_clock(text) if text is not None else None
        except ValueError:
            raise QueryError(name, f"{name} must be a time, like 09:30") from None
    minimum_age = _number(args, "minimum_age", 0, 150)
    maximum_age = _number(args, "maximum_age", 0, 150)
    postcode = _text(args, "postcode")
    proximity = _number(args, "proximity", 0, MAX_PROXIMITY_METRES)
    if proximity is not None and postcode is None:
        raise QueryError("proximity", "proximity needs a postcode to measure from")
    term_ids = _text(args, "taxonomy_term_id")
    return ListQuery(
        page=paging.page,
        per_page=paging.per_page,
        search=_text(args, "search"),
        taxonomy_term_id=term_ids,
        taxonomy_term_ids=tuple(part.strip() for part in (term_ids or "").split(",")
                                if part.strip()),
        modified_after=_datetime(args, "modified_after"),
        taxonomy_id=_text(args, "taxonomy_id"),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        day=day,
        start_time=times["start_time"],
        end_time=times["end_time"],
        postcode=postcode,
        proximity=proximity,
    )
