"""Shared set-up for referral tests: a child, a draft form and referrals in any status."""

from __future__ import annotations

import itertools
import secrets
from datetime import date, datetime

from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.children import ChildDetails
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Referral, ReferralRequest
from services.accounts.models import User
from services.db import utcnow
from services.listings import Service
from tests.factories import Cast

_counter = itertools.count(1)


def actor(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


def complete_draft(
    db: Session,
    cast: Cast,
    services: dict[str, Service],
    *,
    risk: str = "low",
    first_name: str | None = None,
    now: datetime | None = None,
) -> ReferralRequest:
    """A draft with every step answered, choosing ``services`` by need code."""
    now = now or utcnow()
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, now)
    ops.save_child(
        db,
        draft,
        ChildDetails(
            first_name=first_name or f"Sam{next(_counter)}",
            last_name="Jones",
            date_of_birth=date(2015, 3, 14),
            home_postcode="BL1 1SE",
        ),
        None,
        now,
    )
    ops.save_step(
        db, draft, "needs",
        {"needs": list(services), "urgent": [], "family_wants": "Help with sleep"}, now,
    )
    ops.save_step(db, draft, "profile", {"strengths": "Drawing"}, now)
    ops.save_step(
        db, draft, "risk",
        {f"{k}_level": risk for k in ops.RISK_KINDS}
        | {f"{k}_mitigation": "Plan in place" for k in ops.RISK_KINDS},
        now,
    )
    ops.clear_safeguarding(draft, now)
    ops.save_step(
        db, draft, "consent",
        {"lawful_basis": "consent", "family_agreed": "yes", "agreed_by": "Parent"}, now,
    )
    ops.save_step(db, draft, "contact", {"ways": ["phone"], "times": "After 4pm"}, now)
    ops.choose_providers(db, draft, {code: s.id for code, s in services.items()}, now)
    return draft


def sent_referral(
    db: Session, cast: Cast, service: Service, *, risk: str = "low", opened: bool = False,
    now: datetime | None = None,
) -> Referral:
    now = now or utcnow()
    code = service.need_codes[0]
    draft = complete_draft(db, cast, {code: service}, risk=risk, now=now)
    (referral,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), now)
    if opened:
        ops.open_referral(db, referral, actor(cast.manager), now)
    db.flush()
    return referral
