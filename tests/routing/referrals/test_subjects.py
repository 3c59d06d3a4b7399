"""Whom a referral is about (a child, an unborn baby, a parent or carer) and answers a
school may not know (date of birth, home address)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.children import ChildDetails, clean_details, find_child
from routing.referrals.matching import RoutedChild, route_for_child
from routing.referrals.models import Child, ReferralRequest
from routing.referrals.subjects import Subject, born_words
from routing.snapshot import read_directory
from services.db import utcnow
from services.errors import InvalidInput
from services.listings import Service
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft, issue_link

TODAY = date(2026, 12, 1)


def _refused(details: ChildDetails) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        clean_details(details, TODAY)
    return refused.value.errors


def test_it_takes_an_unborn_baby_with_an_expected_date_in_a_sensible_window() -> None:
    due = TODAY + timedelta(days=120)
    clean = clean_details(ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                       expected_date=due), TODAY)
    assert (clean.subject, clean.expected_date, clean.date_of_birth) == ("unborn", due, None)
    # A date of birth typed by mistake is not kept for a baby not born yet.
    assert clean_details(ChildDetails("Baby", "Khan", date(2020, 1, 1), "BL1 1SE",
                                      subject="unborn", expected_date=due),
                         TODAY).date_of_birth is None
    # A little overdue is fine; long past, too far ahead or missing is refused.
    assert clean_details(ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                      expected_date=TODAY - timedelta(days=10)), TODAY)
    for expected, message in (
        (None, "Enter the baby's expected date of delivery"),
        (TODAY - timedelta(days=30), "must be no more than 14 days ago"),
        (TODAY + timedelta(days=400), "within the next 10 months"),
    ):
        errors = _refused(ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                       expected_date=expected))
        assert message in errors["expected_date"]


def test_it_does_not_apply_the_past_date_check_to_an_unborn_baby_only() -> None:
    future = TODAY + timedelta(days=30)
    assert _refused(ChildDetails("Sam", "Jones", future, "BL1 1SE"))["date_of_birth"] == (
        "Date of birth must be in the past")


def test_it_takes_a_date_of_birth_not_known_with_an_approximate_year() -> None:
    clean = clean_details(ChildDetails("Sam", "Jones", None, "BL1 1SE", dob_not_known=True,
                                       birth_year=2016), TODAY)
    assert (clean.date_of_birth, clean.birth_year, clean.dob_not_known) == (None, 2016, True)
    assert clean_details(ChildDetails("Sam", "Jones", None, "BL1 1SE", dob_not_known=True),
                         TODAY).birth_year is None
    assert "between 2001 and 2026" in _refused(ChildDetails(
        "Sam", "Jones", None, "BL1 1SE", dob_not_known=True, birth_year=1990))["birth_year"]
    # Not ticked and left blank: asked for, with the way out named.
    assert "do not know" in _refused(ChildDetails("Sam", "Jones", None, "BL1 1SE"))[
        "date_of_birth"]


def test_it_takes_a_home_postcode_not_known_but_not_a_blank_one() -> None:
    clean = clean_details(ChildDetails("Sam", "Jones", date(2016, 5, 1), "",
                                       postcode_not_known=True), TODAY)
    assert (clean.home_postcode, clean.postcode_not_known) == ("", True)
    assert "do not know it" in _refused(ChildDetails("Sam", "Jones", date(2016, 5, 1), ""))[
        "home_postcode"]


def test_it_takes_a_parent_or_carer_with_or_without_a_date_of_birth() -> None:
    clean = clean_details(ChildDetails("Nadia", "Khan", None, "BL1 1SE", subject="parent"),
                          TODAY)
    assert (clean.subject, clean.date_of_birth) == ("parent", None)
    adult = clean_details(ChildDetails("Nadia", "Khan", date(1990, 2, 3), "BL1 1SE",
                                       subject="parent"), TODAY)
    assert adult.date_of_birth == date(1990, 2, 3)  # not limited to 25 years as a child's
    assert _refused(ChildDetails("", "Khan", None, "BL1 1SE", subject="parent"))[
        "first_name"] == "Enter the parent or carer's first name"


def test_it_words_the_date_of_birth_the_same_everywhere() -> None:
    assert born_words(Subject.CHILD, date(2016, 3, 7), None, None) == "7 March 2016"
    assert born_words(Subject.CHILD, None, 2016, None) == "Not known (born about 2016)"
    assert born_words(Subject.CHILD, None, None, None) == "Not known"
    assert born_words(Subject.UNBORN, None, None, date(2027, 3, 3)) == (
        "Not born yet (expected 3 March 2027)")


def _send(db: Session, cast: Cast, details: ChildDetails, needs: list[str],
          service_id: int) -> ReferralRequest:
    service = db.get(Service, service_id)
    assert service is not None
    draft = complete_draft(db, cast, {code: service for code in needs})
    ops.save_child(db, draft, details, None, utcnow())
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    return draft


def test_it_records_an_unborn_baby_and_a_child_whose_details_are_not_known(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW.PARENT", "MHW"),
                           audiences=("family",))
    due = utcnow().date() + timedelta(days=90)
    unborn = _send(db, cast, ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                          expected_date=due), ["MHW.PARENT"], service.id)
    baby = db.get(Child, unborn.child_id)
    assert baby is not None
    assert (baby.subject, baby.expected_date, baby.date_of_birth) == ("unborn", due, None)
    assert baby.born_words.startswith("Not born yet (expected")
    unknown = _send(db, cast, ChildDetails("Lee", "Smith", None, "", dob_not_known=True,
                                           birth_year=2017, postcode_not_known=True),
                    ["MHW"], service.id)
    child = db.get(Child, unknown.child_id)
    assert child is not None
    assert (child.date_of_birth, child.birth_year, child.home_postcode) == (None, 2017, "")
    assert (child.born_words, child.postcode_words) == ("Not known (born about 2017)",
                                                        "Not known")


def test_it_never_joins_records_by_name_alone_when_the_date_or_postcode_is_not_known(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    _send(db, cast, ChildDetails("Lee", "Smith", None, "", dob_not_known=True,
                                 postcode_not_known=True), ["MHW"], service.id)
    _send(db, cast, ChildDetails("Lee", "Smith", None, "BL1 1SE", dob_not_known=True),
          ["MHW"], service.id)
    for details in (
        ChildDetails("Lee", "Smith", None, "", dob_not_known=True, postcode_not_known=True),
        ChildDetails("Lee", "Smith", None, "BL1 1SE", dob_not_known=True),
    ):
        assert find_child(db, clean_details(details, utcnow().date())) is None
    # A parent's record never matches a child's of the same name, date and postcode.
    _send(db, cast, ChildDetails("Kim", "Lee", date(2016, 1, 2), "BL1 1SE"), ["MHW"],
          service.id)
    parent = clean_details(ChildDetails("Kim", "Lee", date(2016, 1, 2), "BL1 1SE",
                                        subject="parent"), utcnow().date())
    assert find_child(db, parent) is None
    child = clean_details(ChildDetails("Kim", "Lee", date(2016, 1, 2), "BL1 1SE"),
                          utcnow().date())
    assert find_child(db, child) is not None


def test_it_routes_a_parent_referral_to_parents_services_and_a_childs_away_from_them(
    db: Session, cast: Cast
) -> None:
    mothers = make_service(db, cast.provider, name="Mothers group", needs=("MHW.ANX",),
                           audiences=("parent",), min_age=0, max_age=4)
    children = make_service(db, cast.provider, name="Children's anxiety team",
                            needs=("MHW.ANX",), audiences=("child",), min_age=5, max_age=11)
    family = make_service(db, cast.provider, name="Family worker", needs=("MHW.ANX",),
                          audiences=("family",), min_age=0, max_age=18)
    db.commit()
    index = read_directory(db).snapshot
    from routing.engine import DirectoryIndex

    idx = DirectoryIndex.build(index)
    now = utcnow()
    nine = RoutedChild("BL1 1SE", date(now.year - 9, 1, 1), cast.school.id)
    need = route_for_child(db, idx, nine, [("MHW.ANX", 2)], now).needs[0]
    assert {m.service.id for m in need.matches} == {children.id, family.id}
    # The parent's record: ages are the children's, so none applies; help for the parent.
    parent = RoutedChild("BL1 1SE", None, cast.school.id, subject=Subject.PARENT)
    need = route_for_child(db, idx, parent, [("MHW.ANX", 2)], now).needs[0]
    assert {m.service.id for m in need.matches} == {mothers.id, family.id}
    assert [e.reason for e in need.excluded if e.service.id == children.id] == [
        "for children and young people, not parents or carers"]
    # About 9 (born in a known year): 8 or 9, so the 0 to 4 group is out on age too.
    year_only = RoutedChild("BL1 1SE", None, cast.school.id, birth_year=now.year - 9)
    assert year_only.ages(now.date()) == (8, 9)
    # Not known at all: the age rule leaves nobody out.
    unknown = RoutedChild("", None, cast.school.id)
    assert unknown.ages(now.date()) is None
    need = route_for_child(db, idx, unknown, [("MHW.ANX", 2)], now).needs[0]
    assert {m.service.id for m in need.matches} == {children.id, family.id}
    # An unborn baby: age 0, help for the whole family (no one left out for whom).
    baby = RoutedChild("BL1 1SE", None, cast.school.id, subject=Subject.UNBORN)
    need = route_for_child(db, idx, baby, [("MHW.ANX", 2)], now).needs[0]
    assert {m.service.id for m in need.matches} == {mothers.id, family.id}


def test_it_opens_an_unborn_babys_link_with_the_expected_date_and_makes_none_without_a_date(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW.PARENT", "MHW"),
                           audiences=("family",))
    due = utcnow().date() + timedelta(days=90)
    unborn = _send(db, cast, ChildDetails("Baby", "Khan", None, "BL1 1SE", subject="unborn",
                                          expected_date=due), ["MHW.PARENT"], service.id)
    assert unborn.child_id is not None
    _, token = issue_link(db, unborn.child_id, cast.staff)
    shown = progress.check_and_show(db, token, due, "203.0.113.9", utcnow())
    assert len(shown) == 1
    with pytest.raises(progress.NotShown):
        progress.check_and_show(db, token, due + timedelta(days=1), "203.0.113.9", utcnow())
    unknown = _send(db, cast, ChildDetails("Lee", "Smith", None, "BL1 1SE",
                                           dob_not_known=True), ["MHW"], service.id)
    assert unknown.child_id is not None
    with pytest.raises(InvalidInput) as refused:
        issue_link(db, unknown.child_id, cast.staff)
    assert "date of birth, which is not known" in refused.value.errors["referrals"]
