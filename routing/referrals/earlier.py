"""A child who moves school: the new school sees that earlier referrals exist (service,
dates, status) but not what they say, and may ask the earlier school's safeguarding
lead for the details. The lead grants (for ``EARLIER_DETAILS_GRANT_DAYS``) or refuses,
with a reason. Every request, grant, refusal and view is audited; the lead and the
requester are told by message (a reference and a link only).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child, Referral, Status
from routing.referrals.outbox import queue_notice
from services.accounts.models import User
from services.db import Base, enum_column, utcnow
from services.errors import AlreadyDone, InvalidInput
from services.schools import School

REASON_MAX = 5000
# The safeguarding lead's page of these requests, and one request (the email's subject).
REQUESTS_PAGE_TITLE = "Requests for earlier referrals"
MESSAGE_SUBJECT = "Request for earlier referrals"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class RequestState(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"pending": "Waiting for the safeguarding lead", "granted": "Granted",
                "refused": "Refused"}[self.value]


class DetailsRequest(Base):
    """A new school's request to read a child's referrals made by an earlier school."""

    __tablename__ = "details_request"
    __table_args__ = (Index("ix_details_request_holder_state", "holder_school_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown in messages and to people instead of the child's name, e.g. "DR-7K3Q9M2A".
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # From the form: a double click makes one request, not two.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # The earlier school, whose referrals are asked for and whose lead decides.
    holder_school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    # The school asking (the child's new school).
    requester_school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_by_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState, 20), default=RequestState.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # A grant lets the new school read the details until then.
    expires_at: Mapped[datetime | None]

    child: Mapped[Child] = relationship()
    holder_school: Mapped[School] = relationship(foreign_keys=[holder_school_id])
    requester_school: Mapped[School] = relationship(foreign_keys=[requester_school_id])

    def active(self, now: datetime) -> bool:
        """A grant still in force."""
        return (self.state is RequestState.GRANTED and self.expires_at is not None
                and now < self.expires_at)

    def __repr__(self) -> str:
        return f"<DetailsRequest {self.reference} {self.state}>"


@dataclass(frozen=True)
class EarlierReferral:
    """What a new school sees of an earlier school's referral: that it exists."""

    id: int
    service: str
    provider: str
    status: Status
    sent_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class EarlierSchool:
    """One earlier school's referrals of the child, and the new school's latest request
    to it. The school is not named: a new school learns that referrals exist, not where
    the child was before."""

    holder_school_id: int
    referrals: list[EarlierReferral]
    latest: DetailsRequest | None
    granted: bool


def _reference() -> str:
    return "DR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def earlier_referrals(
    session: Session, child_id: int, own_school_ids: Collection[int], now: datetime
) -> list[EarlierSchool]:
    """The child's referrals made by schools other than ``own_school_ids``, grouped by
    school (oldest school first), with each group's latest request from these schools."""
    if not own_school_ids:
        return []
    rows = session.execute(
        select(Referral).where(Referral.child_id == child_id,
                               Referral.school_id.not_in(own_school_ids),
                               Referral.status != Status.DRAFT)
        .order_by(Referral.sent_at, Referral.id)
    ).scalars().all()
    groups: dict[int, list[EarlierReferral]] = {}
    for r in rows:
        groups.setdefault(r.school_id, []).append(EarlierReferral(
            r.id, r.service.name, r.organisation.name, r.status, r.sent_at, r.ended_at))
    result = []
    for school_id, referrals in groups.items():
        latest = session.execute(
            select(DetailsRequest).where(
                DetailsRequest.child_id == child_id,
                DetailsRequest.holder_school_id == school_id,
                DetailsRequest.requester_school_id.in_(own_school_ids))
            .order_by(DetailsRequest.created_at.desc(), DetailsRequest.id.desc()).limit(1)
        ).scalar_one_or_none()
        granted = active_grant(session, child_id, school_id, own_school_ids, now) is not None
        result.append(EarlierSchool(school_id, referrals, latest, granted))
    return result


def active_grant(
    session: Session, child_id: int, holder_school_id: int,
    requester_school_ids: Collection[int], now: datetime,
) -> DetailsRequest | None:
    """The grant in force letting these schools read the holder's referrals of the child."""
    if not requester_school_ids:
        return None
    return session.execute(
        select(DetailsRequest).where(
            DetailsRequest.child_id == child_id,
            DetailsRequest.holder_school_id == holder_school_id,
            DetailsRequest.requester_school_id.in_(requester_school_ids),
            DetailsRequest.state == RequestState.GRANTED,
            DetailsRequest.expires_at > now)
        .order_by(DetailsRequest.expires_at.desc()).limit(1)
    ).scalar_one_or_none()


def _lead_addresses(session: Session, school_id: int) -> list[str]:
    from routing.safeguarding.operations import school_lead_addresses

    return school_lead_addresses(session, school_id)


