"""Shared set-up for the missing-education and attendance tests."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy.orm import Session
from stdnum.gb import upn

from routing.safeguarding import operations as ops
from routing.safeguarding.models import SafeguardingItem
from services.accounts.models import User
from tests.routing.referrals.helpers import actor


def make_upn(n: int) -> str:
    """A valid unique pupil number (Bolton's LA code), different for each ``n``."""
    body = f"3502026{n:04d}1"
    return upn.calc_check_digit(body) + body


def concern(
    db: Session, user: User, school_id: int, at: datetime, *, kind: str = "not_attending",
    first_name: str = "Kai", last_name: str = "Brennan", born: date | None = None,
    pupil_number: str = "", same_child: bool = False,
) -> SafeguardingItem:
    data = ops.ConcernInput(kind=kind, first_name=first_name, last_name=last_name,
                            date_of_birth=born, upn=pupil_number, known_school="Castle Hill",
                            details="Absent 9 days; no answer at home.")
    item = ops.raise_concern(db, school_id, actor(user), data, same_child,
                             secrets.token_urlsafe(24), at)
    db.flush()
    return item
