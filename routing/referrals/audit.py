"""The audit: who read or changed what, when, in which organisation and from where.

``audit`` is the single writer. Rows are append-only in the database too: triggers
(migration 0013) refuse every UPDATE, and every DELETE except the retention purge's,
which first writes a permit naming the cut-off (``audit_purge_permit``) in its own
transaction and may then delete only rows older than it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from routing.referrals.lifecycle import Actor
from services.db import Base, utcnow

REFUSED = "refused"


class AuditEvent(Base):
    """One read or change of a child's or family's record, a directory or admin change,
    or a refused access. No foreign keys: the audit outlives what it names."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organisation_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    action: Mapped[str] = mapped_column(String(50), index=True)
    child_id: Mapped[int | None] = mapped_column(Integer, index=True)
    referral_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # What else the action concerned: "user", "organisation", "school", "service", "need".
    subject_type: Mapped[str] = mapped_column(String(30), default="", server_default="")
    subject_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Which fields or what happened, never the values (they may be personal).
    detail: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The client's address as the web server saw it; "" for commands and jobs.
    remote_addr: Mapped[str] = mapped_column(String(64), default="", server_default="")
    refused: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class AuditPurgePermit(Base):
    """Present only inside the retention purge's transaction: the triggers let a DELETE of
    an audit row through only when the row is older than a permit's ``before``."""

    __tablename__ = "audit_purge_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    before: Mapped[datetime] = mapped_column(DateTime)


def audit(
    session: Session,
    actor: Actor,
    action: str,
    now: datetime,
    child_id: int | None = None,
    referral_id: int | None = None,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: str = "",
    remote_addr: str = "",
    refused: bool = False,
) -> None:
    """Record a read of, or change to, a record (or a refused attempt at one)."""
    session.add(
        AuditEvent(
            at=now,
            actor_id=actor.user_id,
            actor_name=actor.name,
            organisation_id=actor.organisation_id,
            organisation_name=actor.organisation_name,
            action=action[:50],
            child_id=child_id,
            referral_id=referral_id,
            subject_type=subject_type,
            subject_id=str(subject_id)[:64] if subject_id != "" else "",
            detail=detail[:500],
            remote_addr=remote_addr[:64],
            refused=refused,
        )
    )


def purge_audit_before(session: Session, before: datetime) -> int:
    """Delete audit rows older than ``before`` (the retention period's cut-off); how many.

    The only deletion the append-only triggers allow: the permit is written and removed
    in the caller's transaction, so no other transaction ever sees it.
    """
    permit = session.execute(
        insert(AuditPurgePermit).values(before=before).returning(AuditPurgePermit.id)
    ).scalar_one()
    deleted = session.execute(
        delete(AuditEvent).where(AuditEvent.at < before)).rowcount  # type: ignore[attr-defined]
    session.execute(delete(AuditPurgePermit).where(AuditPurgePermit.id == permit))
    return int(deleted or 0)


def count_audit_before(session: Session, before: datetime) -> int:
    """How many audit rows ``purge_audit_before`` would delete."""
    from sqlalchemy import func

    return int(session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.at < before)
    ).scalar_one())
