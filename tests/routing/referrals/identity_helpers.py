"""Shared set-up for identity tests: children referred by either school, and what points
at a child."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.children import ChildDetails
from routing.referrals.merge import ChildMerge, moved_columns
from routing.referrals.models import Child, ReferralRequest
from services.accounts.models import User
from services.db import Base, utcnow
from services.listings import Service
from services.schools import School
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import FAMILY, actor


def filled_draft(db: Session, user: User, school: School, service: Service,
                 now: datetime) -> ReferralRequest:
    """A draft by ``user`` with every step but the child's answered."""
    draft = ops.start_request(db, secrets.token_hex(10), user.id, school.id, now)
    code = service.need_codes[0]
    ops.save_step(db, draft, "needs", {"needs": [code], "urgent": [],
                                       "family_wants": "Help with sleep"}, now)
    ops.save_step(db, draft, "profile", {"strengths": "Drawing"}, now)
    ops.save_step(db, draft, "risk", {f"{k}_level": "low" for k in ops.RISK_KINDS}, now)
    ops.clear_safeguarding(draft, now)
    ops.save_step(db, draft, "consent", {"lawful_basis": "consent", "family_agreed": "yes",
                                         "agreed_by": "Parent"}, now)
    ops.save_step(db, draft, "urgency", {"urgent": []}, now)
    ops.save_step(db, draft, "family", FAMILY, now)
    ops.save_step(db, draft, "contact", {"person": "carer-0", "ways": ["phone"],
                                         "times": "After 4pm"}, now)
    ops.choose_providers(db, draft, {code: service.id}, now)
    return draft


def referred(
    db: Session, cast: Cast, details: ChildDetails, *, other_school: bool = False,
    same_child: bool | None = None, service: Service | None = None,
    now: datetime | None = None,
) -> Child:
    """The child's record after a referral about them is sent by either school."""
    now = now or utcnow()
    user, school = (cast.other_staff, cast.other_school) if other_school else (
        cast.staff, cast.school)
    service = service or make_service(db, cast.provider, needs=("MHW",))
    draft = filled_draft(db, user, school, service, now)
    ops.save_child(db, draft, details, same_child, now)
    ops.refer_family(db, draft, draft.send_key, actor(user), now, declared=True)
    child = db.get(Child, draft.child_id)
    assert child is not None
    return child


def amira(first: str = "Amira", born: date = date(2015, 3, 14), nhs: str = "",
          upn: str = "", postcode: str = "BL1 1SE") -> ChildDetails:
    return ChildDetails(first, "Khan", born, postcode, upn, nhs)


def pointing_at(db: Session, child_id: int) -> dict[str, set[tuple[object, ...]]]:
    """For every column a merge moves, the primary keys of the rows naming ``child_id``."""
    found: dict[str, set[tuple[object, ...]]] = {}
    for table, column in moved_columns(Base.metadata):
        rows = {tuple(row) for row in db.execute(
            select(*table.primary_key.columns).where(column == child_id))}
        if rows:
            found[f"{table.name}.{column.name}"] = rows
    return found


def orphans(db: Session) -> list[int]:
    """Child rows nothing points at, other than a merged record still in its undo period:
    the personal data nobody can reach."""
    waiting = set(db.execute(select(ChildMerge.merged_child_id).where(
        ChildMerge.undone_at.is_(None), ChildMerge.purged_at.is_(None))).scalars())
    return [child_id for child_id in db.execute(select(Child.id)).scalars()
            if child_id not in waiting and not pointing_at(db, child_id)]
