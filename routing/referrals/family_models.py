"""The family record: the people who care for a child, the child's brothers and sisters,
and which family (and agreed contact) each sent referral form reached.

A child belongs to at most one family; brothers and sisters with a record of their own
belong to the same family, and those without one are a name and an approximate year of
birth (``FamilySibling``). A referral form fills a family only when it is sent; after
that, only staff at a child's school change it, each change recorded (``CarerChange``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from routing.referrals.family_answers import RESPONSIBILITY, shown_phone
from routing.referrals.models import Child
from services.db import Base, utcnow


class Family(Base):
    """One family: its children (``FamilyChild``), carers and siblings without a record."""

    __tablename__ = "family"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    carers: Mapped[list[Carer]] = relationship(
        back_populates="family", order_by="Carer.id", viewonly=True)
    siblings: Mapped[list[FamilySibling]] = relationship(
        order_by="FamilySibling.id", viewonly=True)

    def __repr__(self) -> str:
        return f"<Family {self.id}>"


class FamilyChild(Base):
    """A child's place in a family: one family per child."""

    __tablename__ = "family_child"

    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped[Child] = relationship()
    family: Mapped[Family] = relationship()


class Carer(Base):
    """A parent or carer: who they are to the family and how (or whether) to reach them."""

    __tablename__ = "carer"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_child: Mapped[str] = mapped_column("relationship", String(100), default="")
    # A key of RESPONSIBILITY: "yes", "no" or "not_known".
    parental_responsibility: Mapped[str] = mapped_column(String(20), default="not_known")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(100), default="")
    interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    access_needs: Mapped[str] = mapped_column(Text, default="")
    contact_notes: Mapped[str] = mapped_column(Text, default="")
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact_reason: Mapped[str] = mapped_column(Text, default="")
    # Where the record came from: "referral FH-…" or "child's page".
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    family: Mapped[Family] = relationship(back_populates="carers")
    changes: Mapped[list[CarerChange]] = relationship(
        order_by="CarerChange.id", viewonly=True)

    @property
    def phone_shown(self) -> str:
        return shown_phone(self.phone)

    @property
    def responsibility_label(self) -> str:
        return RESPONSIBILITY.get(self.parental_responsibility, "Not known")

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<Carer {self.id}>"


class CarerChange(Base):
    """Who added or corrected a carer, when, from where, and which fields (never values)."""

    __tablename__ = "carer_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    carer_id: Mapped[int] = mapped_column(ForeignKey("carer.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    # "added" or "corrected"; the fields changed; where it came from.
    verb: Mapped[str] = mapped_column(String(20))
    fields: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(200), default="")


@event.listens_for(CarerChange, "before_update")
def _changes_are_immutable(mapper: object, connection: object, target: CarerChange) -> None:
    raise ValueError("A carer's change history cannot be rewritten")


class FamilySibling(Base):
    """A brother or sister without a record of their own: a name and a year of birth
    (worked out from the age the referrer gave, so it stays right as years pass)."""

    __tablename__ = "family_sibling"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FamilyReferralForm(Base):
    """The family a sent referral form reached, and the person the family agreed the
    service should contact (None: through the school)."""

    __tablename__ = "family_referral_form"

    request_id: Mapped[int] = mapped_column(ForeignKey("referral_request.id"), primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    contact_carer_id: Mapped[int | None] = mapped_column(ForeignKey("carer.id"), index=True)

    family: Mapped[Family] = relationship()
    contact_carer: Mapped[Carer | None] = relationship()


class SiblingLink(Base):
    """Staff linked two children with records as brothers or sisters (or unlinked them):
    who, when and why, and what the link moved, so that unlinking puts both families
    back as they were.

    ``moved`` holds the ids of the children, carers, siblings without a record and sent
    forms that came into ``child_id``'s family from ``sibling_id``'s (only the sibling
    when they had no family), and the siblings without a record that the link replaced
    (``replaced``: name and year of birth). No foreign keys to the children: the purge
    deletes a purged child's links with their other records.
    """

    __tablename__ = "sibling_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The child whose page the link was made on, and the brother or sister linked.
    child_id: Mapped[int] = mapped_column(Integer, index=True)
    sibling_id: Mapped[int] = mapped_column(Integer, index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(Integer)
    linked_by_name: Mapped[str] = mapped_column(String(200), default="")
    linked_by_organisation: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The confirmation form's key: a repeated submit finds the link it made.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    unlinked_at: Mapped[datetime | None]
    unlinked_by_id: Mapped[int | None] = mapped_column(Integer)
    unlinked_by_name: Mapped[str] = mapped_column(String(200), default="")
    unlinked_by_organisation: Mapped[str] = mapped_column(String(200), default="")
    unlink_reason: Mapped[str] = mapped_column(Text, default="")
