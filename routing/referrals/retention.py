"""Retention: what is deleted or anonymised, and when (the policy is in the README).

``purge`` is the one operation: the ``flask retention purge`` command calls it (and
rolls back for a dry run), and a scheduled job can call it the same way. It never
commits. Deletions are set-based statements, so the purge of many children is a few
queries, not one per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals.audit import AuditEvent, audit, purge_audit_before
from routing.referrals.earlier import DetailsRequest
from routing.referrals.family_models import (
    Carer,
    CarerChange,
    Family,
    FamilyChild,
    FamilyReferralForm,
    FamilySibling,
    SiblingLink,
)
from routing.referrals.lifecycle import SYSTEM
from routing.referrals.link_delivery import LinkSend
from routing.referrals.merge import forget_children, purge_merged
from routing.referrals.models import (
    Child,
    ProgressAttempt,
    ProgressLink,
    Referral,
    ReferralEvent,
    ReferralRequest,
    RequestStatus,
    progress_link_referral,
)
from routing.referrals.outbox import MAX_ATTEMPTS, SECRET_LINK_TEMPLATES, OutboxMessage
from services.accounts.models import LoginAttempt, PasswordResetToken


@dataclass(frozen=True)
class RetentionPolicy:
    """The periods, from the settings (RETENTION_*)."""

    closed_referral_years: int = 6
    draft_days: int = 30
    attempt_days: int = 90
    message_days: int = 30
    audit_years: int = 7


@dataclass(frozen=True)
class Period:
    """A retention period: so many years, or so many days."""

    years: int = 0
    days: int = 0

    def before(self, moment: datetime) -> datetime:
        """The cut-off: what last counted before it is due at ``moment``."""
        return years_before(moment, self.years) - timedelta(days=self.days)

    def after(self, moment: datetime) -> datetime:
        """When something that last counted at ``moment`` becomes due."""
        return years_before(moment, -self.years) + timedelta(days=self.days)


@dataclass(frozen=True)
class Rule:
    """One retention rule for rows of one table: each row is due ``period`` after its
    ``moment``, if ``also`` holds of it. The purge deletes (or, for messages,
    anonymises) the rows due; the data protection officer's page shows when the next
    ones fall due. Written once here, so both say the same."""

    key: str
    words: str
    model: type[Any]
    moment: InstrumentedAttribute[Any]
    period: Callable[[RetentionPolicy], Period]
    also: Callable[[], list[ColumnElement[bool]]]
    # What happens to a row when it is due, in words for the page.
    then: str = "deleted"

    def due_by(self, policy: RetentionPolicy, moment: datetime) -> list[ColumnElement[bool]]:
        """The rows this rule has made due by ``moment``."""
        return [self.moment < self.period(policy).before(moment), *self.also()]


@dataclass
class PurgeCounts:
    """What a purge deleted or anonymised, by kind."""

    children: int = 0
    # Records merged into another more than UNDO_DAYS ago (routing/referrals/merge.py).
    merged_records: int = 0
    referrals: int = 0
    referral_events: int = 0
    referral_forms: int = 0
    progress_links: int = 0
    details_requests: int = 0
    lead_records: int = 0
    sibling_links: int = 0
    families: int = 0
    carers: int = 0
    siblings: int = 0
    drafts: int = 0
    login_attempts: int = 0
    progress_attempts: int = 0
    reset_links: int = 0
    messages_anonymised: int = 0
    audit_rows: int = 0

    def describe(self) -> str:
        return ", ".join(f"{f.name.replace('_', ' ')} {getattr(self, f.name)}"
                         for f in fields(self))

    def items(self) -> list[tuple[str, int]]:
        """(kind in words, how many) of each kind with any."""
        return [(_COUNTED.get(f.name, (f.name, f.name.replace("_", " ")))[1],
                 getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]

    def in_words(self) -> str:
        """Each kind with any, its words agreeing with its number: "1 child's record,
        2 referrals"."""
        return ", ".join(
            f"{count} {_COUNTED[name][0] if count == 1 else _COUNTED[name][1]}"
            for name, count in ((f.name, getattr(self, f.name)) for f in fields(self))
            if count and name in _COUNTED)


# The kinds an erasure deletes, as a person reads them: (one, more than one).
_COUNTED: dict[str, tuple[str, str]] = {
    "children": ("child's record", "children's records"),
    "merged_records": ("record merged in", "records merged in"),
    "referrals": ("referral", "referrals"),
    "referral_events": ("event on a referral", "events on the referrals"),
    "referral_forms": ("referral form", "referral forms"),
    "progress_links": ("progress link", "progress links"),
    "details_requests": ("school's request for earlier referrals",
                         "schools' requests for earlier referrals"),
    "lead_records": ("lead practitioner record", "lead practitioner records"),
    "sibling_links": ("brother or sister link", "brother and sister links"),
    "families": ("family record", "family records"),
    "carers": ("parent or carer", "parents and carers"),
    "siblings": ("brother or sister", "brothers and sisters"),
}


