"""Services: the directory's listings, their needs, co-location at school hubs and capacity."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, enum_column, utcnow
from services.locations import Location
from services.organisations import Organisation
from services.schools import School
from services.taxonomy import Need


class DeliveryMode(enum.StrEnum):
    SCHOOL_HUB = "school_hub"
    VENUE = "venue"
    HOME_VISIT = "home_visit"
    ONLINE = "online"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return DELIVERY_MODE_LABELS[self]


DELIVERY_MODE_LABELS = {
    DeliveryMode.SCHOOL_HUB: "At a school hub",
    DeliveryMode.VENUE: "At a venue",
    DeliveryMode.HOME_VISIT: "Home visit",
    DeliveryMode.ONLINE: "Online",
    DeliveryMode.PHONE: "By phone",
}


class ReferralRoute(enum.StrEnum):
    SYSTEM = "system"
    SELF = "self"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {
            "system": "Referral through Family Hub",
            "self": "Families refer themselves",
            "both": "Referral through Family Hub or self-referral",
        }[self.value]

    @property
    def takes_system_referrals(self) -> bool:
        return self in (ReferralRoute.SYSTEM, ReferralRoute.BOTH)


class ServiceNeed(Base):
    __tablename__ = "service_need"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    need_code: Mapped[str] = mapped_column(ForeignKey("need.code"), primary_key=True, index=True)


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (
        # Either bound may be unknown (NULL); those stated are checked.
        CheckConstraint("(min_age IS NULL OR min_age >= 0) AND "
                        "(min_age IS NULL OR max_age IS NULL OR min_age <= max_age)",
                        name="age_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable public identifier for Open Referral UK; never reused.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Facts the provider may leave not stated, never invented: an age bound or the
    # fees None, the ways of delivery or languages an empty list. Pages show "Not
    # stated", the API omits them, and routing ranks them below stated facts.
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    eligibility: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[str | None] = mapped_column(String(200))
    delivery_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    opening_times: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    referral_route: Mapped[ReferralRoute] = mapped_column(
        enum_column(ReferralRoute, 20),
        default=ReferralRoute.SYSTEM,
    )
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    # GeoJSON Polygon or MultiPolygon in WGS84; None means no area limit.
    service_area: Mapped[dict | None] = mapped_column(JSON)
    service_area_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Imported with no need we could map: not routable (left out of the directory
    # snapshot) until the coordinator confirms its needs on the triage page.
    needs_triage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The kinds of help it gives and whom it is for (``routing.engine.help`` codes; None
    # or empty: not stated), and the level of need it serves ("" not stated).
    help_kinds: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    audiences: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    need_level: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # How many working days the service takes to decide on a referral it has opened
    # (None: not stated; the stuck page then uses REFERRAL_DECIDE_WORKING_DAYS).
    response_working_days: Mapped[int | None]
    # ORUK fields a feed gave that we do not use, kept to publish back (``oruk.extras``).
    oruk_extra: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    location: Mapped[Location | None] = relationship()
    need_links: Mapped[list[ServiceNeed]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    needs: Mapped[list[Need]] = relationship(
        secondary="service_need", viewonly=True, order_by="Need.code"
    )
    hubs: Mapped[list[ServiceSchool]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True
    )
    capacity: Mapped[Capacity | None] = relationship(
        back_populates="service", cascade="all, delete-orphan", uselist=False
    )

    @property
    def need_codes(self) -> list[str]:
        return sorted(link.need_code for link in self.need_links)

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"


class ServiceSchool(Base):
    """Co-location: a service delivered at a school hub on given days.

    A provider's claim is only a request until the school's staff or the hub
    coordinator agrees (``agreed_at``): until then it is shown as requested and the
    routing engine does not count it (``routing.snapshot`` reads agreed links only).
    """

    __tablename__ = "service_school"
    __table_args__ = (UniqueConstraint("service_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    # Weekday names, for example ["Tuesday", "Thursday"].
    days: Mapped[list[str]] = mapped_column(JSON, default=list)
    requested_at: Mapped[datetime | None]
    requested_by_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    agreed_at: Mapped[datetime | None]
    agreed_by_name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    @property
    def agreed(self) -> bool:
        """Whether the school (or the coordinator) has agreed the service runs there."""
        return self.agreed_at is not None

    service: Mapped[Service] = relationship(back_populates="hubs")
    school: Mapped[School] = relationship()


class Capacity(Base):
    __tablename__ = "capacity"
    # The database, not only the form, refuses negative figures: accepting a
    # referral decrements free_places in one conditional UPDATE.
    __table_args__ = (
        CheckConstraint("free_places >= 0", name="free_places_not_negative"),
        CheckConstraint("waitlist_length >= 0", name="waitlist_not_negative"),
    )

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    accepting: Mapped[bool] = mapped_column(Boolean, default=True)
    free_places: Mapped[int] = mapped_column(default=0)
    waitlist_length: Mapped[int] = mapped_column(default=0)
    typical_wait_days: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_name: Mapped[str] = mapped_column(String(200), default="")

    service: Mapped[Service] = relationship(back_populates="capacity")
