"""Retention: what is deleted or anonymised, and when (the policy is in the README).

``purge`` is the one operation: the ``flask retention purge`` command calls it (and
rolls back for a dry run), and a scheduled job can call it the same way. It never
commits. Deletions are set-based statements, so the purge of many children is a few
queries, not one per row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals.audit import audit, purge_audit_before
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
    families: int = 0
    carers: int = 0
    drafts: int = 0
    login_attempts: int = 0
    progress_attempts: int = 0
    reset_links: int = 0
    messages_anonymised: int = 0
    audit_rows: int = 0

    def describe(self) -> str:
        return ", ".join(f"{f.name.replace('_', ' ')} {getattr(self, f.name)}"
                         for f in fields(self))


def years_before(moment: datetime, years: int) -> datetime:
    """The same date ``years`` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _kept_for_safeguarding() -> list[ColumnElement[bool]]:
    """A child named by a safeguarding item or a missing-education case keeps their record:
    safeguarding records have their own, longer, retention (until the child is 25), and
    the purge of referrals must not cut them from the child's timeline."""
    from routing.safeguarding.cme_models import MissingEducationCase
    from routing.safeguarding.models import SafeguardingItem

    return [~exists().where(SafeguardingItem.child_id == Child.id),
            ~exists().where(MissingEducationCase.child_id == Child.id)]


def _unlink_attendance(session: Session, child_ids: list[int]) -> None:
    """Attendance figures belong to the school's import, keyed by UPN: a deleted child's
    figures stay, no longer linked to a record."""
    from routing.safeguarding.cme_models import AttendanceRecord

    session.execute(update(AttendanceRecord).where(AttendanceRecord.child_id.in_(child_ids))
                    .values(child_id=None))


def _children_due(session: Session, cutoff: datetime) -> list[int]:
    """Children whose every referral ended before ``cutoff`` and whose every form was last
    changed before it: nothing about them is still open or recent."""
    open_or_recent_referral = exists().where(
        Referral.child_id == Child.id,
        or_(Referral.ended_at.is_(None), Referral.ended_at >= cutoff),
    )
    recent_form = exists().where(
        ReferralRequest.child_id == Child.id, ReferralRequest.updated_at >= cutoff)
    any_referral = exists().where(Referral.child_id == Child.id)
    # A lead practitioner still coordinating, or whose role ended recently, keeps it too.
    open_or_recent_lead = exists().where(
        LeadPractitioner.child_id == Child.id,
        or_(LeadPractitioner.ended_at.is_(None), LeadPractitioner.ended_at >= cutoff))
    return list(session.execute(
        select(Child.id).where(any_referral, ~open_or_recent_referral, ~recent_form,
                               ~open_or_recent_lead, *_kept_for_safeguarding())
    ).scalars())


def _delete_leads(session: Session, child_ids: list[int]) -> None:
    """The children's lead practitioner records and their history."""
    session.execute(delete(LeadEvent).where(LeadEvent.child_id.in_(child_ids)))
    # A handover points at the lead that followed: unlink before deleting.
    session.execute(update(LeadPractitioner).where(LeadPractitioner.child_id.in_(child_ids))
                    .values(handed_to_id=None))
    session.execute(delete(LeadPractitioner).where(LeadPractitioner.child_id.in_(child_ids)))


def _delete_children(session: Session, child_ids: list[int], counts: PurgeCounts) -> None:
    for start in range(0, len(child_ids), 500):
        batch = child_ids[start:start + 500]
        links = select(ProgressLink.id).where(ProgressLink.child_id.in_(batch))
        session.execute(delete(progress_link_referral).where(
            progress_link_referral.c.link_id.in_(links)))
        counts.progress_links += _rowcount(session.execute(
            delete(ProgressLink).where(ProgressLink.child_id.in_(batch))))
        counts.referral_events += _rowcount(session.execute(
            delete(ReferralEvent).where(ReferralEvent.child_id.in_(batch))))
        # Schools' requests for the child's earlier referrals go with the referrals (the
        # audit keeps who asked, granted, refused and read).
        session.execute(delete(DetailsRequest).where(DetailsRequest.child_id.in_(batch)))
        # A re-routed referral points at the one it replaced: unlink before deleting.
        session.execute(update(Referral).where(Referral.child_id.in_(batch))
                        .values(rerouted_from_id=None))
        counts.referrals += _rowcount(session.execute(
            delete(Referral).where(Referral.child_id.in_(batch))))
        session.execute(delete(FamilyReferralForm).where(FamilyReferralForm.request_id.in_(
            select(ReferralRequest.id).where(ReferralRequest.child_id.in_(batch)))))
        counts.referral_forms += _rowcount(session.execute(
            delete(ReferralRequest).where(ReferralRequest.child_id.in_(batch))))
        _delete_leads(session, batch)
        forget_children(session, batch)
        _unlink_attendance(session, batch)
        session.execute(delete(FamilyChild).where(FamilyChild.child_id.in_(batch)))
        _delete_sibling_links(session, batch)
        counts.children += _rowcount(session.execute(delete(Child).where(Child.id.in_(batch))))
    _delete_childless_families(session, counts)


