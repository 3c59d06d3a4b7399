"""The declaration a referrer confirms on check-your-answers before sending, by version.

Each wording ever shown is kept under its version, never edited: a sent form stores the
version its referrer confirmed, so the provider and a subject access export show the
words that were agreed to, even after the wording changes. A new wording is a new
version here, and CURRENT names it.
"""

from __future__ import annotations

from datetime import datetime

DECLARATIONS: dict[int, str] = {
    1: ("I confirm that the information I have given is correct to the best of my "
        "knowledge, that I have the lawful basis recorded here to share it, and that I "
        "have told the family about this referral unless doing so would put the child "
        "at risk."),
}
CURRENT = 1


def wording(version: int | None) -> str:
    """The words of ``version`` ("" for none, or an unknown version)."""
    return DECLARATIONS.get(version, "") if version is not None else ""


def declared_words(name: str, organisation: str, at: datetime) -> str:
    """"Declared by Sam Patel (Castle Hill Primary School) on 1 December 2026 at 10:04"."""
    who = f"{name} ({organisation})" if organisation else name
    return f"Declared by {who} on {at.day} {at:%B %Y} at {at:%H:%M}"
