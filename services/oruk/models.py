"""Where imported records came from, keyed by (source, the source's own id).

An import only ever updates what it created from the same source, so a feed
cannot take over one of our services or another feed's records by reusing an id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class OrukSource(Base):
    """A feed's service record (``source``, ``source_ref``) linked to the service it became."""

    __tablename__ = "oruk_source"
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    source_ref: Mapped[str] = mapped_column(String(300))
    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    # The record as last read (hashed with the import's context) and what its import
    # saved (``services.oruk.held``): equal both, the record is unchanged.
    record_hash: Mapped[str | None] = mapped_column(String(32))
    fingerprint: Mapped[str | None] = mapped_column(String(40))
    # The record's cleaning warnings and unmapped terms, reported again while unchanged.
    notes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OrukOrganisationSource(Base):
    """A feed's organisation (by its id, else ``name:`` and its name) linked to the
    organisation the import created for it; imports never attach to any other."""

    __tablename__ = "oruk_organisation_source"
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    source_ref: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
