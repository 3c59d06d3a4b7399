"""Numbers typed with characters str.isdigit() accepts but int() refuses ("²", "¹²")
are refused as not numbers, never a server error."""

from __future__ import annotations

from hub.date_input import read_date
from services.bounds import parse_id


def test_it_parses_no_id_from_superscript_digits() -> None:
    assert parse_id("²") is None
    assert parse_id("1²") is None
    assert parse_id("٣") is None  # an Arabic-Indic three: ids are ASCII digits
    assert parse_id("42") == 42


def test_it_reads_a_date_with_a_superscript_month_as_not_a_date() -> None:
    answer = read_date({"dob-day": "1", "dob-month": "²", "dob-year": "2016"}, "dob",
                       "Date of birth")
    assert answer.value is None
    assert answer.error == "Date of birth must be a real date"
    assert answer.wrong == frozenset({"month"})
