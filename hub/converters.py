"""The URL converter for ids: ``<id:referral_id>``, registered once in create_app.

Werkzeug's ``int`` converter takes any length of digits; an id past PostgreSQL's
integer (or SQLite's 64-bit) range then fails in the query as a server error. This
one matches only 1 to MAX_ID, so a larger number is simply a page not found.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from services.bounds import MAX_ID


class IdConverter(IntegerConverter):
    """Digits naming a record: 1 to 2,147,483,647 (a longer string does not match)."""

    # At most 10 digits, so the range check below never meets a huge number.
    regex = r"\d{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def init_app(converters: dict[str, Any]) -> None:
    """Register ``id``; call before any blueprint is registered."""
    converters["id"] = IdConverter
