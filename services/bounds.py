"""The largest numbers the service takes, and the one parser for ids typed or posted.

Every id column is an integer: PostgreSQL's is signed 32-bit, so a larger id can
name no record and must never reach a query (it would fail there, not find nothing).
"""

from __future__ import annotations

MAX_ID = 2**31 - 1
# Enough for any real count of places, wait-list or days; far below every column's range.
MAX_COUNT = 100_000


def parse_id(text: object) -> int | None:
    """The id in ``text`` (digits only, 1 to MAX_ID), or None for anything else."""
    value = str(text or "").strip()
    # ASCII only: str.isdigit() is true of "²", which int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
