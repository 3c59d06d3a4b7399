"""Erasure of one record on request: through the purge's deleter, refused by the purge's
rules for what must be kept, audited with the ground and never the details."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent
from routing.referrals.erasure import (
    AlreadyErased,
    ErasureRefused,
    erase_record,
    erasure_plan,
)
from routing.referrals.family_models import Carer, Family, FamilyChild
from routing.referrals.link_delivery import LinkSend
from routing.referrals.models import Child, ProgressLink, Referral, ReferralEvent, ReferralRequest
from routing.referrals.retention import RetentionPolicy, purge, years_before
from routing.safeguarding.models import ConcernKind, SafeguardingItem
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral

NOW = datetime(2026, 11, 30, 10, 0)


def _count(db: Session, model: type, *where: object) -> int:
    return int(db.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _closed_child(db: Session, cast: Cast, at: datetime = NOW) -> Referral:
    """A child whose one referral was withdrawn: nothing open, well inside retention."""
    referral = sent_referral(db, cast, make_service(db, cast.provider), now=at)
    ops.withdraw_referral(db, referral, actor(cast.staff), at, "No longer needed")
    db.flush()
    return referral


def test_it_erases_the_record_and_everything_held_with_it_and_audits_why(
    db: Session, cast: Cast
) -> None:
    referral = _closed_child(db, cast)
    link, _ = issue_link(db, referral.child_id, cast.staff, NOW)
    # A link sent to the family: who sent it, and how, goes with it.
    db.add(LinkSend(send_key="s" * 24, link_id=link.id, channel="email", at=NOW))
    kept = sent_referral(db, cast, make_service(db, cast.provider), now=NOW)
    db.commit()
    child_id, kept_child = referral.child_id, kept.child_id
    child = db.get(Child, child_id)
    assert child is not None
    name = child.name

    counts = erase_record(db, child_id, actor(cast.coordinator), NOW + timedelta(minutes=5),
                          "consent_withdrawn", "DPO request 2026-014", "10.0.0.9")
    db.commit()
    assert counts.children == 1 and counts.referrals == 1 and counts.progress_links == 1
    assert counts.families == 1 and counts.carers == 1 and counts.referral_forms == 1
    assert db.get(Child, child_id) is None
    for model, column in ((Referral, Referral.child_id), (ReferralEvent, ReferralEvent.child_id),
                          (ReferralRequest, ReferralRequest.child_id),
                          (ProgressLink, ProgressLink.child_id),
                          (FamilyChild, FamilyChild.child_id)):
        assert _count(db, model, column == child_id) == 0
    assert _count(db, LinkSend) == 0
    # Another child's record is untouched.
    assert db.get(Child, kept_child) is not None
    assert _count(db, Family) == 1 and _count(db, Carer) == 1

    (row,) = db.execute(select(AuditEvent).where(AuditEvent.action == "record_erased")).scalars()
    assert (row.child_id, row.actor_id, row.remote_addr) == (
        child_id, cast.coordinator.id, "10.0.0.9")
    assert row.at == NOW + timedelta(minutes=5)
    assert "Consent withdrawn" in row.detail and "DPO request 2026-014" in row.detail
    assert "Erased: 1 child's record, 1 referral, " in row.detail
    # The audit keeps why and how much, never who the child was.
    for part in name.split():
        assert part not in row.detail


def test_it_the_plan_counts_exactly_what_the_erasure_deletes_and_changes_nothing(
    db: Session, cast: Cast
) -> None:
    first = _closed_child(db, cast)
    issue_link(db, first.child_id, cast.staff, NOW)
    db.commit()
    child_id = first.child_id
    plan = erasure_plan(db, child_id)
    db.commit()
    assert plan.child_id == child_id and plan.counts.children == 1
    assert plan.counts.progress_links == 1 and plan.counts.referrals == 1
    # The dry run was rolled back: everything is still held.
    assert db.get(Child, child_id) is not None
    assert _count(db, Referral, Referral.child_id == child_id) == 1
    counts = erase_record(db, child_id, actor(cast.coordinator), NOW, "not_needed", "")
    assert counts == plan.counts


def test_it_refuses_while_a_referral_is_open_as_the_purge_keeps_it(
    db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), now=NOW)
    db.commit()
    with pytest.raises(ErasureRefused) as refused:
        erasure_plan(db, referral.child_id)
    assert refused.value.reasons == [
        "A referral is still open: a service is acting on it. It must be closed or "
        "withdrawn first"]
    with pytest.raises(ErasureRefused):
        erase_record(db, referral.child_id, actor(cast.coordinator), NOW, "not_needed", "")
    assert db.get(Child, referral.child_id) is not None


def test_it_refuses_a_record_a_safeguarding_concern_names_as_the_purge_keeps_it(
    db: Session, cast: Cast
) -> None:
    referral = _closed_child(db, cast, years_before(NOW, 10))
    db.add(SafeguardingItem(reference="SG-TEST0001", kind=ConcernKind.NOT_ON_ROLL,
                            school_id=cast.school.id, child_id=referral.child_id,
                            raised_at=years_before(NOW, 10)))
    db.commit()
    child_id = referral.child_id
    with pytest.raises(ErasureRefused) as refused:
        erase_record(db, child_id, actor(cast.coordinator), NOW, "not_needed", "")
    assert "safeguarding concern" in refused.value.reasons[0]
    # The same rule: the purge keeps it too, ten years after the referral closed.
    assert purge(db, RetentionPolicy(), NOW).children == 0
    assert db.get(Child, child_id) is not None


def test_it_refuses_a_note_that_names_the_child_or_family_and_a_missing_ground(
    db: Session, cast: Cast
) -> None:
    referral = _closed_child(db, cast)
    db.commit()
    child = db.get(Child, referral.child_id)
    assert child is not None
    for note in (f"Asked by {child.first_name.upper()}'s mother", "Mother Jo Jones asked",
                 "Call 07700 900982", "BL1 1SE"):
        with pytest.raises(InvalidInput) as refused:
            erase_record(db, child.id, actor(cast.coordinator), NOW, "not_needed", note)
        assert "must not name the child or family" in refused.value.errors["note"], note
    with pytest.raises(InvalidInput) as refused:
        erase_record(db, child.id, actor(cast.coordinator), NOW, "because", "x" * 201)
    assert set(refused.value.errors) == {"ground", "note"}
    assert db.get(Child, child.id) is not None


def test_it_a_second_erasure_is_told_when_and_by_whom_the_first_was_done(
    db: Session, cast: Cast
) -> None:
    referral = _closed_child(db, cast)
    db.commit()
    child_id = referral.child_id
    erase_record(db, child_id, actor(cast.coordinator), NOW, "objection", "")
    db.commit()
    with pytest.raises(AlreadyErased) as again:
        erase_record(db, child_id, actor(cast.coordinator), NOW, "objection", "")
    assert (again.value.at, again.value.by) == (NOW, cast.coordinator.name)
    with pytest.raises(AlreadyErased):
        erasure_plan(db, child_id)
    with pytest.raises(LookupError):
        erasure_plan(db, 987654)
    assert _count(db, AuditEvent, AuditEvent.action == "record_erased") == 1


def test_it_the_purge_deletes_a_progress_link_sent_to_the_family(
    db: Session, cast: Cast
) -> None:
    start = datetime(2019, 1, 10, 9, 0)
    referral = _closed_child(db, cast, start)
    link, _ = issue_link(db, referral.child_id, cast.staff, start)
    db.add(LinkSend(send_key="t" * 24, link_id=link.id, channel="sms", at=start))
    db.commit()
    counts = purge(db, RetentionPolicy(), years_before(start, -6) + timedelta(days=1))
    db.commit()
    assert counts.children == 1 and counts.progress_links == 1
    assert _count(db, LinkSend) == 0
