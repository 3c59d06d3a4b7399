"""Who may see and act on safeguarding items. Views load an item through ``load_item``,
which 404s for an unknown id, 403s when not allowed, and audits every read."""

from __future__ import annotations

from enum import StrEnum

from flask import abort
from sqlalchemy import ColumnElement, false, true

from hub.access import me
from hub.referrals.access import actor_for, school_ids_for
from hub.settings import now
from hub.unit_of_work import session
from routing.referrals.audit import audit
from routing.safeguarding.models import SafeguardingItem
from services.accounts.models import Role, User

MAX_ID = 2**31 - 1  # larger ids cannot exist (and PostgreSQL refuses them): 404


class Act(StrEnum):
    VIEW = "view"  # the whole item and its history
    STATUS = "status"  # only whether the lead has acted: the member of staff who raised it
    DECIDE = "decide"  # record the decision and the front door's outcome


def is_lead_for(user: User, item: SafeguardingItem) -> bool:
    """The safeguarding lead of the item's school."""
    return user.role is Role.SAFEGUARDING_LEAD and item.school_id in school_ids_for(user)


def allowed(user: User, item: SafeguardingItem, act: Act) -> bool:
    if act in (Act.DECIDE, Act.VIEW):
        # The coordinator oversees items not actioned in time, and may record the
        # decision when the school's lead is away (every step says who).
        return is_lead_for(user, item) or user.role is Role.COORDINATOR
    return allowed(user, item, Act.VIEW) or (
        user.role.is_school and item.raised_by_id == user.id)


def visible_items(user: User) -> ColumnElement[bool]:
    """A WHERE clause for the items whose whole history ``user`` may read."""
    if user.role is Role.COORDINATOR:
        return true()
    if user.role is Role.SAFEGUARDING_LEAD:
        return SafeguardingItem.school_id.in_(school_ids_for(user))
    return false()


def load_item(item_id: int, act: Act = Act.VIEW) -> SafeguardingItem:
    """The item, if ``act`` is allowed for the signed-in user; the read is audited."""
    item = session().get(SafeguardingItem, item_id) if item_id <= MAX_ID else None
    if item is None:
        abort(404)
    user = me()
    if not allowed(user, item, act):
        abort(403)
    # The reference names the item in the audit, also when no child record is linked.
    audit(session(), actor_for(user), f"safeguarding_viewed:{item.reference}", now(),
          item.child_id)
    return item
