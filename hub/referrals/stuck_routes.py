"""Stuck referrals and children: the page and the `flask referrals stuck` command."""

from __future__ import annotations

from collections.abc import Collection

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

# --- Stuck referrals and children ---------------------------------------------------


@bp.route("/stuck")
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def stuck() -> str:
    user = me()
    # A safeguarding lead sees their own schools' referrals; a coordinator the hub's.
    scope = stuck_scope(school_ids_for(user) if user.role is Role.SAFEGUARDING_LEAD else None)
    shown = stuck_page(session(), scope, request.args.get("kind", ""),
                       request.args.get("page", 1, type=int) or 1)
    audit(session(), actor_for(user), "stuck_report_viewed", now())
    return render_template("referrals/stuck.html", report=shown, scope=scope,
                           kinds=StuckKind)


def stuck_scope(school_ids: Collection[int] | None) -> StuckScope:
    """The lists' thresholds from the settings, now, for these schools (None: all)."""
    settings = current_settings()
    return StuckScope(
        now(), settings.referral_stuck_working_days, school_ids,
        decide_days=settings.referral_decide_working_days,
        answer_days=settings.referral_answer_working_days,
        contact_days=settings.referral_contact_working_days,
        safeguarding_days=settings.safeguarding_action_working_days,
        cme_days=settings.cme_trace_working_days,
    )
