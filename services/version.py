"""The directory's change counters: one row, two numbers, and the capacity change log.

``version`` is bumped by every structural change (a service added, removed or
edited, needs, schools, organisations): each web worker rebuilds its snapshot
for a new version, in the background. ``capacity_seq`` numbers capacity
changes (free places, wait-list, accepting, the figure's date): each is also
written to ``capacity_change`` in the same transaction, and every worker
patches its running index from the rows newer than the last it has seen.

Both numbers are raised by an UPDATE of the one row, which holds its row lock
until the writer commits: writers take numbers one at a time, in commit order,
and a rolled-back change takes its number back with it. So the log has no gaps
and no row ever commits behind a reader's last seen number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, delete, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, utcnow


class DirectoryVersion(Base):
    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    capacity_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CapacityChange(Base):
    """One capacity change of one service; ``seq`` is ``capacity_seq`` after it."""

    __tablename__ = "capacity_change"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# The log keeps this many of the latest changes; every PRUNE_EVERY-th change deletes the
# older ones. A worker further behind than that reads the directory again.
KEEP_CHANGES = 100_000
PRUNE_EVERY = 1_000

# Read before nearly every search: built once.
_CURRENT = select(DirectoryVersion.version).where(DirectoryVersion.id == 1)


def current_version(session: Session) -> int:
    """The directory's structural version number; 0 when the row does not exist yet."""
    return session.execute(_CURRENT).scalar_one_or_none() or 0


def bump_version(session: Session) -> None:
    """Mark the directory as structurally changed, inside the caller's transaction."""
    result = session.execute(
        update(DirectoryVersion)
        .where(DirectoryVersion.id == 1)
        .values(version=DirectoryVersion.version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(DirectoryVersion(id=1, version=1))
        session.flush()


def record_capacity_change(session: Session, service_id: int) -> int:
    """Log a change of ``service_id``'s capacity, inside the caller's transaction, and
    return its sequence number.

    The row says only which service changed: readers take its figures from the
    capacity row as committed, so a later read of the same change is harmless.
    """
    seq = session.execute(
        update(DirectoryVersion)
        .where(DirectoryVersion.id == 1)
        .values(capacity_seq=DirectoryVersion.capacity_seq + 1)
        .returning(DirectoryVersion.capacity_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if seq is None:
        session.add(DirectoryVersion(id=1, version=1, capacity_seq=1))
        session.flush()
        seq = 1
    session.execute(insert(CapacityChange).values(seq=seq, service_id=service_id, at=utcnow()))
    if seq % PRUNE_EVERY == 0:
        session.execute(delete(CapacityChange).where(CapacityChange.seq <= seq - KEEP_CHANGES))
    return int(seq)


def record_capacity_changes(session: Session, service_ids: Sequence[int]) -> list[int]:
    """Log changes of these services' capacities at once, as ``record_capacity_change``
    does for each in turn (the same numbers, rows and pruning), and return their
    sequence numbers: one UPDATE of the counter row, so a big import holds the row
    lock providers' capacity saves need only from here to its commit."""
    if not service_ids:
        return []
    count = len(service_ids)
    last = session.execute(
        update(DirectoryVersion)
        .where(DirectoryVersion.id == 1)
        .values(capacity_seq=DirectoryVersion.capacity_seq + count)
        .returning(DirectoryVersion.capacity_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if last is None:
        session.add(DirectoryVersion(id=1, version=1, capacity_seq=count))
        session.flush()
        last = count
    first = int(last) - count + 1
    at = utcnow()
    session.execute(insert(CapacityChange), [
        {"seq": first + offset, "service_id": service_id, "at": at}
        for offset, service_id in enumerate(service_ids)])
    # The scalar form prunes at each multiple of PRUNE_EVERY; pruning at the last one
    # crossed leaves the same rows.
    crossed = int(last) - int(last) % PRUNE_EVERY
    if crossed >= first:
        session.execute(delete(CapacityChange).where(CapacityChange.seq <= crossed - KEEP_CHANGES))
    return list(range(first, int(last) + 1))
