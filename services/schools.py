"""Schools, which act as family hubs that host services."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, enum_column
from services.locations import Location
from services.organisations import Organisation


class SchoolPhase(enum.StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SPECIAL = "special"
    ALTERNATIVE_PROVISION = "alternative_provision"

    @property
    def label(self) -> str:
        return {
            "primary": "Primary",
            "secondary": "Secondary",
            "special": "Special",
            "alternative_provision": "Alternative provision",
        }[self.value]


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phase: Mapped[SchoolPhase] = mapped_column(
        enum_column(SchoolPhase, 30)
    )
    # The school's own organisation: its staff's accounts belong to it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    trust_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    trust: Mapped[Organisation | None] = relationship(foreign_keys=[trust_id])
    location: Mapped[Location] = relationship()

    def __repr__(self) -> str:
        return f"<School {self.urn} {self.name!r}>"
