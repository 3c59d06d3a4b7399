"""Shared set-up for referral tests: a child, a draft form and referrals in any status."""

from __future__ import annotations

import itertools
import secrets
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.children import ChildDetails
from routing.referrals.lifecycle import Actor
from routing.referrals.models import ProgressLink, Referral, ReferralRequest, Status
from services.accounts.models import User
from services.db import utcnow
from services.listings import Service
from tests.factories import Cast

_counter = itertools.count(1)


def actor(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


# The "Parents and carers" step's fields: one parent the service may phone.
FAMILY = {"carer-0-name": "Jo Jones", "carer-0-relationship": "Mother",
          "carer-0-parental_responsibility": "yes", "carer-0-phone": "07700 900982"}


def complete_draft(
    db: Session,
    cast: Cast,
    services: dict[str, Service],
    *,
    risk: str = "low",
    urgent: bool = False,
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
        {"needs": list(services), "family_wants": "Help with sleep"}, now,
    )
    ops.save_step(db, draft, "urgency", {"urgent": list(services) if urgent else []}, now)
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
    ops.save_step(db, draft, "family", FAMILY, now)
    ops.save_step(db, draft, "contact", {"person": "carer-0", "ways": ["phone"],
                                         "times": "After 4pm"}, now)
    ops.choose_providers(db, draft, {code: s.id for code, s in services.items()}, now)
    return draft


def issue_link(
    db: Session, child_id: int, user: User, now: datetime | None = None
) -> tuple[ProgressLink, str]:
    """A progress link for every sent referral ``user``'s school made for the child."""
    referrals = list(db.execute(
        select(Referral).where(Referral.child_id == child_id, Referral.status != Status.DRAFT,
                               Referral.referrer_id == user.id)
    ).scalars())
    link, token = progress.issue_link(db, child_id, actor(user), referrals,
                                      secrets.token_urlsafe(24), now or utcnow())
    assert token is not None
    return link, token


def sent_referral(
    db: Session, cast: Cast, service: Service, *, risk: str = "low", opened: bool = False,
    urgent: bool = False, now: datetime | None = None,
) -> Referral:
    now = now or utcnow()
    code = service.need_codes[0]
    draft = complete_draft(db, cast, {code: service}, risk=risk, urgent=urgent, now=now)
    (referral,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), now, declared=True)
    if opened:
        ops.open_referral(db, referral, actor(cast.manager), now)
    db.flush()
    return referral
