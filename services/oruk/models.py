"""Where an imported service came from, so that re-importing a feed updates it."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class OrukSource(Base):
    """A feed record's id (``source_ref``) linked to the service it was imported as."""

    __tablename__ = "oruk_source"

    source_ref: Mapped[str] = mapped_column(String(300), primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
