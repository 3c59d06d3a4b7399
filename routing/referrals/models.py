"""Referral models: the child, the referral form (a draft), referrals and their events."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    event,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from routing.referrals.answers import Answers, NeedsStep, Section, Step, sections_of
from routing.referrals.declaration import declared_words, wording
from routing.referrals.subjects import NOT_KNOWN, Subject, about_words, born_words
from services.db import Base, enum_column, utcnow
from services.listings import Service
from services.organisations import Organisation
from services.schools import School


class Status(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    NEEDS_INFORMATION = "needs_information"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def plain(self) -> str:
        """The status in words a family understands."""
        return FAMILY_WORDS[self]

    @property
    def ended(self) -> bool:
        return self in (Status.DECLINED, Status.CLOSED, Status.WITHDRAWN)


STATUS_LABELS = {
    Status.DRAFT: "Draft",
    Status.SENT: "Sent",
    Status.OPENED: "Opened",
    Status.ACCEPTED: "Accepted",
    Status.WAITLISTED: "Wait-listed",
    Status.NEEDS_INFORMATION: "Question from the service",
    Status.DECLINED: "Declined",
    Status.IN_PROGRESS: "In progress",
    Status.CLOSED: "Closed",
    Status.WITHDRAWN: "Withdrawn",
}

FAMILY_WORDS = {
    Status.DRAFT: "Not sent yet",
    Status.SENT: "Sent to the service, waiting for them to read it",
    Status.OPENED: "The service is looking at the referral",
    Status.ACCEPTED: "The service has a place for you",
    Status.WAITLISTED: "You are on the service's waiting list",
    Status.NEEDS_INFORMATION: "The service has asked the school a question",
    Status.DECLINED: "This service cannot help; the school is finding another",
    Status.IN_PROGRESS: "The service has been in touch and support has started",
    Status.CLOSED: "Support has finished",
    Status.WITHDRAWN: "This referral has been stopped",
}


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    # Stopped at safeguarding triage: nothing was sent to any provider.
    SAFEGUARDING_STOP = "safeguarding_stop"


class RiskLevel(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


def flag_reasons(missing_education: bool, attendance_concern: bool, risk_rank: int) -> list[str]:
    """Why a referral is flagged for safeguarding attention, in words (empty: not flagged).

    The one rule: a referral is flagged when the child is missing education, there are
    concerns about attendance, or any risk was assessed high.
    """
    reasons = []
    if missing_education:
        reasons.append("the child is missing education")
    if attendance_concern:
        reasons.append("there are concerns about attendance")
    if risk_rank >= RiskLevel.HIGH.rank:
        reasons.append("a risk was assessed as high")
    return reasons


class DeclineReason(enum.StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    NO_CAPACITY = "no_capacity"
    OUT_OF_AREA = "out_of_area"
    NEED_NOT_MET = "need_not_met"
    FAMILY_DECLINED = "family_declined"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "not_eligible": "The family is not eligible",
            "no_capacity": "No capacity and no wait-list",
            "out_of_area": "Outside the service's area",
            "need_not_met": "The service does not meet this need",
            "family_declined": "The family did not want the service",
            "other": "Another reason",
        }[self.value]


class Outcome(enum.StrEnum):
    SUPPORT_COMPLETED = "support_completed"
    FAMILY_DISENGAGED = "family_disengaged"
    NO_LONGER_NEEDED = "no_longer_needed"
    MOVED_AWAY = "moved_away"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "support_completed": "Support completed",
            "family_disengaged": "The family stopped engaging",
            "no_longer_needed": "Support no longer needed",
            "moved_away": "The family moved away",
            "other": "Another outcome",
        }[self.value]

    @property
    def support_given(self) -> bool:
        return self is Outcome.SUPPORT_COMPLETED


class Child(Base):
    """One record per child, shared by every school and provider: one timeline.

    ``subject`` says whom the record is about: a child, an unborn baby (with its
    expected date of delivery and no date of birth) or a parent or carer. A date of
    birth may be not known: then ``birth_year`` holds an approximate year, or nothing.
    An empty ``home_postcode`` is a home address not known.
    """

    __tablename__ = "child"
    __table_args__ = (Index("ix_child_match", "date_of_birth", "home_postcode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    home_postcode: Mapped[str] = mapped_column(String(10))
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    nhs_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    attendance_concern: Mapped[bool] = mapped_column(Boolean, default=False)
    missing_education: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(10), default=Subject.CHILD.value,
                                         server_default=Subject.CHILD.value)
    expected_date: Mapped[date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when this record was merged into another (routing/referrals/merge.py): it is
    # then no one's record, matches nothing and is purged once the merge cannot be undone.
    merged_at: Mapped[datetime | None] = mapped_column(default=None)

    school: Mapped[School] = relationship()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def subject_kind(self) -> Subject:
        return Subject.of(self.subject)

    @property
    def born_words(self) -> str:
        """The date of birth in words a page shows: the date, "Not known (born about
        2016)", "Not known" or, before birth, "Not born yet (expected 3 March 2027)"."""
        return born_words(self.subject_kind, self.date_of_birth, self.birth_year,
                          self.expected_date)

    @property
    def postcode_words(self) -> str:
        return self.home_postcode or NOT_KNOWN

    @property
    def about_words(self) -> str:
        """Whom the record is about, as the school's and the provider's pages say it
        ("An unborn baby, due in March 2027"); the family's page words it for them."""
        return about_words(self.subject_kind, self.first_name, self.expected_date,
                           family=False)

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<Child {self.id}>"


