"""The subject access document holds the child's links to brothers and sisters with a
record (who linked or unlinked them, when and why) and those brothers and sisters in
the family, by the document's rule for other people: their name (and the staff's)
marked for redaction, their year of birth only, nothing else of theirs."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from routing.referrals import family
from routing.referrals.models import Child
from routing.referrals.subject_access import OTHER_PERSON, Value, subject_access
from services.db import utcnow
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral

WHY = "Mum confirmed at parents' evening"
APART = "A different family with the same surname"


def _child(db: Session, cast: Cast, first: str, born: date) -> Child:
    child = sent_referral(db, cast, make_service(db, cast.provider)).child
    child.first_name, child.date_of_birth = first, born
    db.flush()
    return child


def _items(db: Session, child_id: int, title: str) -> list[dict[str, Value]]:
    document = subject_access(db, child_id, utcnow())
    (section,) = [s for s in document.sections if s.title.startswith(title)]
    return [dict(item) for item in section.items]


def test_it_gives_each_link_and_unlink_with_the_other_peoples_names_marked(
    db: Session, cast: Cast
) -> None:
    child = _child(db, cast, "Ava", date(2016, 3, 31))
    other = _child(db, cast, "Milo", date(2018, 2, 28))
    now = utcnow()
    family.link_sibling(db, child, other, actor(cast.staff), now, WHY)
    family.unlink_sibling(db, child, other, actor(cast.dsl), now + timedelta(days=2), APART)
    family.link_sibling(db, other, child, actor(cast.staff), now + timedelta(days=3), WHY)

    for subject, them in ((child, other), (other, child)):  # from either child's side
        (first, again) = _items(db, subject.id, "Brothers and sisters linked")
        assert first["Brother or sister"] == Value(them.name, OTHER_PERSON)
        assert first["Linked by"] == Value(cast.staff.name, OTHER_PERSON)
        assert first["Unlinked by"] == Value(cast.dsl.name, OTHER_PERSON)
        assert first["Why linked"] == Value(WHY) and first["Why unlinked"] == Value(APART)
        assert first["Linked"].text and first["Unlinked"].text
        assert first["Linked by organisation"] == Value(cast.staff.organisation.name)
        assert again["Brother or sister"] == Value(them.name, OTHER_PERSON)
        assert again["Unlinked"] == Value("")
        # Linked now: the other in the family, by name (marked) and year of birth only.
        members = [item for item in _items(db, subject.id, "Family:")
                   if "Brother or sister (has a record)" in item]
        assert members == [{"Brother or sister (has a record)": Value(them.name, OTHER_PERSON),
                            "Year of birth": Value(str(them.date_of_birth.year))}]
    whole = str(subject_access(db, child.id, utcnow()).as_json())
    assert "2018-02-28" not in whole  # the brother's date of birth is not the child's data


def test_it_says_none_held_for_a_child_never_linked(db: Session, cast: Cast) -> None:
    child = _child(db, cast, "Ava", date(2016, 2, 29))
    assert _items(db, child.id, "Brothers and sisters linked") == []
