"""The demo's SENCO at Tonge Moor: school staff like the pastoral lead (refers, follows
the school's referrals, keeps the family record), not a safeguarding lead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.referrals.access import visible_referrals
from hub.referrals.family_routes import may_change_family
from hub.safeguarding.access import visible_items
from routing.referrals.models import Child, Referral
from routing.safeguarding.models import SafeguardingItem
from services.accounts.models import Role, User
from services.accounts.passwords import verify_password
from services.demo.loader import DEMO_LOGINS, DEMO_PASSWORD, DemoSummary
from tests.conftest import loaded_demo

pytestmark = pytest.mark.xdist_group("demo_senco_loaded_once")
NOW = datetime(2025, 3, 3, 9, 30)
SENCO = "senco.tongemoor@demo.familyhub.test"
PASTORAL = "staff.tongemoor@demo.familyhub.test"
DSL = "dsl.tongemoor@demo.familyhub.test"


@pytest.fixture(scope="module")
def loaded(database_url: str) -> Iterator[tuple[Session, DemoSummary]]:
    with loaded_demo(database_url, NOW) as pair:
        yield pair


@pytest.fixture
def db(loaded: tuple[Session, DemoSummary]) -> Session:
    return loaded[0]


def _user(db: Session, email: str) -> User:
    return db.execute(select(User).where(User.email == email)).scalar_one()


def test_the_senco_is_school_staff_at_tonge_moor_and_listed_as_a_senco(db: Session) -> None:
    senco, pastoral = _user(db, SENCO), _user(db, PASTORAL)
    assert senco.role is Role.SCHOOL_STAFF and senco.role.is_school
    assert senco.organisation_id == pastoral.organisation_id
    assert verify_password(senco.password_hash, DEMO_PASSWORD)
    # Not a safeguarding lead, nor the data protection officer: no second factor needed.
    assert not senco.two_factor_required and not senco.is_dpo
    (login,) = [entry for entry in DEMO_LOGINS if entry.email == SENCO]
    assert login.role == "School staff (SENCO)"
    assert login.organisation == "Tonge Moor Primary School"


def test_the_senco_sees_what_the_pastoral_lead_sees_and_no_safeguarding_queue(
    db: Session,
) -> None:
    senco, pastoral, dsl = _user(db, SENCO), _user(db, PASTORAL), _user(db, DSL)

    def referrals(user: User) -> set[int]:
        return set(db.execute(select(Referral.id).where(visible_referrals(user))).scalars())

    seen = referrals(senco)
    assert seen and seen == referrals(pastoral)

    def items(user: User) -> set[int]:
        return set(db.execute(select(SafeguardingItem.id).where(visible_items(user))).scalars())

    assert items(dsl) and items(senco) == set()
    child = db.execute(select(Child).join(Referral, Referral.child_id == Child.id)
                       .where(Referral.id == min(seen))).scalars().first()
    assert child is not None and may_change_family(senco, child)
