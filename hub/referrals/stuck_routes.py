"""Falling through the cracks: the page and the `flask referrals stuck` command."""

from __future__ import annotations

from flask import render_template, request

from hub.access import me, roles_required
from hub.referrals.access import (
    actor_for,
    school_ids_for,
)
from hub.referrals.common import (
    bp,
)
from hub.settings import current_settings, now
from hub.unit_of_work import session
from routing.referrals.audit import audit
from routing.referrals.stuck import StuckKind, StuckScope, stuck_page
from services.accounts.models import Role

# --- Falling through the cracks ----------------------------------------------------


@bp.route("/stuck")
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def stuck() -> str:
    user = me()
    # A safeguarding lead sees their own schools' referrals; a coordinator the hub's.
    schools = school_ids_for(user) if user.role is Role.SAFEGUARDING_LEAD else None
    days = current_settings().referral_stuck_working_days
    scope = StuckScope(now(), days, schools)
    shown = stuck_page(session(), scope, request.args.get("kind", ""),
                       request.args.get("page", 1, type=int) or 1)
    audit(session(), actor_for(user), "stuck_report_viewed", now())
    return render_template("referrals/stuck.html", report=shown, days=days,
                           kinds=StuckKind)
