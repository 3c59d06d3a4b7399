"""Plain-language phrases of the engine, shared with the web pages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from routing.engine.reasons import METRES_PER_MILE, miles


def test_it_gives_miles_with_one_decimal() -> None:
    assert miles(1931.2) == "1.2 miles"
    assert miles(5 * METRES_PER_MILE) == "5.0 miles"
    assert miles(16093.44) == "10.0 miles"


def test_it_reads_what_rounds_to_nought_as_under_a_tenth_of_a_mile() -> None:
    assert miles(0.0) == "under 0.1 miles"
    assert miles(80.0) == "under 0.1 miles"  # 0.0497 miles
    assert miles(0.05 * METRES_PER_MILE) == "0.1 miles"
    assert miles(81.0) == "0.1 miles"  # 0.0503 miles
    assert miles(-5.0) == "under 0.1 miles"


def test_it_gives_nothing_for_no_distance() -> None:
    assert miles(None) == ""


@given(st.floats(0.0, 1e7))
def test_it_never_reads_nought_miles_and_otherwise_rounds_to_a_tenth(metres: float) -> None:
    text = miles(metres)
    assert text != "0.0 miles"
    if text != "under 0.1 miles":
        assert abs(float(text.removesuffix(" miles")) - metres / METRES_PER_MILE) <= 0.05 + 1e-9
