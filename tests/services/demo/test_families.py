"""The demo's families: every demo child has one, with the cases the README names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.family import family_of
from routing.referrals.family_contact import how_to_reach_referral
from routing.referrals.models import Child, Referral
from services.demo.loader import DemoSummary
from tests.conftest import loaded_demo

pytestmark = pytest.mark.xdist_group("demo_families_loaded_once")
NOW = datetime(2025, 3, 3, 9, 30)


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Session]:
    pair: tuple[Session, DemoSummary]
    with loaded_demo(database_url, NOW) as pair:
        yield pair[0]


def _child(db: Session, first: str, last: str) -> Child:
    return db.execute(select(Child).where(Child.first_name == first,
                                          Child.last_name == last)).scalar_one()


def test_it_every_demo_child_has_a_family_with_a_carer(db: Session) -> None:
    for child in db.execute(select(Child)).scalars():
        record = family_of(db, child.id)
        assert record is not None and record.carers, child.id


def test_it_the_provider_is_warned_not_to_contact_noahs_dad(db: Session) -> None:
    child = _child(db, "Noah", "Ashcombe")
    referral = db.execute(select(Referral).where(Referral.child_id == child.id)).scalars().first()
    assert referral is not None
    reach = how_to_reach_referral(db, referral)
    assert reach is not None and reach.person is not None
    assert reach.person.name == "Claire Ashcombe"
    assert [w.name for w in reach.warnings] == ["Darren Ashcombe"]
    assert "non-molestation order" in reach.warnings[0].reason
    assert all(w.detail or not w.missing for w in reach.ways)


def test_it_zaras_mother_needs_a_polish_interpreter(db: Session) -> None:
    child = _child(db, "Zara", "Mellor")
    referral = db.execute(select(Referral).where(Referral.child_id == child.id)).scalars().first()
    assert referral is not None
    reach = how_to_reach_referral(db, referral)
    assert reach is not None and reach.person is not None
    assert (reach.person.language, reach.person.interpreter) == ("Polish", True)
    record = family_of(db, child.id)
    assert record is not None and [s.name for s in record.siblings] == ["Oliwia Mellor"]


def test_it_jaydens_family_is_reached_through_the_school(db: Session) -> None:
    child = _child(db, "Jayden", "Cropper")
    referral = db.execute(select(Referral).where(Referral.child_id == child.id)).scalars().first()
    assert referral is not None
    reach = how_to_reach_referral(db, referral)
    assert reach is not None and reach.through_school and reach.referrer is not None
