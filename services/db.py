"""The declarative base and the Flask-SQLAlchemy handle shared by every model.

It lives in the directory domain, not in ``hub``, so that ``services`` and
``routing`` models never import the web app: dependencies point one way.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Now in UTC, as a naive datetime.

    Every timestamp is stored as naive UTC: SQLite drops time zones, and mixing
    aware and naive values would make comparisons fail on one database only.
    """
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_class: type, length: int = 30) -> Enum:
    """A portable enum column that stores the members' values (readable in SQL)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


# Every text column's length is enforced on assignment (imported for its mapper hook).
from services import lengths  # noqa: E402, F401
