"""A child's lead practitioner, appointed with the family's agreement, and the immutable
history of appointments, handovers and endings (the child's timeline shows it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from routing.referrals.models import Child
from services.accounts.models import User
from services.db import Base, utcnow


class LeadPractitioner(Base):
    """One person's time as a child's lead practitioner: open while ``ended_at`` is None.

    A handover ends this row and starts another (``handed_to_id``), so the history of
    who led, from when to when and why it changed is the rows themselves. The foreign
    key to the child is ``child_id`` like every child-linked table, so a merge of two
    records of one child moves the lead with the rest.
    """

    __tablename__ = "lead_practitioner"
    __table_args__ = (Index("ix_lead_practitioner_user_open", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to people and in messages instead of names, e.g. "LP-7K3Q9M2A".
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # How families and services reach the lead about this child (blank: the lead's
    # organisation's phone); the email is the lead's account email.
    phone: Mapped[str] = mapped_column(String(50), default="")
    # Who in the family agreed to having a lead practitioner, and how.
    family_agreement: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    started_by_name: Mapped[str] = mapped_column(String(200), default="")
    # From the appointment form: a double click or reload appoints once.
    start_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    ended_at: Mapped[datetime | None]
    ended_by_name: Mapped[str] = mapped_column(String(200), default="")
    end_reason: Mapped[str] = mapped_column(Text, default="")
    handed_to_id: Mapped[int | None] = mapped_column(ForeignKey("lead_practitioner.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    child: Mapped[Child] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<LeadPractitioner {self.reference}>"


class LeadEvent(Base):
    """An immutable record of one change: who, when, what and why."""

    __tablename__ = "lead_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead_practitioner.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    # What happened, for the timeline ("Lead practitioner: Sam Lee (Link worker)").
    summary: Mapped[str] = mapped_column(String(300))
    # Why: the handover note, the reason it ended, how the family agreed.
    note: Mapped[str] = mapped_column(Text, default="")


@event.listens_for(LeadEvent, "before_update")
@event.listens_for(LeadEvent, "before_delete")
def _events_are_immutable(mapper: Any, connection: Any, target: LeadEvent) -> None:
    raise ValueError("Lead practitioner events cannot be changed or deleted")
