"""The children missing education register: cases and their immutable actions, attendance
imports and the attendance records they hold."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from routing.referrals.models import Child
from services.db import Base, enum_column, utcnow
from services.schools import School


class CaseStatus(enum.StrEnum):
    """Where tracing a child missing education has got to."""

    REPORTED = "reported"
    TRACING = "tracing"
    FOUND_ON_ROLL = "found_on_roll"
    FOUND_EHE = "found_ehe"
    MOVED_OUT = "moved_out"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return CASE_STATUS_LABELS[self]

    @property
    def traced(self) -> bool:
        """Whether the child has been found (or the case closed): no longer being traced."""
        return self not in (CaseStatus.REPORTED, CaseStatus.TRACING)


CASE_STATUS_LABELS = {
    CaseStatus.REPORTED: "Reported",
    CaseStatus.TRACING: "Tracing",
    CaseStatus.FOUND_ON_ROLL: "Found on roll at another school",
    CaseStatus.FOUND_EHE: "Found in elective home education",
    CaseStatus.MOVED_OUT: "Moved out of area (the destination council told)",
    CaseStatus.CLOSED: "Closed",
}


class MissingEducationCase(Base):
    """One child on the register. Identity is held as reported (the child may have no
    record); ``child_id`` links a record only when identifiers matched or staff
    confirmed it, and the record itself is never changed from here."""

    __tablename__ = "cme_case"
    __table_args__ = (Index("ix_cme_case_school_status", "school_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The school whose register it is on (the school that reported the child).
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    # The concern that opened it (one case per concern; later concerns join it).
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("safeguarding_item.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    upn: Mapped[str] = mapped_column(String(13), default="")
    last_known_address: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, 20), default=CaseStatus.REPORTED)
    # The first day the child was missing from education (days missing count from it).
    missing_since: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    opened_by_name: Mapped[str] = mapped_column(String(200), default="")
    # When the child was found (or the case closed): days missing stop counting.
    traced_at: Mapped[datetime | None]
    destination_council: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    school: Mapped[School] = relationship()
    child: Mapped[Child | None] = relationship()
    actions: Mapped[list[CaseAction]] = relationship(
        order_by="CaseAction.id", viewonly=True)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def days_missing(self, today: date) -> int:
        """Calendar days from ``missing_since`` to the day traced (or ``today``)."""
        end = self.traced_at.date() if self.traced_at is not None else today
        return max(0, (end - self.missing_since).days)

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<MissingEducationCase {self.reference} {self.status}>"


class CaseAction(Base):
    """One step on a case, immutable: who, when it was done, what, and any status change."""

    __tablename__ = "cme_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cme_case.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The day the action was taken (a home visit last Tuesday, recorded today).
    done_on: Mapped[date] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    from_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus, 20))
    to_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus, 20))
    summary: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    # From a repeated submit (a double click): one action, not two.
    action_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    case: Mapped[MissingEducationCase] = relationship(viewonly=True)


class AbsenceBand(enum.StrEnum):
    """Where a pupil's absence puts them (DfE definitions)."""

    NONE = "none"
    PERSISTENT = "persistent"  # 10% or more of possible sessions missed
    SEVERE = "severe"  # 50% or more

    @property
    def rank(self) -> int:
        return list(AbsenceBand).index(self)

    @property
    def label(self) -> str:
        return {"none": "Below 10%", "persistent": "Persistent absence (10% or more)",
                "severe": "Severe absence (50% or more)"}[self.value]


class AttendanceImport(Base):
    """One uploaded attendance file, imported whole. The file's SHA-256 is unique: the same
    file uploaded again (a double click, a second tab) is the same import."""

    __tablename__ = "attendance_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_by_name: Mapped[str] = mapped_column(String(200), default="")
    # The uploader's organisation, for scoping the list of imports.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"),
                                                        index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)

    records: Mapped[list[AttendanceRecord]] = relationship(
        order_by="AttendanceRecord.id", viewonly=True)


class AttendanceRecord(Base):
    """A pupil's attendance at a school for a period, as the latest import gave it.

    Keyed by school, UPN and period: a later file for the same period replaces the
    figures (never adds to them). ``child_id`` links an existing record with the same UPN;
    the name and date of birth are kept as the file gave them and never copied onto it.
    """

    __tablename__ = "attendance_record"
    __table_args__ = (UniqueConstraint("school_id", "upn", "period"),
                      Index("ix_attendance_record_upn", "upn"))

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("attendance_import.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    upn: Mapped[str] = mapped_column(String(13))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(40))
    sessions_possible: Mapped[int] = mapped_column(Integer)
    missed_authorised: Mapped[int] = mapped_column(Integer)
    missed_unauthorised: Mapped[int] = mapped_column(Integer)
    band: Mapped[AbsenceBand] = mapped_column(enum_column(AbsenceBand, 20))
    # The band this pupil was in at the school's previous import (None: not in it).
    previous_band: Mapped[AbsenceBand | None] = mapped_column(enum_column(AbsenceBand, 20))

    school: Mapped[School] = relationship()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def missed_percent(self) -> float:
        missed = self.missed_authorised + self.missed_unauthorised
        return 100.0 * missed / self.sessions_possible if self.sessions_possible else 0.0

    @property
    def crossed(self) -> bool:
        """Whether this import moved the pupil into a higher band than the last import."""
        before = self.previous_band or AbsenceBand.NONE
        return self.band.rank > before.rank


@event.listens_for(CaseAction, "before_update")
@event.listens_for(CaseAction, "before_delete")
def _actions_are_immutable(mapper: Any, connection: Any, target: CaseAction) -> None:
    raise ValueError("Missing-education actions cannot be changed or deleted")
