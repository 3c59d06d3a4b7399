"""Linking brothers and sisters with a reason, and unlinking them: both families are put
back as they were, each step kept with who, when and why, and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import family
from routing.referrals.audit import AuditEvent
from routing.referrals.family_models import (
    Carer,
    FamilyReferralForm,
    FamilySibling,
    SiblingLink,
)
from routing.referrals.models import Child, Referral
from services.db import utcnow
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral

WHY = "Mum confirmed at parents' evening"


def _child(db: Session, cast: Cast) -> tuple[Child, Referral]:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    return referral.child, referral


def _state(db: Session, child: Child) -> tuple[int | None, list[int], list[int], list[str]]:
    """The child's family: its id, carers, sent forms and siblings without a record."""
    record = family.family_of(db, child.id)
    if record is None:
        return None, [], [], []
    return (record.id,
            sorted(db.execute(select(Carer.id).where(Carer.family_id == record.id)).scalars()),
            sorted(db.execute(select(FamilyReferralForm.request_id).where(
                FamilyReferralForm.family_id == record.id)).scalars()),
            sorted(db.execute(select(FamilySibling.name).where(
                FamilySibling.family_id == record.id)).scalars()))


def test_it_links_with_who_when_and_why_and_unlinking_puts_both_families_back(
    db: Session, cast: Cast
) -> None:
    child, _ = _child(db, cast)
    other, _ = _child(db, cast)
    # The first family had typed the other child in as a sibling without a record.
    record = family.family_of(db, child.id)
    assert record is not None
    db.add(FamilySibling(family_id=record.id, name=other.name, birth_year=2016, source="x"))
    db.flush()
    mine, theirs = _state(db, child), _state(db, other)
    now = utcnow()
    family.link_sibling(db, child, other, actor(cast.staff), now, WHY)
    joined = _state(db, child)
    assert joined == _state(db, other)
    assert joined[1] == sorted(mine[1] + theirs[1]) and joined[3] == []
    (link,) = db.execute(select(SiblingLink)).scalars()
    assert (link.child_id, link.sibling_id, link.reason) == (child.id, other.id, WHY)
    assert (link.linked_by_id, link.linked_at) == (cast.staff.id, now)
    later = now + timedelta(days=2)
    left = family.unlink_sibling(db, child, other, actor(cast.dsl), later,
                                 "A different family with the same surname")
    assert left == [other.id]
    assert _state(db, child) == mine  # the sibling without a record is back
    apart = _state(db, other)
    assert apart[0] != mine[0] and apart[1:] == theirs[1:]
    assert (link.unlinked_by_id, link.unlinked_at) == (cast.dsl.id, later)
    assert link.unlink_reason == "A different family with the same surname"
    unlinked = db.execute(select(AuditEvent).where(
        AuditEvent.action == "sibling_unlinked")).scalars().all()
    assert {(e.child_id, e.actor_id, e.at) for e in unlinked} == {
        (child.id, cast.dsl.id, later), (other.id, cast.dsl.id, later)}
    assert all("same surname" not in e.detail for e in unlinked)  # the reason stays on the link
    # Linked again after all: a new link, kept beside the undone one.
    family.link_sibling(db, other, child, actor(cast.staff), later, WHY)
    assert len(family.sibling_links(db, [child.id])) == 2


def test_it_unlinks_from_either_childs_page_alike(db: Session, cast: Cast) -> None:
    child, _ = _child(db, cast)
    other, _ = _child(db, cast)
    mine, theirs = _state(db, child), _state(db, other)
    family.link_sibling(db, child, other, actor(cast.staff), utcnow(), WHY)
    # From the linked child's page: the side that came in (the linked child) leaves.
    assert family.leaving_with(db, other, child) == [other.id]
    assert family.unlink_sibling(db, other, child, actor(cast.staff), utcnow(), "No") == [
        other.id]
    assert _state(db, child) == mine and _state(db, other)[1:] == theirs[1:]


def test_it_needs_a_reason_and_two_children_of_one_family(db: Session, cast: Cast) -> None:
    child, _ = _child(db, cast)
    other, _ = _child(db, cast)
    with pytest.raises(InvalidInput) as refused:
        family.link_sibling(db, child, other, actor(cast.staff), utcnow(), "  ")
    assert "reason" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        family.link_sibling(db, child, other, actor(cast.staff), utcnow(), "x" * 2001)
    assert "2,000 characters" in refused.value.errors["reason"]
    with pytest.raises(InvalidInput) as refused:
        family.unlink_sibling(db, child, other, actor(cast.staff), utcnow(), WHY)
    assert "not in this family" in refused.value.errors["sibling"]
    family.link_sibling(db, child, other, actor(cast.staff), utcnow(), WHY)
    with pytest.raises(InvalidInput):
        family.unlink_sibling(db, child, other, actor(cast.staff), utcnow(), "")
    assert family.family_of(db, child.id) == family.family_of(db, other.id)


def test_it_links_once_when_the_confirmation_is_sent_twice(db: Session, cast: Cast) -> None:
    child, _ = _child(db, cast)
    other, _ = _child(db, cast)
    for _ in range(2):
        family.link_sibling(db, child, other, actor(cast.staff), utcnow(), WHY, "k" * 32)
    assert len(db.execute(select(SiblingLink)).scalars().all()) == 1


def test_it_unlinks_a_link_made_before_links_were_recorded_by_moving_the_other_alone(
    db: Session, cast: Cast
) -> None:
    child, _ = _child(db, cast)
    other, _ = _child(db, cast)
    family.link_sibling(db, child, other, actor(cast.staff), utcnow(), WHY)
    db.execute(SiblingLink.__table__.delete())
    joined = _state(db, child)
    assert family.unlink_sibling(db, child, other, actor(cast.staff), utcnow(), "Wrong") == [
        other.id]
    assert _state(db, child)[1:] == joined[1:]  # the carers stay: nothing says whose
    assert _state(db, other)[1:] == ([], [], [])
    (kept,) = db.execute(select(SiblingLink)).scalars()
    assert (kept.unlink_reason, kept.unlinked_by_id) == ("Wrong", cast.staff.id)
