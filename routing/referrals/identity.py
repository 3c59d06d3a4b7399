"""Versions of a child's identity: who the child is, as a history, never an overwrite.

The identity details (name, date of birth, home postcode, UPN, NHS number and
school) live on the child's row as its current details, and every change of them
adds a version here saying who made it, when, from where (which form, page or
import) and why. ``record_version`` is the one writer; it is called wherever the
details are set: a new record from a sent referral form, a correction on the child's
page, a merge and its undoing. The current details are always the latest version's.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from services.db import Base, enum_column, utcnow
from services.schools import School

# The details that say who a child is, in the order pages show them.
IDENTITY_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "home_postcode": "Home postcode",
    "upn": "Unique pupil number",
    "nhs_number": "NHS number",
    "school_id": "School",
}
# Why a change was made, kept with the version (a correction must say why).
REASON_MAX = 1000


class IdentitySource(enum.StrEnum):
    """Where a version came from."""

    REFERRAL_FORM = "referral_form"
    CORRECTION = "correction"
    MERGE = "merge"
    MERGE_UNDONE = "merge_undone"
    IMPORT = "import"
    EXISTING = "existing"

    @property
    def label(self) -> str:
        return {
            "referral_form": "Referral form",
            "correction": "Corrected on the child's page",
            "merge": "Two records merged",
            "merge_undone": "Merge undone",
            "import": "Imported",
            "existing": "The record as it was when versions began",
        }[self.value]


class ChildIdentityVersion(Base):
    """One version of a child's identity details, with who, when, where from and why."""

    __tablename__ = "child_identity_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # 1 for the record's first details, then one more for each change.
    number: Mapped[int] = mapped_column(Integer)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    home_postcode: Mapped[str] = mapped_column(String(10), default="")
    upn: Mapped[str] = mapped_column(String(13), default="")
    nhs_number: Mapped[str] = mapped_column(String(10), default="")
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[IdentitySource] = mapped_column(enum_column(IdentitySource, 20))
    # Which form, page or import: "Referral form 12", "Merge 3" (no personal data).
    source_ref: Mapped[str] = mapped_column(String(100), default="")
    # The labels of the details that changed from the version before ("" for the first).
    changed: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    school: Mapped[School | None] = relationship()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<ChildIdentityVersion {self.child_id}#{self.number}>"


def details_of(child: Child) -> dict[str, Any]:
    """The child's current identity details, keyed by field."""
    return {name: getattr(child, name) for name in IDENTITY_FIELDS}


def _comparable(name: str, value: Any) -> Any:
    # UPN and NHS number are None on the child when absent and "" on a version.
    return value or None if name in ("upn", "nhs_number") else value


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The fields whose value differs between two sets of details."""
    return [name for name in IDENTITY_FIELDS
            if _comparable(name, before.get(name)) != _comparable(name, after.get(name))]


def latest_version(session: Session, child_id: int) -> ChildIdentityVersion | None:
    return session.execute(
        select(ChildIdentityVersion).where(ChildIdentityVersion.child_id == child_id)
        .order_by(ChildIdentityVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def versions_of(session: Session, child_id: int) -> list[ChildIdentityVersion]:
    """Every version of the child's details, newest first."""
    return list(session.execute(
        select(ChildIdentityVersion).where(ChildIdentityVersion.child_id == child_id)
        .order_by(ChildIdentityVersion.number.desc())
    ).scalars())


def record_version(
    session: Session,
    child: Child,
    source: IdentitySource,
    actor: Actor,
    now: datetime,
    *,
    source_ref: str = "",
    reason: str = "",
) -> ChildIdentityVersion:
    """Add a version holding the child's details as they now are (call it after setting
    them on the child). Flushes, so the child has an id."""
    session.flush()
    previous = latest_version(session, child.id)
    number = session.execute(
        select(func.coalesce(func.max(ChildIdentityVersion.number), 0))
        .where(ChildIdentityVersion.child_id == child.id)
    ).scalar_one() + 1
    current = details_of(child)
    changed = [] if previous is None else changed_fields(
        {name: getattr(previous, name) for name in IDENTITY_FIELDS}, current)
    version = ChildIdentityVersion(
        child_id=child.id, number=number,
        first_name=child.first_name, last_name=child.last_name,
        date_of_birth=child.date_of_birth, home_postcode=child.home_postcode or "",
        upn=child.upn or "", nhs_number=child.nhs_number or "", school_id=child.school_id,
        recorded_at=now, recorded_by_id=actor.user_id, recorded_by_name=actor.name,
        organisation_name=actor.organisation_name, source=source, source_ref=source_ref[:100],
        changed=", ".join(IDENTITY_FIELDS[name] for name in changed)[:200], reason=reason,
    )
    session.add(version)
    session.flush()
    return version