def years_before(moment: datetime, years: int) -> datetime:
    """The same date ``years`` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# Why a child's record is kept however long ago its referrals ended: (words, the row that
# keeps it). Safeguarding records have their own, longer, retention (until the child is
# 25), and neither the purge nor an erasure may cut them from the child's timeline.
def _safeguarding_keeps() -> list[tuple[str, ColumnElement[bool]]]:
    from routing.safeguarding.cme_models import MissingEducationCase
    from routing.safeguarding.models import SafeguardingItem

    return [
        ("A safeguarding concern names this child: safeguarding records are kept until "
         "the child is 25", exists().where(SafeguardingItem.child_id == Child.id)),
        # A form stopped at "may be at risk of significant harm" before the child had a
        # record: the lead's item names no child but holds the form, which is the
        # child's (and must not be deleted from under it).
        ("A safeguarding concern was raised from one of this child's referral forms: "
         "safeguarding records are kept until the child is 25",
         exists().where(SafeguardingItem.request_id == ReferralRequest.id,
                        ReferralRequest.child_id == Child.id)),
        ("A missing-education case names this child: it is a safeguarding record, kept "
         "until the child is 25", exists().where(MissingEducationCase.child_id == Child.id)),
    ]


def _kept_for_safeguarding() -> list[ColumnElement[bool]]:
    return [~kept for _, kept in _safeguarding_keeps()]


# What keeps a child's record from the purge: each (row's child, the moment the row last
# counted, NULL while it is still open, and why an open row keeps the record). The record
# is due RETENTION_CLOSED_REFERRAL_YEARS after the latest of them.
def _child_activity() -> list[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any], str]]:
    return [
        (Referral.child_id, Referral.ended_at,
         "A referral is still open: a service is acting on it. It must be closed or "
         "withdrawn first"),
        (ReferralRequest.child_id, ReferralRequest.updated_at, ""),
        (LeadPractitioner.child_id, LeadPractitioner.ended_at,
         "A lead practitioner is still coordinating this child's support: the role must "
         "end first"),
    ]


def why_kept(session: Session, child_id: int) -> list[str]:
    """Why the child's record must be kept whatever its age (an open referral, a lead
    practitioner still coordinating, a safeguarding record): the rules the purge applies,
    in words; empty if none holds. An erasure on request is refused while any holds."""
    checks: list[tuple[str, ColumnElement[bool]]] = [
        (words, exists().where(child == Child.id, moment.is_(None)))
        for child, moment, words in _child_activity() if words]
    checks += _safeguarding_keeps()
    return [words for words, kept in checks
            if session.execute(select(kept).where(Child.id == child_id)).scalar()]


def _unlink_attendance(session: Session, child_ids: list[int]) -> None:
    """Attendance figures belong to the school's import, keyed by UPN: a deleted child's
    figures stay, no longer linked to a record."""
    from routing.safeguarding.cme_models import AttendanceRecord

    session.execute(update(AttendanceRecord).where(AttendanceRecord.child_id.in_(child_ids))
                    .values(child_id=None))


def _children_due(session: Session, cutoff: datetime) -> list[int]:
    """Children whose every referral ended before ``cutoff`` and whose every form was last
    changed before it: nothing about them is still open or recent. (A lead practitioner
    still coordinating, or whose role ended recently, keeps the record too.)"""
    open_or_recent = [~exists().where(child == Child.id, or_(moment.is_(None), moment >= cutoff))
                      for child, moment, _ in _child_activity()]
    any_referral = exists().where(Referral.child_id == Child.id)
    return list(session.execute(
        select(Child.id).where(any_referral, *open_or_recent, *_kept_for_safeguarding())
    ).scalars())


def children_due_on(
    session: Session, policy: RetentionPolicy, by: datetime
) -> dict[int, datetime]:
    """The children whose records the purge will have deleted by ``by`` (the rule the
    purge applies), each with the moment it becomes due: the closed-referral period after
    the last of its referrals ended, forms changed or lead roles ended."""
    period = Period(years=policy.closed_referral_years)
    ids = _children_due(session, period.before(by))
    latest: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        for child, moment, _ in _child_activity():
            for child_id, last in session.execute(
                    select(child, func.max(moment)).where(child.in_(batch)).group_by(child)):
                if last is not None and (child_id not in latest or last > latest[child_id]):
                    latest[child_id] = last
    return {child_id: period.after(last) for child_id, last in latest.items()}


def orphan_children(session: Session) -> list[int]:
    """Records named by no referral, no form and no lead practitioner (their only forms
    were unsent and have been deleted): the purge deletes them at its next run. A merged
    record waits for its merge's undo period (purge_merged deletes it then)."""
    return list(session.execute(select(Child.id).where(
        ~exists().where(Referral.child_id == Child.id),
        ~exists().where(ReferralRequest.child_id == Child.id),
        ~exists().where(LeadPractitioner.child_id == Child.id),
        Child.merged_at.is_(None),
        *_kept_for_safeguarding(),
    )).scalars())


