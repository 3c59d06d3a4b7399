"""The designated safeguarding lead's queue: concerns and safeguarding stops, and their
immutable history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from routing.referrals.models import Child, ReferralRequest
from services.db import Base, enum_column, utcnow
from services.schools import School


class ConcernKind(enum.StrEnum):
    """Why an item is in the queue: a referral form stopped at safeguarding, or a concern
    recorded on its own."""

    SAFEGUARDING_STOP = "safeguarding_stop"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"
    NOT_ON_ROLL = "not_on_roll"
    NOT_ATTENDING = "not_attending"
    PERSISTENT_ABSENCE = "persistent_absence"
    WELLBEING = "wellbeing"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    ConcernKind.SAFEGUARDING_STOP: "Referral stopped: may be at risk of significant harm",
    ConcernKind.WHEREABOUTS_UNKNOWN: "Whereabouts unknown",
    ConcernKind.NOT_ON_ROLL: "Missing education: not on roll at any school",
    ConcernKind.NOT_ATTENDING: "Missing education: on roll but not attending",
    ConcernKind.PERSISTENT_ABSENCE: "Persistent absence",
    ConcernKind.WELLBEING: "Worried about wellbeing or safety",
}
# What a member of staff may record from the concern form (a stop comes only from the
# referral form).
CONCERN_KINDS = tuple(kind for kind in ConcernKind if kind is not ConcernKind.SAFEGUARDING_STOP)


class Decision(enum.StrEnum):
    """What the safeguarding lead decided."""

    FRONT_DOOR = "front_door"
    IN_SCHOOL = "in_school"
    EARLY_HELP = "early_help"
    NO_FURTHER_ACTION = "no_further_action"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS = {
    Decision.FRONT_DOOR: "Referred to the children's social care front door (or the "
                         "multi-agency safeguarding hub)",
    Decision.IN_SCHOOL: "Handled in school",
    Decision.EARLY_HELP: "Early help",
    Decision.NO_FURTHER_ACTION: "No further action",
}


class SafeguardingItem(Base):
    """One item in a school's safeguarding lead's queue.

    Holds the child's identity as the member of staff typed it (a concern may be about a
    child the school barely knows: no date of birth, no record). ``child_id`` links it to
    an existing record only when identifiers matched or staff confirmed the match; the
    record itself is never changed from here.
    """

    __tablename__ = "safeguarding_item"
    __table_args__ = (Index("ix_safeguarding_item_school_open", "school_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to people and in messages instead of names, e.g. "SG-7K3Q9M2A".
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[ConcernKind] = mapped_column(enum_column(ConcernKind, 30))
    # The school whose safeguarding lead acts on it: the school of whoever raised it.
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    raised_by_name: Mapped[str] = mapped_column(String(200), default="")
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # From a repeated "record" (a double click, a reload): one item, not two.
    raise_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral_request.id"), unique=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    home_postcode: Mapped[str] = mapped_column(String(10), default="")
    upn: Mapped[str] = mapped_column(String(13), default="")
    nhs_number: Mapped[str] = mapped_column(String(10), default="")
    known_school: Mapped[str] = mapped_column(String(200), default="")
    last_known_address: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, 30))
    decided_at: Mapped[datetime | None]
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    front_door_on: Mapped[date | None] = mapped_column(Date)
    front_door_reference: Mapped[str] = mapped_column(String(100), default="")
    front_door_outcome: Mapped[str] = mapped_column(Text, default="")
    # When the coordinator was told it had not been actioned in time (told once).
    escalated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    school: Mapped[School] = relationship()
    child: Mapped[Child | None] = relationship()
    request: Mapped[ReferralRequest | None] = relationship()
    events: Mapped[list[SafeguardingEvent]] = relationship(
        order_by="SafeguardingEvent.id", viewonly=True)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def open(self) -> bool:
        return self.decision is None

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<SafeguardingItem {self.reference} {self.kind}>"


class SafeguardingEvent(Base):
    """An immutable record of one step on an item: who, when, what and why."""

    __tablename__ = "safeguarding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_item.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    # What happened, in words for the timeline ("Recorded: whereabouts unknown").
    summary: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[SafeguardingItem] = relationship(viewonly=True)


@event.listens_for(SafeguardingEvent, "before_update")
@event.listens_for(SafeguardingEvent, "before_delete")
def _events_are_immutable(mapper: Any, connection: Any, target: SafeguardingEvent) -> None:
    raise ValueError("Safeguarding events cannot be changed or deleted")
