"""Merging two records of one child, undoing it within 30 days, and the purge after."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent
from routing.referrals.children import ChildDetails, ConfirmMatch, clean_details, find_child
from routing.referrals.identity import IdentitySource, versions_of
from routing.referrals.merge import (
    KEPT,
    MERGED,
    ChildMerge,
    MergeRefused,
    child_reference_columns,
    current_record,
    merge_children,
    moved_columns,
    undo_merge,
    unhandled_child_columns,
)
from routing.referrals.models import Child, ProgressLink
from routing.referrals.retention import RetentionPolicy, purge
from routing.safeguarding import operations as safeguarding
from services.accounts.models import Role
from services.db import Base, utcnow
from services.errors import InvalidInput
from tests.factories import Cast, make_service, make_user
from tests.routing.referrals.helpers import actor, issue_link
from tests.routing.referrals.identity_helpers import (
    amira,
    filled_draft,
    orphans,
    pointing_at,
    referred,
)

NHS = "9434765919"


def _two_records(db: Session, cast: Cast) -> tuple[Child, Child]:
    """One child recorded twice by her school: a typo in the name and a different date
    of birth, and the NHS number only on the second."""
    first = referred(db, cast, amira())
    second = referred(db, cast, amira("Amirah", date(2015, 3, 15), nhs=NHS))
    issue_link(db, second.id, cast.staff)
    safeguarding.raise_concern(
        db, cast.school.id, actor(cast.staff),
        safeguarding.ConcernInput("wellbeing", "Amirah", "Khan", date(2015, 3, 15),
                                  "BL1 1SE", nhs_number=NHS, known_school="Castle Hill",
                                  details="Tired in class"),
        True, secrets.token_hex(8), utcnow())
    db.flush()
    return first, second


def _merge(db: Session, cast: Cast, keep: Child, gone: Child, **kwargs: object) -> ChildMerge:
    options = {"chosen": {"nhs_number": MERGED}, "reason": "Same child: NHS number checked",
               "user": cast.dsl, "school_ids": (cast.school.id,), "now": utcnow()} | kwargs
    return merge_children(db, keep, gone, options["chosen"], options["reason"],  # type: ignore[arg-type]
                          actor(options["user"]), options["now"],  # type: ignore[arg-type]
                          options["school_ids"])  # type: ignore[arg-type]


def test_it_moves_everything_pointing_at_the_merged_record_and_exactly_that_back_on_undo(
    db: Session, cast: Cast
) -> None:
    keep, gone = _two_records(db, cast)
    kept_before, gone_before = pointing_at(db, keep.id), pointing_at(db, gone.id)
    assert {"referral.child_id", "referral_event.child_id", "referral_request.child_id",
            "progress_link.child_id", "safeguarding_item.child_id",
            "safeguarding_event.child_id"} <= set(gone_before)
    record = _merge(db, cast, keep, gone)

    # Each record had a family (its referral made one): a child has one family, so the
    # merged record's stays with it until the merge can no longer be undone.
    assert pointing_at(db, gone.id) == {
        "family_child.child_id": gone_before["family_child.child_id"]}
    after = pointing_at(db, keep.id)
    for column, rows in gone_before.items():
        if column != "family_child.child_id":
            assert rows <= after[column]
    keep, gone = db.get(Child, record.surviving_child_id), db.get(Child, record.merged_child_id)
    assert keep is not None and gone is not None
    assert (keep.first_name, keep.date_of_birth, keep.nhs_number) == (
        "Amira", date(2015, 3, 14), NHS)
    assert gone.merged_at is not None and gone.nhs_number is None
    assert versions_of(db, keep.id)[0].source is IdentitySource.MERGE
    assert record.moved_counts["referral"] == 1

    # Something new for the child after the merge stays with the survivor.
    service = make_service(db, cast.other_provider, needs=("HOUSING",))
    later = referred(db, cast, amira(nhs=NHS), same_child=True, service=service)
    assert later.id == keep.id
    undo_merge(db, record, "Two different children after all", actor(cast.dsl),
               utcnow(), (cast.school.id,))

    assert pointing_at(db, gone.id) == gone_before
    now_kept = pointing_at(db, keep.id)
    for column, rows in kept_before.items():
        assert rows <= now_kept[column]
    assert {r[0] for r in now_kept["referral.child_id"]} - {
        r[0] for r in kept_before["referral.child_id"]} == {
        r.id for r in db.execute(select(ops.Referral).where(
            ops.Referral.service_id == service.id)).scalars()}
    db.refresh(keep)
    db.refresh(gone)
    assert (keep.first_name, keep.date_of_birth, keep.nhs_number) == (
        "Amira", date(2015, 3, 14), None)
    assert (gone.first_name, gone.nhs_number, gone.merged_at) == ("Amirah", NHS, None)
    assert versions_of(db, gone.id)[0].source is IdentitySource.MERGE_UNDONE
    actions = set(db.execute(select(AuditEvent.action).where(
        AuditEvent.subject_type == "child_merge", AuditEvent.subject_id == str(record.id),
        AuditEvent.actor_id == cast.dsl.id)).scalars())
    assert {"child_records_merged", "child_record_merged_away",
            "child_merge_undone"} <= actions
    assert record.undone_by_id == cast.dsl.id and record.undo_reason.startswith("Two")


def test_it_undoes_a_merge_only_within_30_days(db: Session, cast: Cast) -> None:
    keep, gone = _two_records(db, cast)
    merged_at = utcnow()
    record = _merge(db, cast, keep, gone, now=merged_at)
    with pytest.raises(InvalidInput) as late:
        undo_merge(db, record, "Too late", actor(cast.dsl),
                   merged_at + timedelta(days=30, seconds=1), (cast.school.id,))
    assert "30 days" in late.value.errors["undo"]
    undo_merge(db, record, "Just in time", actor(cast.dsl), merged_at + timedelta(days=30),
               (cast.school.id,))
    with pytest.raises(InvalidInput):
        undo_merge(db, record, "Twice", actor(cast.dsl), merged_at + timedelta(days=30),
                   (cast.school.id,))


def test_it_purges_the_merged_record_after_30_days_and_keeps_the_audit(
    db: Session, cast: Cast
) -> None:
    keep, gone = _two_records(db, cast)
    merged_at = utcnow()
    record = _merge(db, cast, keep, gone, now=merged_at)
    gone_id = gone.id
    counts = purge(db, RetentionPolicy(), merged_at + timedelta(days=29))
    assert counts.merged_records == 0 and db.get(Child, gone_id) is not None
    counts = purge(db, RetentionPolicy(), merged_at + timedelta(days=31))
    db.expire_all()
    assert counts.merged_records == 1 and db.get(Child, gone_id) is None
    assert versions_of(db, gone_id) == []
    record = db.get(ChildMerge, record.id)  # type: ignore[assignment]
    assert record.purged_at is not None and record.survivor_before == {}
    assert record.merged_before == {} and not record.undoable(merged_at)
    assert db.execute(select(AuditEvent).where(
        AuditEvent.child_id == gone_id, AuditEvent.action == "child_record_merged_away")
    ).scalar_one() is not None
    assert orphans(db) == []
    # The merged record's family (kept apart while the merge could be undone) has joined
    # the survivor's: both referrals' carers are the survivor's family's now.
    from routing.referrals.family_models import Carer, Family, FamilyChild

    family_id = db.execute(select(FamilyChild.family_id).where(
        FamilyChild.child_id == record.surviving_child_id)).scalar_one()
    assert len(db.execute(select(Carer).where(Carer.family_id == family_id)).all()) == 2
    assert db.execute(select(func.count()).select_from(Family)).scalar_one() == 1


def test_it_lets_a_dsl_merge_only_their_own_schools_children_and_the_coordinator_any(
    db: Session, cast: Cast
) -> None:
    ours = referred(db, cast, amira())
    theirs = referred(db, cast, amira("Amirah", date(2015, 3, 15)), other_school=True)
    other_dsl = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation)
    with pytest.raises(MergeRefused):
        _merge(db, cast, ours, theirs)
    with pytest.raises(MergeRefused):
        _merge(db, cast, theirs, ours, user=other_dsl, school_ids=(cast.other_school.id,))
    assert ours.merged_at is None and theirs.merged_at is None
    record = _merge(db, cast, ours, theirs, user=cast.coordinator, school_ids=None)
    with pytest.raises(MergeRefused):
        undo_merge(db, record, "Not ours", actor(other_dsl), utcnow(),
                   (cast.other_school.id,))
    undo_merge(db, record, "Checked again", actor(cast.coordinator), utcnow(), None)


def test_it_refuses_a_merge_without_a_reason_or_of_a_record_with_itself(
    db: Session, cast: Cast
) -> None:
    keep, gone = _two_records(db, cast)
    with pytest.raises(InvalidInput) as no_reason:
        _merge(db, cast, keep, gone, reason=" ")
    assert "reason" in no_reason.value.errors
    with pytest.raises(InvalidInput):
        _merge(db, cast, keep, keep)
    _merge(db, cast, keep, gone)
    with pytest.raises(InvalidInput):
        _merge(db, cast, keep, db.get(Child, gone.id))


def test_it_matches_the_survivor_and_never_the_merged_record(db: Session, cast: Cast) -> None:
    keep, gone = _two_records(db, cast)
    draft = filled_draft(db, cast.staff, cast.school,
                         make_service(db, cast.other_provider, needs=("HOUSING",)), utcnow())
    # Confirmed to the second record before the merge, sent after it.
    ops.save_child(db, draft, amira("Amirah", date(2015, 3, 15)), True, utcnow())
    record = _merge(db, cast, keep, gone)
    typed = clean_details(amira("Amirah", date(2015, 3, 15)), date.today())
    assert find_child(db, typed) is None
    assert current_record(db, gone.id).id == keep.id  # type: ignore[union-attr]
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    assert draft.child_id == record.surviving_child_id


def test_it_leaves_no_orphan_child_rows_through_corrections_matches_and_merges(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    draft = filled_draft(db, cast.staff, cast.school, service, utcnow())
    for first in ("Sam", "Samuel", "Sammy"):  # corrections while filling in the form
        ops.save_child(db, draft, ChildDetails(first, "Jones", date(2015, 1, 1), "BL1 1SE"),
                       None, utcnow())
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    assert orphans(db) == []
    again = filled_draft(db, cast.other_staff, cast.other_school, service, utcnow())
    with pytest.raises(ConfirmMatch):
        ops.save_child(db, again, ChildDetails("sammy", "JONES", date(2015, 1, 1),
                                               "bl1 1se"), None, utcnow())
    ops.save_child(db, again, ChildDetails("Sammy", "Jones", date(2015, 1, 1), "BL1 1SE"),
                   True, utcnow())
    ops.refer_family(db, again, again.send_key, actor(cast.other_staff), utcnow(), declared=True)
    assert again.child_id == draft.child_id and orphans(db) == []
    keep, gone = _two_records(db, cast)
    record = _merge(db, cast, keep, gone)
    assert orphans(db) == []
    undo_merge(db, record, "Different children", actor(cast.dsl), utcnow(),
               (cast.school.id,))
    assert orphans(db) == []
    merged_at = utcnow()
    _merge(db, cast, keep, gone, now=merged_at)
    purge(db, RetentionPolicy(), merged_at + timedelta(days=31))
    assert orphans(db) == []
    assert len(db.execute(select(Child.id)).all()) == 2


def test_it_handles_every_column_that_names_a_child() -> None:
    assert unhandled_child_columns(Base.metadata) == []
    moved = {f"{t.name}.{c.name}" for t, c in moved_columns(Base.metadata)}
    every = {f"{t.name}.{c.name}" for t, c in child_reference_columns(Base.metadata)}
    assert moved == every - set(KEPT)
    assert {"referral.child_id", "referral_event.child_id", "referral_request.child_id",
            "progress_link.child_id", "safeguarding_item.child_id",
            "safeguarding_event.child_id"} <= moved


def test_it_would_catch_a_new_column_naming_a_child_and_move_one_with_a_foreign_key() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("sibling_note", metadata, Column("id", Integer, primary_key=True),
          Column("sibling_child_id", Integer))
    Table("family_member", metadata, Column("id", Integer, primary_key=True),
          Column("child_id", ForeignKey("child.id")))
    assert unhandled_child_columns(metadata) == ["sibling_note.sibling_child_id"]
    assert "family_member.child_id" in {f"{t.name}.{c.name}" for t, c in
                                        moved_columns(metadata)}


def test_it_keeps_the_family_link_working_for_the_survivor(db: Session, cast: Cast) -> None:
    keep, gone = _two_records(db, cast)
    link = db.execute(select(ProgressLink).where(ProgressLink.child_id == gone.id)).scalar_one()
    _merge(db, cast, keep, gone)
    db.refresh(link)
    assert link.child_id == keep.id
