"""A single-row counter bumped on every directory change.

Each web worker caches a routing index built from a directory snapshot and
compares its version with this row (one indexed read) before answering, so a
change made in one worker is seen by every other worker on its next request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, utcnow


class DirectoryVersion(Base):
    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# Read before nearly every search: built once.
_CURRENT = select(DirectoryVersion.version).where(DirectoryVersion.id == 1)


def current_version(session: Session) -> int:
    """The directory's version number; 0 when the row does not exist yet."""
    return session.execute(_CURRENT).scalar_one_or_none() or 0


def bump_version(session: Session) -> None:
    """Mark the directory as changed, inside the caller's transaction."""
    result = session.execute(
        update(DirectoryVersion)
        .where(DirectoryVersion.id == 1)
        .values(version=DirectoryVersion.version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(DirectoryVersion(id=1, version=1))
