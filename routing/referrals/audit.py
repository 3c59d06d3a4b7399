"""The audit of children's records: who read or did what, when, in which organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from routing.referrals.lifecycle import Actor
from services.db import Base, utcnow


class AuditEvent(Base):
    """A read (or other sensitive action) on a child's record."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    action: Mapped[str] = mapped_column(String(50))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)


def audit(
    session: Session,
    actor: Actor,
    action: str,
    now: datetime,
    child_id: int | None = None,
    referral_id: int | None = None,
) -> None:
    """Record a read of (or sensitive action on) a child's record."""
    session.add(
        AuditEvent(
            at=now,
            actor_id=actor.user_id,
            actor_name=actor.name,
            organisation_id=actor.organisation_id,
            action=action,
            child_id=child_id,
            referral_id=referral_id,
        )
    )
