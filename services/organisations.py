"""Organisations: who owns schools, services and user accounts."""

from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, enum_column, utcnow


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    ACADEMY_TRUST = "academy_trust"
    LOCAL_AUTHORITY = "local_authority"
    NHS = "nhs"
    HOUSING = "housing"
    VOLUNTARY = "voluntary"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.SCHOOL: "School",
    OrganisationKind.ACADEMY_TRUST: "Academy trust",
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.NHS: "NHS",
    OrganisationKind.HOUSING: "Housing",
    OrganisationKind.VOLUNTARY: "Voluntary sector",
}


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Stable public identifier for Open Referral UK, kept across instances: an
    # imported organisation keeps its source's UUID when it is free.
    uuid: Mapped[str] = mapped_column(String(36), unique=True,
                                      default=lambda: str(uuid_module.uuid4()))
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, 30)
    )
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    # ORUK fields a feed gave that we do not use, kept to publish back (``oruk.extras``).
    oruk_extra: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"

    @property
    def provides_services(self) -> bool:
        return self.kind not in (OrganisationKind.SCHOOL, OrganisationKind.ACADEMY_TRUST)
