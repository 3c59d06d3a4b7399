"""Row locks: the one way an operation makes concurrent requests on one record take turns.

A check-then-write ("not re-routed yet, so re-route"; "not reminded today, so
remind") is only safe if nobody else can do the same between the check and the
write. ``lock_row`` takes the row's write lock for the rest of the transaction and
reloads the object, so the check sees what the request before it committed.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, inspect, select, update
from sqlalchemy.orm import Session

from services.db import Base


def lock_row(session: Session, record: Base) -> None:
    """Hold the write lock on ``record``'s row until the transaction ends, then reload it.

    PostgreSQL: ``SELECT … FOR UPDATE`` (others wait at the same call until this
    transaction commits or rolls back). SQLite has no row locks, so an update that
    changes nothing takes the database's single write lock instead; concurrent
    writers then wait (busy timeout) exactly as they would for a row lock.
    Raises nothing of its own; the row must exist.
    """
    mapper = inspect(record).mapper
    table = cast(Table, mapper.local_table)
    (key,) = mapper.primary_key
    identity = inspect(record).identity
    assert identity is not None, "lock_row needs a saved record"
    where = table.c[key.name] == identity[0]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(table).where(where).values({key.name: table.c[key.name]}))
    else:
        session.execute(select(table.c[key.name]).where(where).with_for_update())
    session.refresh(record)