def _delete_sibling_links(session: Session, child_ids: list[int]) -> None:
    """Who linked the children to a brother or sister, and why, goes with them."""
    session.execute(delete(SiblingLink).where(
        SiblingLink.child_id.in_(child_ids) | SiblingLink.sibling_id.in_(child_ids)))


def _delete_childless_families(session: Session, counts: PurgeCounts) -> None:
    """Families none of whose children is still held, with their carers, their carers'
    change history and siblings (a family shared with a child still held stays)."""
    childless = select(Family.id).where(~exists().where(FamilyChild.family_id == Family.id))
    carers = select(Carer.id).where(Carer.family_id.in_(childless))
    session.execute(delete(FamilyReferralForm).where(FamilyReferralForm.family_id.in_(childless)))
    session.execute(delete(CarerChange).where(CarerChange.carer_id.in_(carers)))
    session.execute(delete(FamilySibling).where(FamilySibling.family_id.in_(childless)))
    counts.carers += _rowcount(session.execute(
        delete(Carer).where(Carer.family_id.in_(childless))))
    counts.families += _rowcount(session.execute(delete(Family).where(Family.id.in_(childless))))


def _delete_drafts(session: Session, cutoff: datetime, counts: PurgeCounts) -> None:
    """Unsent forms untouched since ``cutoff``, then any child only they named."""
    stale = and_(ReferralRequest.status == RequestStatus.DRAFT,
                 ReferralRequest.updated_at < cutoff,
                 ~exists().where(Referral.request_id == ReferralRequest.id))
    counts.drafts += _rowcount(session.execute(delete(ReferralRequest).where(stale)))
    # A child is saved together with the form naming it, so one named by no form and no
    # referral was named only by the drafts just deleted.
    # A merged record waits for its merge's undo period (purge_merged deletes it then).
    orphans = list(session.execute(select(Child.id).where(
        ~exists().where(Referral.child_id == Child.id),
        ~exists().where(ReferralRequest.child_id == Child.id),
        ~exists().where(LeadPractitioner.child_id == Child.id),
        Child.merged_at.is_(None),
        *_kept_for_safeguarding(),
    )).scalars())
    if orphans:
        _unlink_attendance(session, orphans)
        session.execute(delete(progress_link_referral).where(
            progress_link_referral.c.link_id.in_(
                select(ProgressLink.id).where(ProgressLink.child_id.in_(orphans)))))
        counts.progress_links += _rowcount(session.execute(
            delete(ProgressLink).where(ProgressLink.child_id.in_(orphans))))
        forget_children(session, orphans)
        session.execute(delete(FamilyChild).where(FamilyChild.child_id.in_(orphans)))
        _delete_sibling_links(session, orphans)
        counts.children += _rowcount(session.execute(delete(Child).where(Child.id.in_(orphans))))
        _delete_childless_families(session, counts)


def purge(session: Session, policy: RetentionPolicy, now: datetime) -> PurgeCounts:
    """Delete or anonymise everything past its retention period; the counts.

    Records one audit row saying what was purged (counts only).
    """
    counts = PurgeCounts()
    _delete_children(session, _children_due(
        session, years_before(now, policy.closed_referral_years)), counts)
    _delete_drafts(session, now - timedelta(days=policy.draft_days), counts)
    counts.merged_records = purge_merged(session, now)
    attempts_cutoff = now - timedelta(days=policy.attempt_days)
    counts.login_attempts = _rowcount(session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < attempts_cutoff)))
    counts.progress_attempts = _rowcount(session.execute(
        delete(ProgressAttempt).where(ProgressAttempt.at < attempts_cutoff)))
    counts.reset_links = _rowcount(session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.expires_at < attempts_cutoff)))
    message_cutoff = now - timedelta(days=policy.message_days)
    counts.messages_anonymised = _rowcount(session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.created_at < message_cutoff,
               or_(OutboxMessage.recipient != "", OutboxMessage.link_path != ""),
               # A secret link (a family's progress link, a password link) never sent,
               # as when Notify is not set up, goes too: it must not wait forever.
               or_(OutboxMessage.sent_at.isnot(None), OutboxMessage.attempts >= MAX_ATTEMPTS,
                   OutboxMessage.template.in_(SECRET_LINK_TEMPLATES)))
        .values(recipient="", link_path="")))
    counts.audit_rows = purge_audit_before(session, years_before(now, policy.audit_years))
    audit(session, SYSTEM, "retention_purge", now, detail=counts.describe())
    return counts

