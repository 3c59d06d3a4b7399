"""Who may see and change a child's lead practitioner. Views load through ``load_led_child``,
which 404s for an unknown id, 403s when not allowed, and audits every read.

- The coordinator (a hub worker) and staff at the child's school may see the lead page,
  appoint a lead, hand over and end the role.
- The current lead (a link worker, a hub worker or school staff) may see the lead page,
  hand over to another person and end their role; not appoint.
- A link worker sees nothing else of any child: not the child's record page, not a
  referral's page, not any list of referrals (hub/referrals/access.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask import abort

from hub.access import me
from hub.audit_trail import client_address
from hub.referrals.access import actor_for, school_ids_for
from hub.settings import now
from hub.unit_of_work import session
from routing.leads.models import LeadPractitioner
from routing.leads.operations import current_lead
from routing.referrals.audit import audit
from routing.referrals.models import Child
from services.accounts.models import Role, User

MAX_ID = 2**31 - 1  # larger ids cannot exist (and PostgreSQL refuses them): 404


class Act(StrEnum):
    VIEW = "view"
    APPOINT = "appoint"
    CHANGE = "change"  # hand over, end


@dataclass(frozen=True)
class LedChild:
    child: Child
    lead: LeadPractitioner | None


def is_school_staff_for(user: User, child: Child) -> bool:
    return user.role.is_school and child.school_id in school_ids_for(user)


def allowed(user: User, child: Child, lead: LeadPractitioner | None, act: Act) -> bool:
    overseer = user.role is Role.COORDINATOR or is_school_staff_for(user, child)
    if act is Act.APPOINT:
        return overseer
    return overseer or (lead is not None and lead.user_id == user.id)


def load_led_child(child_id: int, act: Act = Act.VIEW) -> LedChild:
    """The child and their current lead, if ``act`` is allowed for the signed-in user;
    the read is audited."""
    child = session().get(Child, child_id) if child_id <= MAX_ID else None
    if child is None:
        abort(404)
    user = me()
    lead = current_lead(session(), child.id)
    if not allowed(user, child, lead, act):
        abort(403)
    audit(session(), actor_for(user), "lead_page_viewed", now(), child.id,
          remote_addr=client_address())
    return LedChild(child, lead)
