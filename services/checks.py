"""Input checks that several directory and account operations share."""

from __future__ import annotations

import re

# Deliberately loose: a typo check, not RFC 5322. Delivery proves the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_problem(email: str) -> str | None:
    """The message for an email address that cannot be right, or None when it may be."""
    if _EMAIL.match(email):
        return None
    return "Enter an email address in the correct format, like name@example.org"