def _delete_leads(session: Session, child_ids: list[int], counts: PurgeCounts) -> None:
    """The children's lead practitioner records and their history."""
    session.execute(delete(LeadEvent).where(LeadEvent.child_id.in_(child_ids)))
    # A handover points at the lead that followed: unlink before deleting.
    session.execute(update(LeadPractitioner).where(LeadPractitioner.child_id.in_(child_ids))
                    .values(handed_to_id=None))
    counts.lead_records += _rowcount(session.execute(
        delete(LeadPractitioner).where(LeadPractitioner.child_id.in_(child_ids))))


def _delete_progress_links(session: Session, child_ids: list[int], counts: PurgeCounts) -> None:
    links = select(ProgressLink.id).where(ProgressLink.child_id.in_(child_ids))
    session.execute(delete(progress_link_referral).where(
        progress_link_referral.c.link_id.in_(links)))
    # Who sent a link, and how, goes with it (the outbox's own rule blanks the address).
    session.execute(delete(LinkSend).where(LinkSend.link_id.in_(links)))
    counts.progress_links += _rowcount(session.execute(
        delete(ProgressLink).where(ProgressLink.child_id.in_(child_ids))))


def delete_children(session: Session, child_ids: list[int], counts: PurgeCounts) -> None:
    """Delete the children's records and everything held with them: referrals, their
    events and forms, progress links, schools' requests for the referrals, lead
    practitioner records, versions of the details and records merged in, brother and
    sister links, and each family none of whose children is still held. Adds to
    ``counts``. The one deleter of children: the purge and an erasure both use it.
    Never commits."""
    for start in range(0, len(child_ids), 500):
        batch = child_ids[start:start + 500]
        _delete_progress_links(session, batch, counts)
        counts.referral_events += _rowcount(session.execute(
            delete(ReferralEvent).where(ReferralEvent.child_id.in_(batch))))
        # Schools' requests for the child's earlier referrals go with the referrals (the
        # audit keeps who asked, granted, refused and read).
        counts.details_requests += _rowcount(session.execute(
            delete(DetailsRequest).where(DetailsRequest.child_id.in_(batch))))
        # A re-routed referral points at the one it replaced: unlink before deleting.
        session.execute(update(Referral).where(Referral.child_id.in_(batch))
                        .values(rerouted_from_id=None))
        counts.referrals += _rowcount(session.execute(
            delete(Referral).where(Referral.child_id.in_(batch))))
        session.execute(delete(FamilyReferralForm).where(FamilyReferralForm.request_id.in_(
            select(ReferralRequest.id).where(ReferralRequest.child_id.in_(batch)))))
        counts.referral_forms += _rowcount(session.execute(
            delete(ReferralRequest).where(ReferralRequest.child_id.in_(batch))))
        _delete_leads(session, batch, counts)
        forget_children(session, batch)
        _unlink_attendance(session, batch)
        session.execute(delete(FamilyChild).where(FamilyChild.child_id.in_(batch)))
        _delete_sibling_links(session, batch, counts)
        counts.children += _rowcount(session.execute(delete(Child).where(Child.id.in_(batch))))
    _delete_childless_families(session, counts)


def _delete_sibling_links(session: Session, child_ids: list[int], counts: PurgeCounts) -> None:
    """Who linked the children to a brother or sister, and why, goes with them."""
    counts.sibling_links += _rowcount(session.execute(delete(SiblingLink).where(
        SiblingLink.child_id.in_(child_ids) | SiblingLink.sibling_id.in_(child_ids))))


def _delete_childless_families(session: Session, counts: PurgeCounts) -> None:
    """Families none of whose children is still held, with their carers, their carers'
    change history and siblings (a family shared with a child still held stays)."""
    childless = select(Family.id).where(~exists().where(FamilyChild.family_id == Family.id))
    carers = select(Carer.id).where(Carer.family_id.in_(childless))
    session.execute(delete(FamilyReferralForm).where(FamilyReferralForm.family_id.in_(childless)))
    session.execute(delete(CarerChange).where(CarerChange.carer_id.in_(carers)))
    counts.siblings += _rowcount(session.execute(
        delete(FamilySibling).where(FamilySibling.family_id.in_(childless))))
    counts.carers += _rowcount(session.execute(
        delete(Carer).where(Carer.family_id.in_(childless))))
    counts.families += _rowcount(session.execute(delete(Family).where(Family.id.in_(childless))))


