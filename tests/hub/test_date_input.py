"""Every date a person types is read by hub.date_input: any real day of any month (31
March, 29 February in a leap year), one or two digits for the day and month, in three
boxes or in one ("31/03/2026"), with a message naming what is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from hub.date_input import precise, read_date, read_date_text


def _boxes(day: str, month: str, year: str) -> dict[str, str]:
    return {"d-day": day, "d-month": month, "d-year": year}


@pytest.mark.parametrize(("day", "month", "year", "expected"), [
    ("31", "3", "2026", date(2026, 3, 31)),
    ("31", "03", "2026", date(2026, 3, 31)),
    ("31", "12", "2026", date(2026, 12, 31)),
    ("31", "1", "2026", date(2026, 1, 31)),
    ("29", "2", "2024", date(2024, 2, 29)),
    ("1", "3", "2026", date(2026, 3, 1)),
    ("01", "03", "2026", date(2026, 3, 1)),
    (" 7 ", " 7 ", " 2016 ", date(2016, 7, 7)),
])
def test_it_reads_every_real_day_in_three_boxes(
    day: str, month: str, year: str, expected: date
) -> None:
    assert read_date(_boxes(day, month, year), "d", "Date").value == expected


@pytest.mark.parametrize(("day", "month", "wrong"), [
    ("31", "4", {"day"}), ("29", "2", {"day"}), ("32", "1", {"day"}), ("0", "1", {"day"}),
    ("1", "13", {"month"}), ("1", "0", {"month"}),
])
def test_it_refuses_days_that_do_not_exist(day: str, month: str, wrong: set[str]) -> None:
    answer = read_date(_boxes(day, month, "2025"), "d", "Date of birth")
    assert answer.value is None
    assert answer.error == "Date of birth must be a real date"
    assert answer.wrong == wrong


@pytest.mark.parametrize(("typed", "expected"), [
    ("31/03/2026", date(2026, 3, 31)),
    ("31/3/2026", date(2026, 3, 31)),
    ("1/3/2026", date(2026, 3, 1)),
    ("29/02/2024", date(2024, 2, 29)),
    ("31-12-2026", date(2026, 12, 31)),
    ("31.03.2026", date(2026, 3, 31)),
    ("31 3 2026", date(2026, 3, 31)),
    (" 31 / 03 / 2026 ", date(2026, 3, 31)),
    ("2026-03-31", date(2026, 3, 31)),  # year first, as links made before keep it
])
def test_it_reads_a_date_typed_in_one_box_as_people_write_it(typed: str, expected: date) -> None:
    answer = read_date_text(typed, "From date")
    assert (answer.value, answer.error) == (expected, "")


@pytest.mark.parametrize(("typed", "message"), [
    ("31/04/2026", "From date must be a real date"),
    ("29/02/2025", "From date must be a real date"),
    ("2026-13-01", "From date must be a real date"),
    ("31/03/26", "Year must include 4 numbers"),
    ("31//2026", "From date must include a month"),
    ("yesterday", "From date must be a date, like 31/03/2026"),
    ("1/2/3/2026", "From date must be a date, like 31/03/2026"),
    ("31/03/" + "9" * 20, "From date must be a real date"),
])
def test_it_says_what_is_wrong_with_a_date_in_one_box(typed: str, message: str) -> None:
    answer = read_date_text(typed, "From date")
    assert answer.value is None
    assert answer.error == message


def test_it_reads_nothing_typed_as_blank() -> None:
    assert read_date_text("  ", "From date").blank
    assert read_date(_boxes("", "", ""), "d", "Date").blank
    partly = read_date(_boxes("31", "", "2026"), "d", "Date")
    assert partly.incomplete and partly.error == "Date must include a month"


def test_it_makes_an_operations_general_date_message_precise() -> None:
    errors = {"date_of_birth": "Enter the date of birth", "reason": "Enter why"}
    answer = read_date(_boxes("31", "", "2016"), "d", "Date of birth")
    fine = read_date(_boxes("1", "1", "2016"), "d", "Expected date")
    assert precise(errors, {"date_of_birth": answer, "expected_date": fine}) == {
        "date_of_birth": "Date of birth must include a month", "reason": "Enter why"}
