"""The demo's lead practitioners, made through the real operations so each has its
history, audit and message: the link worker leads for Ruby Hartwell (handed over from
her school, so the family's progress page names her) and for Reece Holcroft at another
school; a member of Farnworth's staff leads for Zara Mellor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.leads import operations as ops
from routing.leads.models import LeadPractitioner
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from services.accounts.models import User
from services.demo.referral_stories import FARNWORTH, PROGRESS_CHILD, TONGE_MOOR

LINK_WORKER = "linkworker@demo.familyhub.test"
START_KEY_PREFIX = "demo-lead-"


@dataclass(frozen=True)
class DemoLead:
    """A lead appointed ``days_ago`` by ``appointed_by`` for ``child``, and optionally
    handed over ``handover_days_ago`` to ``handed_to`` with ``note``."""

    child: str
    lead: str
    appointed_by: str
    days_ago: float
    agreement: str
    phone: str = ""
    handed_to: str = ""
    handover_days_ago: float = 0
    note: str = ""
    handover_phone: str = ""


LEADS = (
    DemoLead(PROGRESS_CHILD, TONGE_MOOR, TONGE_MOOR, 32,
             "Mum, at a meeting in school with the pastoral lead", phone="01204 000 707",
             handed_to=LINK_WORKER, handover_days_ago=20,
             note="Mum asked for one person to keep the sleep clinic and Early Help in step. "
                  "She prefers a call after 3.30pm; texts are fine.",
             handover_phone="07700 900 461"),
    DemoLead("Reece Holcroft", LINK_WORKER, FARNWORTH, 80,
             "Dad, by phone, after the second exclusion", phone="07700 900 461"),
    DemoLead("Zara Mellor", FARNWORTH, FARNWORTH, 60,
             "Zara and her mum, at the review meeting"),
)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


def add_demo_leads(session: Session, now: datetime) -> int:
    """Appoint (and hand over) the demo's leads; how many children got one (0 when the
    demo already has them, or a cut-down dataset lacks the children or the people)."""
    done = session.execute(select(LeadPractitioner.id).where(
        LeadPractitioner.start_key.like(f"{START_KEY_PREFIX}%"))).first()
    if done is not None:
        return 0
    users = {u.email: u for u in session.execute(select(User)).scalars()}
    made = 0
    for spec in LEADS:
        first, last = spec.child.split(" ", 1)
        child = session.execute(select(Child).where(
            Child.first_name == first, Child.last_name == last)
            .order_by(Child.id).limit(1)).scalar_one_or_none()
        lead_user, by = users.get(spec.lead), users.get(spec.appointed_by)
        if child is None or lead_user is None or by is None:
            continue
        lead = ops.appoint_lead(
            session, child,
            ops.AppointInput(lead_user.id, True, spec.agreement, spec.phone),
            _actor(by), f"{START_KEY_PREFIX}{first.lower()}-{last.lower()}",
            now - timedelta(days=spec.days_ago))
        successor = users.get(spec.handed_to)
        if successor is not None:
            ops.hand_over(session, lead, successor.id, spec.note, spec.handover_phone,
                          _actor(by), now - timedelta(days=spec.handover_days_ago))
        session.flush()
        made += 1
    return made
