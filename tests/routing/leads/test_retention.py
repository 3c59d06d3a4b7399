"""The retention purge and lead practitioners: a lead still coordinating keeps the child's
record; once the role has ended long enough ago, the lead's records go with the child's."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.leads import operations as ops
from routing.leads.models import LeadEvent, LeadPractitioner
from routing.referrals import operations as referral_ops
from routing.referrals.models import Child, Referral
from routing.referrals.retention import RetentionPolicy, purge, years_before
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, sent_referral

START = datetime(2019, 1, 10, 9, 0)


def _withdrawn(db: Session, cast: Cast) -> Referral:
    referral = sent_referral(db, cast, make_service(db, cast.provider), now=START)
    referral_ops.withdraw_referral(db, referral, actor(cast.staff), START, "Not needed")
    return referral


def _lead(db: Session, cast: Cast, referral: Referral) -> LeadPractitioner:
    lead = ops.appoint_lead(
        db, referral.child, ops.AppointInput(cast.staff.id, True, "Mum"), actor(cast.dsl),
        f"key-{referral.id}", START)
    return ops.hand_over(db, lead, cast.dsl.id, "Over to the DSL", "", actor(cast.staff),
                         START + timedelta(days=1))


def test_it_keeps_a_child_with_a_lead_still_coordinating(db: Session, cast: Cast) -> None:
    referral = _withdrawn(db, cast)
    _lead(db, cast, referral)
    db.commit()
    child_id = referral.child_id
    purge(db, RetentionPolicy(), years_before(START, -6) + timedelta(days=10))
    db.commit()
    assert db.get(Child, child_id) is not None


def test_it_deletes_the_lead_records_with_the_child_once_the_role_ended_long_ago(
    db: Session, cast: Cast
) -> None:
    referral = _withdrawn(db, cast)
    successor = _lead(db, cast, referral)
    ops.end_lead(db, successor, "Support finished", actor(cast.staff), START + timedelta(days=2))
    db.commit()
    child_id = referral.child_id
    counts = purge(db, RetentionPolicy(), years_before(START, -6) + timedelta(days=10))
    db.commit()
    assert counts.children == 1 and db.get(Child, child_id) is None
    assert db.execute(select(func.count()).select_from(LeadPractitioner)).scalar_one() == 0
    assert db.execute(select(func.count()).select_from(LeadEvent)).scalar_one() == 0
