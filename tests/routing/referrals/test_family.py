"""The family record: the "Parents and carers" step, the agreed contact, and the family
made or joined when a form is sent (never overwritten from a form)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import family
from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent
from routing.referrals.family_contact import how_to_reach
from routing.referrals.family_models import (
    Carer,
    CarerChange,
    Family,
    FamilyChild,
    FamilyReferralForm,
    FamilySibling,
)
from routing.referrals.models import Child
from routing.referrals.retention import RetentionPolicy, purge
from routing.referrals.subject_access import subject_access
from services.db import utcnow
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import FAMILY, actor, complete_draft

DAD = {"carer-1-name": "Darren Jones", "carer-1-relationship": "Father",
       "carer-1-parental_responsibility": "yes", "carer-1-phone": "07700 900111",
       "carer-1-do_not_contact": "yes",
       "carer-1-do_not_contact_reason": "Non-molestation order"}


def test_it_refuses_a_bad_phone_number_and_email_address_by_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        family.clean_family(FAMILY | {"carer-0-phone": "call me", "carer-0-email": "jo@"})
    assert set(refused.value.errors) == {"carer-0-phone", "carer-0-email"}
    assert "like 01204 332000" in refused.value.errors["carer-0-phone"]


@pytest.mark.parametrize("typed, kept", [
    ("07700 900982", "07700900982"), ("+44 7700 900982", "07700900982"),
    ("01204 332000", "01204332000"), ("+48 601 234 567", "+48601234567"),
    ("0048 601 234 567", "+48601234567"),
])
def test_it_keeps_uk_and_other_countries_phone_numbers(typed: str, kept: str) -> None:
    assert family.uk_phone(typed) == kept


@pytest.mark.parametrize("stored, shown", [
    ("07700900982", "07700 900982"), ("02079460000", "020 7946 0000"),
    ("01204332000", "01204 332000"), ("+48601234567", "+48601234567"),
])
def test_it_groups_a_number_for_reading(stored: str, shown: str) -> None:
    from routing.referrals.family_answers import shown_phone

    assert shown_phone(stored) == shown


@pytest.mark.parametrize("typed", ["12345", "07700", "hello", "+0 1234 5678", "0770090098211"])
def test_it_refuses_what_is_not_a_phone_number(typed: str) -> None:
    assert family.uk_phone(typed) is None


def test_it_needs_a_way_to_reach_the_family_or_to_go_through_the_school() -> None:
    nobody = {"carer-0-name": "Jo Jones", "carer-0-relationship": "Mother",
              "carer-0-parental_responsibility": "not_known"}
    with pytest.raises(InvalidInput) as refused:
        family.clean_family(nobody)
    assert "through the school" in refused.value.errors["carers"]
    assert family.clean_family(nobody | {"through_school": "yes"}).through_school
    # A phone number for someone who must not be contacted is no way to reach them.
    with pytest.raises(InvalidInput):
        family.clean_family(nobody | {"carer-0-phone": "07700 900982",
                                      "carer-0-do_not_contact": "yes",
                                      "carer-0-do_not_contact_reason": "Court order"})


def test_it_needs_the_reason_not_to_contact_and_the_interpreters_language() -> None:
    with pytest.raises(InvalidInput) as refused:
        family.clean_family(FAMILY | {"carer-0-do_not_contact": "yes",
                                      "carer-0-interpreter": "yes"})
    assert set(refused.value.errors) >= {"carer-0-do_not_contact_reason", "carer-0-language"}


def test_it_refuses_over_long_answers_rather_than_cutting_them() -> None:
    with pytest.raises(InvalidInput) as refused:
        family.clean_family(FAMILY | {"carer-0-address": "x" * 1001,
                                      "sibling-0-name": "Sam", "sibling-0-age": "seven"})
    assert refused.value.errors["carer-0-address"] == "Enter 1,000 characters or fewer"
    assert "age in years" in refused.value.errors["sibling-0-age"]


def _draft(db: Session, cast: Cast, family_fields: dict[str, str], contact: dict[str, object]):  # type: ignore[no-untyped-def]
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {service.need_codes[0]: service})
    ops.save_step(db, draft, "family", family_fields, utcnow())
    ops.save_step(db, draft, "contact", contact, utcnow())
    return draft


def test_it_refuses_a_way_the_agreed_person_cannot_be_reached_by(
    db: Session, cast: Cast
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _draft(db, cast, FAMILY, {"person": "carer-0", "ways": ["email"], "times": "Any"})
    assert "no email address for Jo Jones" in refused.value.errors["ways"]
    with pytest.raises(InvalidInput) as refused:
        _draft(db, cast, FAMILY | DAD, {"person": "carer-1", "ways": ["phone"], "times": "Any"})
    assert "must not be contacted" in refused.value.errors["person"]
    with pytest.raises(InvalidInput) as refused:
        _draft(db, cast, FAMILY, {"person": "carer-0", "ways": ["phone"], "times": ""})
    assert "times" in refused.value.errors


def test_it_keeps_the_family_on_the_draft_until_it_is_sent(db: Session, cast: Cast) -> None:
    draft = _draft(db, cast, FAMILY | DAD | {"sibling-0-name": "Mia Jones",
                                              "sibling-0-age": "4"},
                   {"person": "carer-0", "ways": ["phone", "text"], "times": "After 4pm"})
    assert db.execute(select(func.count(Family.id))).scalar_one() == 0
    assert db.execute(select(func.count(Carer.id))).scalar_one() == 0
    now = utcnow()
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), now, declared=True)
    assert draft.child_id is not None
    made = family.family_of(db, draft.child_id)
    assert made is not None
    assert [(c.name, c.phone, c.do_not_contact) for c in made.carers] == [
        ("Jo Jones", "07700900982", False), ("Darren Jones", "07700900111", True)]
    assert [(s.name, s.birth_year) for s in made.siblings] == [("Mia Jones", now.year - 4)]
    link = db.get(FamilyReferralForm, draft.id)
    assert link is not None and link.contact_carer is not None
    assert link.contact_carer.name == "Jo Jones"
    assert [c.verb for c in made.carers[0].changes] == ["added"]
    assert db.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "family_record_made", AuditEvent.child_id == draft.child_id)
    ).scalar_one() == 1


def test_it_never_overwrites_a_carer_from_another_form(db: Session, cast: Cast) -> None:
    first = _draft(db, cast, FAMILY, {"person": "carer-0", "ways": ["phone"],
                                      "times": "After 4pm"})
    ops.refer_family(db, first, first.send_key, actor(cast.staff), utcnow(), declared=True)
    child = db.get(Child, first.child_id)
    assert child is not None
    service = make_service(db, cast.provider, name="Second service")
    second = complete_draft(db, cast, {service.need_codes[0]: service})
    # The same child, confirmed; the same mother with another number, and a new carer.
    typed = second.form.child
    from dataclasses import replace

    second.save_answers(replace(typed, first_name=child.first_name,
                                existing_child_id=child.id), utcnow())
    ops.save_step(db, second, "family", FAMILY | {
        "carer-0-phone": "07700 900999", "carer-1-name": "Pat Jones",
        "carer-1-relationship": "Grandparent", "carer-1-parental_responsibility": "no",
        "carer-1-phone": "01204 332000"}, utcnow())
    ops.save_step(db, second, "contact", {"person": "carer-0", "ways": ["phone"],
                                          "times": "Mornings"}, utcnow())
    ops.refer_family(db, second, second.send_key, actor(cast.staff), utcnow(), declared=True)
    record = family.family_of(db, child.id)
    assert record is not None
    assert [(c.name, c.phone) for c in record.carers] == [
        ("Jo Jones", "07700900982"), ("Pat Jones", "01204332000")]
    assert db.execute(select(func.count(Family.id))).scalar_one() == 1
    reach = how_to_reach(db, second)
    assert reach.person is not None and reach.person.name == "Jo Jones"
    assert [w.detail for w in reach.ways] == ["07700 900982"]
    assert reach.given_on_form == ["Phone given on this referral: 07700 900999"]


def test_it_shows_the_agreed_contact_warnings_and_the_referrer(db: Session, cast: Cast) -> None:
    draft = _draft(db, cast, FAMILY | DAD | {"carer-0-language": "Polish",
                                              "carer-0-interpreter": "yes"},
                   {"person": "carer-0", "ways": ["phone"], "times": "After 4pm",
                    "referrer_phone": "01204 333444"})
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    reach = how_to_reach(db, draft)
    assert reach.person is not None and reach.person.interpreter
    assert reach.person.language == "Polish"
    assert [(w.name, w.reason) for w in reach.warnings] == [
        ("Darren Jones", "Non-molestation order")]
    assert reach.referrer is not None
    assert (reach.referrer.name, reach.referrer.email, reach.referrer.phone) == (
        cast.staff.name, cast.staff.email, "01204 333444")
    assert reach.referrer.school == cast.school.name


def test_it_contact_through_the_school_needs_no_number(db: Session, cast: Cast) -> None:
    fields = {"carer-0-name": "Jo Jones", "carer-0-relationship": "Mother",
              "carer-0-parental_responsibility": "yes", "through_school": "yes"}
    draft = _draft(db, cast, fields, {"person": "school", "times": ""})
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    reach = how_to_reach(db, draft)
    assert reach.through_school and reach.person is None and reach.ways == []


def test_it_send_refuses_a_contact_that_no_longer_names_anyone(
    db: Session, cast: Cast
) -> None:
    draft = _draft(db, cast, FAMILY | {"carer-1-name": "Pat Jones",
                                       "carer-1-relationship": "Grandparent",
                                       "carer-1-parental_responsibility": "no",
                                       "carer-1-phone": "01204 332000"},
                   {"person": "carer-1", "ways": ["phone"], "times": "Mornings"})
    ops.save_step(db, draft, "family", FAMILY, utcnow())  # Pat taken off afterwards
    with pytest.raises(InvalidInput) as refused:
        ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    assert "Contacting the family" in refused.value.errors["form"]


def test_it_school_staff_correct_a_carer_with_a_recorded_change(
    db: Session, cast: Cast
) -> None:
    draft = _draft(db, cast, FAMILY, {"person": "carer-0", "ways": ["phone"],
                                      "times": "After 4pm"})
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    child = db.get(Child, draft.child_id)
    assert child is not None
    record = family.family_of(db, child.id)
    assert record is not None
    carer = record.carers[0]
    typed = {f"carer-{k}": v for k, v in {
        "name": "Jo Jones", "relationship": "Mother", "parental_responsibility": "yes",
        "phone": "07700 900555", "do_not_contact": "yes",
        "do_not_contact_reason": "Asked not to be called"}.items()}
    changed = family.correct_carer(db, child, carer, typed, actor(cast.staff), utcnow())
    assert changed == ["phone", "do not contact", "do not contact reason"]
    db.flush()
    assert [(c.verb, c.fields, c.actor_name) for c in db.execute(
        select(CarerChange).where(CarerChange.carer_id == carer.id).order_by(CarerChange.id)
    ).scalars()] == [("added", "", cast.staff.name),
                     ("corrected", "phone, do not contact, do not contact reason",
                      cast.staff.name)]
    assert db.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "carer_corrected", AuditEvent.child_id == child.id)
    ).scalar_one() == 1
    with pytest.raises(InvalidInput) as refused:
        family.add_carer(db, child, typed, actor(cast.staff), utcnow())
    assert "already on the family's record" in refused.value.errors["carer-name"]


def test_it_subject_access_and_the_purge_include_the_family(db: Session, cast: Cast) -> None:
    draft = _draft(db, cast, FAMILY | {"sibling-0-name": "Mia Jones"},
                   {"person": "carer-0", "ways": ["phone"], "times": "After 4pm"})
    (referral,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)
    assert draft.child_id is not None
    document = subject_access(db, draft.child_id, utcnow()).as_json()
    family_section = next(s for s in document["sections"] if s["title"].startswith("Family"))
    text = repr(family_section)
    assert "Jo Jones" in text and "07700900982" in text and "Mia Jones" in text
    ops.withdraw_referral(db, referral, actor(cast.staff), utcnow(), "Not needed")
    referral.ended_at = utcnow().replace(year=2010)
    draft.updated_at = referral.ended_at
    db.flush()
    counts = purge(db, RetentionPolicy(), utcnow())
    assert counts.children == 1 and counts.families == 1 and counts.carers == 1
    for model in (Family, FamilyChild, Carer, CarerChange, FamilySibling, FamilyReferralForm):
        assert db.execute(select(func.count()).select_from(model)).scalar_one() == 0



def test_it_a_sibling_needs_a_name_but_not_an_age() -> None:
    step = family.clean_family(FAMILY | {"sibling-0-name": "Mia Jones"})
    assert [(s.name, s.age) for s in step.siblings] == [("Mia Jones", None)]
    with pytest.raises(InvalidInput) as refused:
        family.clean_family(FAMILY | {"sibling-0-age": "4"})
    assert refused.value.errors == {"sibling-0-name": "Enter the brother or sister's name"}


def test_it_links_a_sibling_with_a_record_and_joins_their_families(
    db: Session, cast: Cast
) -> None:
    first = _draft(db, cast, FAMILY | {"sibling-0-name": "Mia Jones", "sibling-0-age": "4"},
                   {"person": "carer-0", "ways": ["phone"], "times": "After 4pm"})
    ops.refer_family(db, first, first.send_key, actor(cast.staff), utcnow(), declared=True)
    second = _draft(db, cast, {"carer-0-name": "Pat Jones", "carer-0-relationship": "Father",
                               "carer-0-parental_responsibility": "yes",
                               "carer-0-phone": "01204 332000"},
                    {"person": "carer-0", "ways": ["phone"], "times": "Mornings"})
    ops.refer_family(db, second, second.send_key, actor(cast.staff), utcnow(), declared=True)
    child, other = db.get(Child, first.child_id), db.get(Child, second.child_id)
    assert child is not None and other is not None
    # The sibling typed without a record turns out to be this child.
    sibling = db.execute(select(FamilySibling)).scalar_one()
    sibling.name = other.name
    record = family.link_sibling(db, child, other, actor(cast.staff), utcnow(), "Same mum")
    db.expire_all()
    assert db.execute(select(func.count(Family.id))).scalar_one() == 1
    assert sorted(c.name for c in record.carers) == ["Jo Jones", "Pat Jones"]
    assert record.siblings == []
    assert family.family_of(db, other.id) == record
    link = db.get(FamilyReferralForm, second.id)
    assert link is not None and link.family_id == record.id
    with pytest.raises(InvalidInput):
        family.link_sibling(db, child, other, actor(cast.staff), utcnow(), "Same mum")
    assert db.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "sibling_linked")).scalar_one() == 2


def test_it_withholds_an_agreed_contact_later_marked_do_not_contact(
    db: Session, cast: Cast
) -> None:
    draft = _draft(db, cast, FAMILY, {"person": "carer-0", "ways": ["phone"],
                                      "times": "After 4pm"})
    ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=True)
    child = db.get(Child, draft.child_id)
    assert child is not None
    record = family.family_of(db, child.id)
    assert record is not None
    family.correct_carer(db, child, record.carers[0], {
        "carer-name": "Jo Jones", "carer-relationship": "Mother",
        "carer-parental_responsibility": "yes", "carer-phone": "07700 900982",
        "carer-do_not_contact": "yes", "carer-do_not_contact_reason": "Moved out"},
        actor(cast.staff), utcnow())
    reach = how_to_reach(db, draft)
    assert reach.blocked == "Jo Jones" and reach.person is None and reach.ways == []
    assert [(w.name, w.reason) for w in reach.warnings] == [("Jo Jones", "Moved out")]