def request_details(
    session: Session, child_id: int, holder_school_id: int, requester_school_id: int,
    actor: Actor, reason: str, request_key: str, now: datetime,
) -> DetailsRequest:
    """Ask the earlier school's safeguarding lead for its referrals' details.

    The same ``request_key`` again (a double click) returns the first request. Raises
    InvalidInput without a reason, with one over the limit, or when that school made
    no referral of the child; AlreadyDone when a request is already waiting.
    """
    if request_key:
        again = session.execute(select(DetailsRequest).where(
            DetailsRequest.request_key == request_key)).scalar_one_or_none()
        if again is not None:
            return again
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": "Enter why your school needs the details"})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": f"Enter {REASON_MAX:,} characters or fewer"})
    if holder_school_id == requester_school_id or session.execute(
            select(Referral.id).where(Referral.child_id == child_id,
                                      Referral.school_id == holder_school_id,
                                      Referral.status != Status.DRAFT).limit(1)).first() is None:
        raise InvalidInput({"reason": "No other school has referred this child"})
    waiting = session.execute(select(DetailsRequest.reference).where(
        DetailsRequest.child_id == child_id, DetailsRequest.holder_school_id == holder_school_id,
        DetailsRequest.requester_school_id == requester_school_id,
        DetailsRequest.state == RequestState.PENDING)).scalar_one_or_none()
    if waiting is not None:
        raise AlreadyDone(f"Your school's request {waiting} is already waiting for the "
                          "safeguarding lead")
    request = DetailsRequest(
        reference=_reference(), request_key=request_key or None, child_id=child_id,
        holder_school_id=holder_school_id, requester_school_id=requester_school_id,
        requested_by_id=actor.user_id, requested_by_name=actor.name, reason=reason,
        state=RequestState.PENDING, created_at=now)
    try:
        with session.begin_nested():  # a double click's twin may insert the same key first
            session.add(request)
            session.flush()
    except IntegrityError:
        twin = session.execute(select(DetailsRequest).where(
            DetailsRequest.request_key == request_key)).scalar_one_or_none()
        if twin is None or not request_key:
            raise
        return twin
    audit(session, actor, "details_requested", now, child_id,
          subject_type="details_request", subject_id=request.reference)
    for address in _lead_addresses(session, holder_school_id):
        queue_notice(session, address, "details_requested", request.reference, MESSAGE_SUBJECT,
                     f"/referrals/details-requests/{request.id}", now)
    return request


def decide_details(
    session: Session, request: DetailsRequest, actor: Actor, grant: bool, reason: str,
    now: datetime, grant_days: int,
) -> None:
    """The earlier school's lead grants (for ``grant_days``) or refuses; the requester is
    told. Raises InvalidInput for a refusal without a reason or a reason over the limit;
    AlreadyDone when the request was already decided.
    """
    if request.state is not RequestState.PENDING:
        raise AlreadyDone(f"Request {request.reference} was already "
                          f"{request.state.label.lower()}")
    reason = reason.strip()
    if not grant and not reason:
        raise InvalidInput({"decision_reason": "Enter why the request is refused"})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"decision_reason": f"Enter {REASON_MAX:,} characters or fewer"})
    request.state = RequestState.GRANTED if grant else RequestState.REFUSED
    request.decided_by_id = actor.user_id
    request.decided_by_name = actor.name
    request.decided_at = now
    request.decision_reason = reason
    request.expires_at = now + timedelta(days=grant_days) if grant else None
    audit(session, actor, "details_granted" if grant else "details_refused", now,
          request.child_id, subject_type="details_request", subject_id=request.reference,
          detail=f"until {request.expires_at:%Y-%m-%d %H:%M}" if request.expires_at else "")
    email = session.execute(select(User.email).where(
        User.id == request.requested_by_id)).scalar_one_or_none()
    queue_notice(session, email, "details_granted" if grant else "details_refused",
                 request.reference, MESSAGE_SUBJECT, f"/referrals/children/{request.child_id}",
                 now)


def record_view(session: Session, actor: Actor, grant: DetailsRequest, referral: Referral,
                now: datetime, remote_addr: str = "") -> None:
    """Audit a new school's read of an earlier referral under a grant."""
    audit(session, actor, "earlier_referral_viewed", now, referral.child_id, referral.id,
          subject_type="details_request", subject_id=grant.reference, remote_addr=remote_addr)


def requests_for_holders(
    session: Session, holder_school_ids: Sequence[int], limit: int = 200
) -> list[DetailsRequest]:
    """Requests to these schools' safeguarding lead: waiting first, then newest."""
    if not holder_school_ids:
        return []
    return list(session.execute(
        select(DetailsRequest).where(DetailsRequest.holder_school_id.in_(holder_school_ids))
        .order_by((DetailsRequest.state == RequestState.PENDING).desc(),
                  DetailsRequest.created_at.desc(), DetailsRequest.id.desc())
        .limit(limit)
    ).scalars())