def _messages_due() -> list[ColumnElement[bool]]:
    return [or_(OutboxMessage.recipient != "", OutboxMessage.link_path != ""),
            # A secret link (a family's progress link, a password link) never sent,
            # as when Notify is not set up, goes too: it must not wait forever.
            or_(OutboxMessage.sent_at.isnot(None), OutboxMessage.attempts >= MAX_ATTEMPTS,
                OutboxMessage.template.in_(SECRET_LINK_TEMPLATES))]


def _drafts_due() -> list[ColumnElement[bool]]:
    from routing.safeguarding.models import SafeguardingItem

    # A draft stopped for safeguarding is held by the lead's item: it is what staff
    # typed about the child, kept with the safeguarding record.
    return [ReferralRequest.status == RequestStatus.DRAFT,
            ~exists().where(Referral.request_id == ReferralRequest.id),
            ~exists().where(SafeguardingItem.request_id == ReferralRequest.id)]


# The rules for rows other than children's records (children: ``children_due_on``;
# merged records: routing/referrals/merge.py), in the order the purge applies them.
DRAFTS = Rule("drafts", "Unsent referral forms (drafts)", ReferralRequest,
              ReferralRequest.updated_at, lambda p: Period(days=p.draft_days), _drafts_due)
LOGIN_ATTEMPTS = Rule("login_attempts", "Failed sign-ins (with addresses)", LoginAttempt,
                      LoginAttempt.at, lambda p: Period(days=p.attempt_days), list)
PROGRESS_ATTEMPTS = Rule("progress_attempts", "Progress-link date checks", ProgressAttempt,
                         ProgressAttempt.at, lambda p: Period(days=p.attempt_days), list)
RESET_LINKS = Rule("reset_links", "Expired password links", PasswordResetToken,
                   PasswordResetToken.expires_at, lambda p: Period(days=p.attempt_days), list)
MESSAGES = Rule("messages_anonymised", "Messages (recipient and link)", OutboxMessage,
                OutboxMessage.created_at, lambda p: Period(days=p.message_days), _messages_due,
                then="recipient and link blanked")
AUDIT_ROWS = Rule("audit_rows", "Audit rows", AuditEvent, AuditEvent.at,
                  lambda p: Period(years=p.audit_years), list)
RULES = (DRAFTS, LOGIN_ATTEMPTS, PROGRESS_ATTEMPTS, RESET_LINKS, MESSAGES, AUDIT_ROWS)


def _delete_drafts(session: Session, policy: RetentionPolicy, now: datetime,
                   counts: PurgeCounts) -> None:
    """Unsent forms untouched for the drafts' period, then any child only they named."""
    counts.drafts += _rowcount(session.execute(
        delete(ReferralRequest).where(*DRAFTS.due_by(policy, now))))
    # A child is saved together with the form naming it, so one named by no form and no
    # referral was named only by the drafts just deleted.
    orphans = orphan_children(session)
    if orphans:
        _unlink_attendance(session, orphans)
        _delete_progress_links(session, orphans, counts)
        forget_children(session, orphans)
        session.execute(delete(FamilyChild).where(FamilyChild.child_id.in_(orphans)))
        _delete_sibling_links(session, orphans, counts)
        counts.children += _rowcount(session.execute(delete(Child).where(Child.id.in_(orphans))))
        _delete_childless_families(session, counts)


def _delete(session: Session, rule: Rule, policy: RetentionPolicy, now: datetime) -> int:
    return _rowcount(session.execute(delete(rule.model).where(*rule.due_by(policy, now))))


def purge(session: Session, policy: RetentionPolicy, now: datetime) -> PurgeCounts:
    """Delete or anonymise everything past its retention period; the counts.

    Records one audit row saying what was purged (counts only).
    """
    counts = PurgeCounts()
    delete_children(session, _children_due(
        session, Period(years=policy.closed_referral_years).before(now)), counts)
    _delete_drafts(session, policy, now, counts)
    counts.merged_records = purge_merged(session, now)
    counts.login_attempts = _delete(session, LOGIN_ATTEMPTS, policy, now)
    counts.progress_attempts = _delete(session, PROGRESS_ATTEMPTS, policy, now)
    counts.reset_links = _delete(session, RESET_LINKS, policy, now)
    counts.messages_anonymised = _rowcount(session.execute(
        update(OutboxMessage).where(*MESSAGES.due_by(policy, now))
        .values(recipient="", link_path="")))
    counts.audit_rows = purge_audit_before(
        session, AUDIT_ROWS.period(policy).before(now))
    audit(session, SYSTEM, "retention_purge", now, detail=counts.describe())
    return counts