class ReferralRequest(Base):
    """The referral form, saved as a draft between steps; sending it makes referrals."""

    __tablename__ = "referral_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # From the form's first page: a repeated "start" makes one draft, not two.
    start_key: Mapped[str] = mapped_column(String(64), unique=True)
    # From the check-your-answers page: a repeated "send" sends once.
    send_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, 20), default=RequestStatus.DRAFT
    )
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    safeguarding_stopped_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # The declaration confirmed on check-your-answers when the form was sent: who (kept
    # as named then), when, and which wording (routing.referrals.declaration). None on
    # forms sent before declarations were stored.
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    declared_by_name: Mapped[str] = mapped_column(String(200), default="",
                                                  server_default="")
    declared_by_organisation: Mapped[str] = mapped_column(String(200), default="",
                                                          server_default="")
    declared_at: Mapped[datetime | None]
    declaration_version: Mapped[int | None] = mapped_column(Integer)

    child: Mapped[Child | None] = relationship()
    school: Mapped[School] = relationship()
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="request", order_by="Referral.id"
    )

    @property
    def declared(self) -> str:
        """"Declared by … on …", or "" for a form sent before declarations were kept."""
        if self.declared_at is None:
            return ""
        return declared_words(self.declared_by_name, self.declared_by_organisation,
                              self.declared_at)

    @property
    def declaration_wording(self) -> str:
        return wording(self.declaration_version)

    @property
    def form(self) -> Answers:
        """The answers so far, typed (the one reader of ``answers``)."""
        return Answers.read(self.answers)

    def save_answers(self, step: Step, now: datetime) -> None:
        """Replace one step's answers (the one writer of ``answers``)."""
        self.answers = Answers.saved(self.answers, step)
        self.updated_at = now


