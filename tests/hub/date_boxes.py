"""What a page shows of a GOV.UK date input: the boxes it marks in error and what they
hold, for the tests of each page that has one."""

from __future__ import annotations

import re


def marked_boxes(page: str, prefix: str) -> set[str]:
    """The boxes of the date input ``prefix`` marked with govuk-input--error."""
    return {part for part in ("day", "month", "year") if re.search(
        rf'<input class="[^"]*govuk-input--error[^"]*" id="{re.escape(prefix)}-{part}"', page)}


def typed(page: str, prefix: str) -> dict[str, str]:
    """The value each box of the date input ``prefix`` shows."""
    found = {}
    for part in ("day", "month", "year"):
        box = re.search(rf'id="{re.escape(prefix)}-{part}"[^>]*value="([^"]*)"', page)
        assert box, f"no {prefix}-{part} box"
        found[part] = box.group(1)
    return found
