"""A child's identity cannot be taken over from a referral form.

A form only ever links to an existing record, after the user confirms it is the
same child; it never changes that record's name, date of birth, postcode or school.
"""

from __future__ import annotations

import secrets
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.children import (
    ChildDetails,
    ConfirmMatch,
    MatchKind,
    clean_details,
    find_child,
)
from routing.referrals.models import Child, ReferralRequest
from services.db import utcnow
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft

NHS = "9434765919"


def _draft(db: Session, cast: Cast, *, other_school: bool = False) -> ReferralRequest:
    user, school = (cast.other_staff, cast.other_school) if other_school else (
        cast.staff, cast.school)
    return ops.start_request(db, secrets.token_hex(10), user.id, school.id, utcnow())


def _sent_child(db: Session, cast: Cast, nhs: str = NHS) -> Child:
    """A child referred by the first school, with an NHS number."""
    draft = complete_draft(db, cast, {"MHW": make_service(db, cast.provider, needs=("MHW",))})
    ops.save_child(db, draft, ChildDetails("Amira", "Khan", date(2015, 3, 14), "BL1 1SE", "",
                                           nhs), None, utcnow())
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    child = db.get(Child, draft.child_id)
    assert child is not None
    return child


def _children(db: Session) -> int:
    return db.execute(select(func.count(Child.id))).scalar_one()


def test_it_keeps_another_schools_child_as_it_is_when_their_nhs_number_is_typed(
    db: Session, cast: Cast
) -> None:
    child = _sent_child(db, cast)
    before = (child.first_name, child.last_name, child.date_of_birth, child.home_postcode,
              child.school_id)
    draft = _draft(db, cast, other_school=True)
    impostor = ChildDetails("Someone", "Else", date(2012, 6, 1), "BL4 7BE", "", NHS)
    with pytest.raises(ConfirmMatch) as asked:
        ops.save_child(db, draft, impostor, None, utcnow())
    assert asked.value.match.kind is MatchKind.SAME
    # Saying "the same child" links the form; it changes nothing on the record.
    ops.save_child(db, draft, impostor, True, utcnow())
    db.flush()
    db.refresh(child)
    assert (child.first_name, child.last_name, child.date_of_birth, child.home_postcode,
            child.school_id) == before
    assert draft.child_id is None  # nothing is linked until the form is sent


def test_it_refuses_a_different_child_with_another_records_nhs_number(
    db: Session, cast: Cast
) -> None:
    _sent_child(db, cast)
    draft = _draft(db, cast, other_school=True)
    with pytest.raises(ops.InvalidInput) as refused:
        ops.save_child(db, draft, ChildDetails("Someone", "Else", date(2012, 6, 1), "BL4 7BE",
                                               "", NHS), False, utcnow())
    assert "nhs_number" in refused.value.errors


def test_it_sends_a_linked_referral_without_moving_the_child_or_changing_them(
    db: Session, cast: Cast
) -> None:
    child = _sent_child(db, cast)
    service = make_service(db, cast.other_provider, needs=("HOUSING",))
    draft = complete_draft(db, cast, {"HOUSING": service})
    ops.save_child(db, draft, ChildDetails("Amy", "Khan", date(2015, 3, 15), "BL2 2JU", "",
                                           NHS), True, utcnow())
    (referral,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
                                   declared=True)
    assert referral.child_id == child.id
    db.refresh(child)
    assert (child.first_name, child.date_of_birth, child.home_postcode) == (
        "Amira", date(2015, 3, 14), "BL1 1SE")


def test_it_makes_no_child_record_until_the_form_is_sent(db: Session, cast: Cast) -> None:
    draft = _draft(db, cast)
    before = _children(db)
    for name in ("Sam", "Samuel", "Sammy"):  # corrections while filling in the form
        ops.save_child(db, draft, ChildDetails(name, "Jones", date(2015, 1, 1), "BL1 1SE"),
                       None, utcnow())
    db.flush()
    assert _children(db) == before
    assert draft.form.child.first_name == "Sammy"


def test_it_finds_the_same_child_by_number_and_a_probable_one_by_name(
    db: Session, cast: Cast
) -> None:
    child = _sent_child(db, cast)
    same = find_child(db, clean_details(
        ChildDetails("Samuel", "Jones", date(2015, 1, 2), "BL2 2JU", "", NHS), date(2025, 1, 1)))
    assert same is not None and same.kind is MatchKind.SAME and same.child.id == child.id
    probable = find_child(db, clean_details(
        ChildDetails("amira", "KHAN", date(2015, 3, 14), "bl1 1se"), date(2025, 1, 1)))
    assert probable is not None and probable.kind is MatchKind.PROBABLE


def test_it_describes_a_match_without_naming_a_school() -> None:
    for kind in MatchKind:
        assert "school" not in kind.described