class Referral(Base):
    """One referral of one child to one provider's service."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_service_status", "service_id", "status"),
        Index("ix_referral_org_status", "organisation_id", "status"),
        Index("ix_referral_school_status", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to people and in messages instead of names, e.g. "FH-7K3Q9M".
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("referral_request.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    # The receiving provider; kept even if the service later moves.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # [{"code": "MHW", "priority": 1}, ...]: the needs this provider is asked to meet.
    needs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[Status] = mapped_column(enum_column(Status, 30), default=Status.DRAFT)
    # Whether any of its needs was marked urgent; orders the wait-list first.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Highest of the three risk levels (0-3); orders the wait-list after urgency.
    risk_rank: Mapped[int] = mapped_column(Integer, default=0)
    safeguarding_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    holds_place: Mapped[bool] = mapped_column(Boolean, default=False)
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason, 30))
    decline_text: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, 30))
    information_request: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    # The sections of the form this provider may read, chosen by the referrer (see
    # routing.referrals.sharing); None, for referrals sent before the choice existed:
    # the defaults.
    shared_sections: Mapped[list[str] | None] = mapped_column(JSON)
    # Unique: a declined referral is re-routed once (see reroute_need).
    rerouted_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id"), index=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    waitlisted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Optimistic lock: two people changing one referral at once cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    request: Mapped[ReferralRequest | None] = relationship(back_populates="referrals")
    child: Mapped[Child] = relationship()
    school: Mapped[School] = relationship()
    service: Mapped[Service] = relationship()
    organisation: Mapped[Organisation] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(
        order_by="ReferralEvent.id", viewonly=True
    )

    @property
    def asked(self) -> NeedsStep:
        """The needs this provider is asked to meet, typed (the one reader of ``needs``)."""
        return NeedsStep.read({"needs": self.needs})

    @property
    def need_codes(self) -> list[str]:
        return self.asked.codes

    @property
    def sections(self) -> tuple[Section, ...]:
        """What the provider may read of the form (the one reader of ``shared_sections``)."""
        return sections_of(self.shared_sections)

    @property
    def flag_reasons(self) -> list[str]:
        """Why ``safeguarding_flag`` is set, in words, by the rule that set it."""
        if not self.safeguarding_flag:
            return []
        typed = self.request.form.child if self.request is not None else None
        return flag_reasons(
            bool((typed and typed.missing_education) or self.child.missing_education),
            bool((typed and typed.attendance_concern) or self.child.attendance_concern),
            self.risk_rank,
        ) or ["it was flagged when sent"]

    @property
    def flag_explained(self) -> str:
        """The flag's reasons as one sentence ("" when not flagged)."""
        reasons = self.flag_reasons
        if not reasons:
            return ""
        joined = reasons[0] if len(reasons) == 1 else (
            ", ".join(reasons[:-1]) + " and " + reasons[-1])
        return f"Flagged for safeguarding attention because {joined}."

    def __repr__(self) -> str:
        return f"<Referral {self.reference} {self.status}>"


class ReferralEvent(Base):
    """An immutable record of one change to a referral: who, for whom, when, what."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, 30))
    to_status: Mapped[Status] = mapped_column(enum_column(Status, 30))
    reason: Mapped[str] = mapped_column(Text, default="")

    referral: Mapped[Referral] = relationship(viewonly=True)

    @hybrid_property
    def is_reminder(self) -> bool:
        """A reminder to the provider: recorded like a change, but the status stays."""
        return self.from_status is not None and self.from_status == self.to_status

    @is_reminder.inplace.expression
    @classmethod
    def _is_reminder_expression(cls) -> ColumnElement[bool]:
        # and_ keeps it False (not NULL) for the first event, so ~is_reminder works.
        return and_(cls.from_status.is_not(None), cls.from_status == cls.to_status)


@event.listens_for(ReferralEvent, "before_update")
@event.listens_for(ReferralEvent, "before_delete")
def _events_are_immutable(mapper: Any, connection: Any, target: ReferralEvent) -> None:
    raise ValueError("Referral events cannot be changed or deleted")


# The referrals a progress link shows: those chosen when it was made, never more.
progress_link_referral = Table(
    "progress_link_referral",
    Base.metadata,
    Column("link_id", ForeignKey("progress_link.id"), primary_key=True),
    Column("referral_id", ForeignKey("referral.id"), primary_key=True),
)


class ProgressLink(Base):
    """The family's capability link: only the SHA-256 of the token is stored."""

    __tablename__ = "progress_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # From the form that made it: a reload or double click makes one link, not two.
    issue_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    child: Mapped[Child] = relationship()
    referrals: Mapped[list[Referral]] = relationship(
        secondary=progress_link_referral, order_by="Referral.id")


class ProgressAttempt(Base):
    """A date-of-birth check on a progress link, counted to rate-limit guessing.

    In the database so the limit holds across every worker. Keyed by the hash
    of the presented token, so unknown tokens are limited the same way.
    """

    __tablename__ = "progress_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    remote_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
