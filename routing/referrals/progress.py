"""The family's progress link: a capability URL whose token is stored only as a hash."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import (
    Child,
    ProgressAttempt,
    ProgressLink,
    Referral,
    ReferralEvent,
    Status,
    progress_link_referral,
)
from routing.referrals.subjects import Subject, about_words
from services.accounts.models import User
from services.errors import InvalidInput
from services.listings import Service
from services.locking import lock_row
from services.organisations import Organisation
from services.schools import School

# The school's own organisation holds its phone and email.
school_office = aliased(Organisation)

TOKEN_BYTES = 32  # 256 bits
EXPIRES_AFTER_CLOSE = timedelta(days=30)
# Wrong answers allowed per link in WINDOW: the date of birth is the secret guessed
# there, so this limit is tight. A school or library shares one address among many
# families, so the limit per address is wider: it only stops one machine trying many
# links, each of which is already a 256-bit secret.
MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 50
WINDOW = timedelta(minutes=15)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_address(address: str) -> str:
    return hashlib.sha256(f"progress:{address}".encode()).hexdigest()


def issue_link(
    session: Session,
    child_id: int,
    referrer: Actor,
    referrals: Sequence[Referral],
    issue_key: str,
    now: datetime,
) -> tuple[ProgressLink, str | None]:
    """A new link showing only ``referrals`` (the child's, chosen by the referrer),
    which stops this referrer's older links for the child working.

    Returns the link and its token, which is shown once and never stored; the token is
    None when ``issue_key`` already made a link (a reload or a double click): that link
    stands and no new one is made. Raises InvalidInput when no referral is chosen or one
    is not this child's.
    """
    assert referrer.user_id is not None
    if len(issue_key) < 16:
        raise InvalidInput({"form": "This page is out of date. Open the child's page again."})
    child = session.get(Child, child_id)
    if child is not None:
        # A double click's two requests take turns here, so the second finds the link.
        lock_row(session, child)
    made = session.execute(
        select(ProgressLink).where(ProgressLink.issue_key == issue_key)
    ).scalar_one_or_none()
    if made is not None:
        return made, None
    if not referrals:
        raise InvalidInput({"referrals": "Choose at least one referral the family may follow"})
    if any(r.child_id != child_id or r.status is Status.DRAFT for r in referrals):
        raise InvalidInput({"referrals": "Choose from this child's referrals"})
    if child is not None and child.date_of_birth is None and child.expected_date is None:
        # The family opens the link with the date: with none known it could never open.
        raise InvalidInput({"referrals": "The family opens their link with the date of "
                                         "birth, which is not known. Ask the family for it "
                                         "and tell the provider"})
    for old in session.execute(
        select(ProgressLink).where(
            ProgressLink.child_id == child_id,
            ProgressLink.referrer_id == referrer.user_id,
            ProgressLink.revoked_at.is_(None),
        )
    ).scalars():
        old.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ProgressLink(
        token_hash=hash_token(token), child_id=child_id, referrer_id=referrer.user_id,
        created_at=now, issue_key=issue_key, referrals=list(referrals),
    )
    session.add(link)
    audit(session, referrer, "progress_link_issued", now, child_id=child_id)
    session.flush()
    return link, token


@dataclass(frozen=True)
class ActiveLink:
    """A link still working, with who made it (named on the revoke message)."""

    link: ProgressLink
    made_by: str
    made_by_organisation_id: int


def active_links(session: Session, child_id: int) -> list[ActiveLink]:
    """The child's links that still work (not revoked), oldest first."""
    rows = session.execute(
        select(ProgressLink, User.name, User.organisation_id)
        .join(User, User.id == ProgressLink.referrer_id)
        .where(ProgressLink.child_id == child_id, ProgressLink.revoked_at.is_(None))
        .order_by(ProgressLink.id)
    ).all()
    return [ActiveLink(link, name, organisation_id) for link, name, organisation_id in rows]


def revoke_links(
    session: Session, links: Sequence[ActiveLink], actor: Actor, now: datetime
) -> list[ActiveLink]:
    """Stop ``links`` working; returns those that were still working (each audited)."""
    stopped = []
    for active in links:
        if active.link.revoked_at is None:
            active.link.revoked_at = now
            audit(session, actor, "progress_link_revoked", now, child_id=active.link.child_id)
            stopped.append(active)
    return stopped


def revoke_links_of(
    session: Session, user_id: int, actor: Actor, now: datetime
) -> list[ProgressLink]:
    """Stop every link ``user_id`` made (their account was closed or moved); those stopped."""
    links = session.execute(
        select(ProgressLink).where(
            ProgressLink.referrer_id == user_id, ProgressLink.revoked_at.is_(None))
    ).scalars()
    stopped = revoke_links(session, [ActiveLink(link, "", 0) for link in links], actor, now)
    return [active.link for active in stopped]


def link_referrals(session: Session, link: ProgressLink) -> list[Referral]:
    """The referrals the family sees: those chosen when the link was made, once sent."""
    return [referral for referral in link.referrals if referral.status is not Status.DRAFT]


# The family page is the most requested page a family sees, so its reads are built
# once (statements are immutable) and only their parameters change. On PostgreSQL each
# statement is a round trip to the server: the page makes as few as it can.


@functools.cache
def _check_statement() -> Select[int, int, ProgressLink | None, date | None]:
    """Recent failures on the link and from the address (two counts, one scan), with
    the link and the date it opens with (None, None when no link has the token): one
    statement, so the rate limit costs no trip of its own. The caller checks the counts
    before it looks at anything else."""
    on_link = ProgressAttempt.token_hash == bindparam("token_hash")
    from_address = ProgressAttempt.remote_hash == bindparam("remote_hash")
    failures = select(
        func.count(ProgressAttempt.id).filter(on_link).label("on_link"),
        func.count(ProgressAttempt.id).filter(from_address).label("from_address"),
    ).where(
        ProgressAttempt.at >= bindparam("since"),
        ProgressAttempt.succeeded.is_(False),
        on_link | from_address,
    ).subquery("failures")
    return (
        select(failures.c.on_link, failures.c.from_address, ProgressLink,
               # An unborn baby's link opens with the expected date of delivery.
               func.coalesce(Child.date_of_birth, Child.expected_date))
        .select_from(failures)
        .outerjoin(ProgressLink, ProgressLink.token_hash == bindparam("token_hash"))
        .outerjoin(Child, Child.id == ProgressLink.child_id)
    )


@functools.cache
def _shown_statement() -> Select[*tuple[Any, ...]]:
    last_event = (
        select(func.max(ReferralEvent.at))
        .where(ReferralEvent.referral_id == Referral.id,
               # A reminder to the provider changes nothing the family sees; a progress
               # note on work under way (routing/referrals/progress_notes.py) is news.
               ~ReferralEvent.is_reminder | (ReferralEvent.to_status == Status.IN_PROGRESS))
        .scalar_subquery()
    )
    return (
        select(
            Referral.referrer_id, Referral.reference, Referral.status, Referral.next_step,
            Referral.updated_at, Referral.ended_at, last_event.label("last_event"),
            Service.name.label("service_name"), Service.contact_phone, Service.contact_email,
            Organisation.name.label("organisation_name"),
            Organisation.phone.label("organisation_phone"),
            Organisation.email.label("organisation_email"),
            School.name.label("school_name"),
            school_office.phone.label("school_phone"),
            school_office.email.label("school_email"),
            # Whom it is about, in the family's words: the first name only, never the
            # surname, the date of birth or anything the record holds beside.
            Child.subject, Child.first_name, Child.expected_date,
        )
        .join(Child, Child.id == Referral.child_id)
        .join(Service, Service.id == Referral.service_id)
        .join(Organisation, Organisation.id == Referral.organisation_id)
        .join(School, School.id == Referral.school_id)
        .join(school_office, school_office.id == School.organisation_id)
        .join(progress_link_referral, progress_link_referral.c.referral_id == Referral.id)
        .where(progress_link_referral.c.link_id == bindparam("link_id"))
        .order_by(Referral.id)
    )


def _shown_rows(session: Session, link: ProgressLink) -> list[Any]:
    """``link_referrals`` as the columns the family page shows, with each referral's
    latest event, in one query: no whole referral (answers, risk, notes) is loaded."""
    rows = session.execute(_shown_statement(), {"link_id": link.id}).all()
    return [r for r in rows if r.status is not Status.DRAFT]


def _expiry(referrals: list[Any]) -> datetime | None:
    """30 days after the last of ``referrals`` ended; None while any is still open."""
    if not referrals or not all(r.status.ended for r in referrals):
        return None
    return max(r.ended_at or r.updated_at for r in referrals) + EXPIRES_AFTER_CLOSE


def expires_at(session: Session, link: ProgressLink) -> datetime | None:
    """30 days after the last referral ended; None while any is still open."""
    return _expiry(link_referrals(session, link))


def usable(session: Session, link: ProgressLink | None, now: datetime) -> bool:
    if link is None or link.revoked_at is not None:
        return False
    ends = expires_at(session, link)
    return ends is None or now < ends


class TooManyAttempts(Exception):
    """Raised when a link (MAX_FAILURES) or an address (MAX_ADDRESS_FAILURES) has had
    too many wrong answers in the last WINDOW."""


class NotShown(Exception):
    """Unknown, expired or revoked link, or the wrong date of birth: all look the same."""


class NoDate(Exception):
    """No date of birth was given (or not a real one): a typing slip, not a try."""


@dataclass(frozen=True)
class FamilyView:
    reference: str
    about: str
    service_name: str
    status: str
    last_update: datetime
    next_step: str
    contact_phone: str
    contact_email: str
    organisation_name: str
    school_name: str
    school_phone: str
    school_email: str
    # The child the link is about (never shown): the page names the child's lead.
    child_id: int


def check_and_show(
    session: Session, token: str, born: date | None, remote_addr: str, now: datetime
) -> list[FamilyView]:
    """What the family may see, after they confirm the child's date of birth.

    Raises NoDate when ``born`` is None (not counted as a try), TooManyAttempts (rate
    limit, held in the database) or NotShown (deliberately one error for unknown,
    expired, revoked and wrong answers).
    Every failed attempt is recorded (the limit counts failures only); each
    successful page view is audited once for the referrer.
    """
    if born is None:
        raise NoDate()
    token_hash = hash_token(token)
    remote_hash = hash_address(remote_addr)
    since = now - WINDOW
    on_link, from_address, link, date_of_birth = session.execute(
        _check_statement(),
        {"since": since, "token_hash": token_hash, "remote_hash": remote_hash},
    ).one()
    if on_link >= MAX_FAILURES or from_address >= MAX_ADDRESS_FAILURES:
        raise TooManyAttempts()
    rows: list[Any] = []
    if link is not None and link.revoked_at is None:
        rows = _shown_rows(session, link)
    ends = _expiry(rows)
    ok = (
        link is not None
        and link.revoked_at is None
        and date_of_birth is not None
        and born is not None
        and (ends is None or now < ends)
        and secrets.compare_digest(date_of_birth.isoformat(), born.isoformat())
    )
    if not ok or link is None:
        # Only failures are counted, so only failures are written.
        session.add(ProgressAttempt(
            token_hash=token_hash, remote_hash=remote_hash, at=now, succeeded=False
        ))
        raise NotShown()
    # One audit row per page view (the referrer's child page lists each view).
    family = Actor(None, "The family (progress link)", None, "")
    audit(session, family, "family_viewed_progress", now, link.child_id)
    return [
        FamilyView(
            reference=row.reference,
            about=about_words(Subject.of(row.subject), row.first_name, row.expected_date,
                              family=True),
            service_name=row.service_name,
            status=row.status.plain,
            last_update=row.last_event or row.updated_at,
            next_step=_next_step(row.status, row.next_step,
                                 bool(row.school_phone or row.school_email)),
            contact_phone=row.contact_phone or (row.organisation_phone or ""),
            contact_email=row.contact_email or (row.organisation_email or ""),
            organisation_name=row.organisation_name,
            school_name=row.school_name,
            school_phone=row.school_phone or "",
            school_email=row.school_email or "",
            child_id=link.child_id,
        )
        for row in rows
    ]


def next_step_words(status: Status, recorded: str | None) -> str:
    """The next step the family's page shows for a referral in ``status`` with the
    provider's ``recorded`` words, for the provider and the school to read."""
    return _next_step(status, recorded)


def _next_step(status: Status, recorded: str | None, school_contact: bool = True) -> str:
    """What happens next, in plain words: the provider's own words once work started.
    Never "contact the school" when the page has no school phone or email to give."""
    if status is Status.IN_PROGRESS and recorded:
        return recorded
    if not school_contact and status in (Status.CLOSED, Status.WITHDRAWN):
        return {
            Status.CLOSED: "Nothing; ask the person who gave you this link if you need "
                           "more help.",
            Status.WITHDRAWN: "Ask the person who gave you this link if you have questions.",
        }[status]
    return {
        Status.SENT: "The service will read the referral and decide if they can help.",
        Status.OPENED: "The service will tell the school if they can help.",
        Status.ACCEPTED: "The service will contact you in the way you agreed.",
        Status.WAITLISTED: "The service will contact you when a place is free.",
        Status.NEEDS_INFORMATION: "The school will give the service what it needs.",
        Status.DECLINED: "The school will talk to you about other services.",
        Status.IN_PROGRESS: "Keep in touch with the service.",
        Status.CLOSED: "Nothing; contact the school if you need more help.",
        Status.WITHDRAWN: "Contact the school if you have questions.",
        Status.DRAFT: "",
    }[status]
