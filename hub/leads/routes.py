"""My caseload, a child's lead page, and appointing, handing over and ending a lead
practitioner. Views parse, load through hub.leads.access, call one operation and show
domain errors beside the fields; the request hook (hub.unit_of_work) commits."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.form_errors import refuse
from hub.leads.access import Act, LedChild, allowed, is_school_staff_for, load_led_child
from hub.referrals.access import actor_for
from hub.referrals.stuck_routes import stuck_scope
from hub.settings import now
from hub.unit_of_work import session
from routing.leads import operations as ops
from routing.leads.caseload import caseload, child_referrals
from routing.leads.contact import lead_contact
from routing.referrals.audit import audit
from routing.referrals.models import Child
from services.accounts.models import LEAD_ROLES, Role
from services.errors import InvalidInput

bp = Blueprint("leads", __name__, url_prefix="/caseload")


@bp.app_context_processor
def _lead_helpers() -> dict[str, Any]:
    """For the pages that name a child's lead (the referral page, the child's page):
    each calls these only where it shows the lead, so other pages pay nothing."""
    return {
        "lead_practitioner_of": lambda child_id: lead_contact(session(), child_id),
        "lead_history_of": lambda child_id: ops.history(session(), child_id),
        "lead_page_allowed": _lead_page_allowed,
    }


def _lead_page_allowed(child: Child) -> bool:
    """Whether the signed-in user may open the child's lead page (and so read the lead
    history's notes): not a provider or another school that only sees a referral."""
    return allowed(me(), child, ops.current_lead(session(), child.id), Act.VIEW)


@bp.route("")
@roles_required(*LEAD_ROLES)
def index() -> str:
    user = me()
    entries = caseload(session(), user.id, stuck_scope(None))
    # A read of every child listed: one row per child, so each child's audit shows it.
    for entry in entries:
        audit(session(), actor_for(user), "caseload_viewed", now(), entry.child.id)
    return render_template("leads/caseload.html", entries=entries)


def _page(led: LedChild, errors: dict[str, str] | None = None) -> str:
    user = me()
    child, lead = led.child, led.lead
    lines = child_referrals(session(), [child], stuck_scope(None)).get(child.id, ())
    candidates = ops.eligible_leads(session(), child)
    return render_template(
        "leads/child.html", child=child, lead=lead, contact=lead_contact(session(), child.id),
        lines=lines, events=ops.history(session(), child.id),
        can_appoint=lead is None and allowed(user, child, lead, Act.APPOINT),
        can_change=lead is not None and allowed(user, child, lead, Act.CHANGE),
        full_record=user.role is Role.COORDINATOR or is_school_staff_for(user, child),
        candidates=[c for c in candidates if lead is None or c.id != lead.user_id],
        start_key=request.form.get("start_key") or secrets.token_urlsafe(24),
        form=request.form, errors=errors or {},
    )


@bp.route("/children/<id:child_id>")
@roles_required(*LEAD_ROLES)
def child(child_id: int) -> str:
    return _page(load_led_child(child_id))


def _user_id() -> int | None:
    value = request.form.get("user_id", "")
    return int(value) if value.isdecimal() and len(value) < 10 else None


@bp.route("/children/<id:child_id>/appoint", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD)
def appoint(child_id: int) -> Response | tuple[str, int]:
    led = load_led_child(child_id, Act.APPOINT)
    form = request.form
    key = form.get("start_key", "")
    if not 16 <= len(key) <= 64:
        abort(400)
    data = ops.AppointInput(
        user_id=_user_id(), family_agreed=form.get("family_agreed") == "yes",
        family_agreement=form.get("family_agreement", ""), phone=form.get("phone", ""),
        note=form.get("note", ""))
    try:
        lead = ops.appoint_lead(session(), led.child, data, actor_for(me()), key, now())
    except InvalidInput as error:
        errors = refuse(error)
        return _page(load_led_child(child_id, Act.APPOINT), errors), 400
    flash(f"{lead.user.name} is now the lead practitioner ({lead.reference}). "
          "They have been told.", "success")
    return redirect(url_for("leads.child", child_id=child_id))


@bp.route("/children/<id:child_id>/handover", methods=["POST"])
@roles_required(*LEAD_ROLES)
def handover(child_id: int) -> Response | tuple[str, int]:
    led = load_led_child(child_id, Act.CHANGE)
    if led.lead is None:
        flash("The child has no lead practitioner now, so there is nothing to hand over.",
              "info")
        return redirect(url_for("leads.child", child_id=child_id))
    try:
        successor = ops.hand_over(session(), led.lead, _user_id(),
                                  request.form.get("note", ""), request.form.get("phone", ""),
                                  actor_for(me()), now())
    except InvalidInput as error:
        errors = refuse(error)
        return _page(load_led_child(child_id, Act.CHANGE), errors), 400
    flash(f"Handed over to {successor.user.name}. They have been told, with your note.",
          "success")
    # Whoever handed over may no longer see the child (a link worker): go to the caseload.
    if not allowed(me(), led.child, successor, Act.VIEW):
        return redirect(url_for("leads.index"))
    return redirect(url_for("leads.child", child_id=child_id))


@bp.route("/children/<id:child_id>/end", methods=["POST"])
@roles_required(*LEAD_ROLES)
def end(child_id: int) -> Response | tuple[str, int]:
    led = load_led_child(child_id, Act.CHANGE)
    if led.lead is None:
        flash("The child has no lead practitioner now, so nothing changed.", "info")
        return redirect(url_for("leads.child", child_id=child_id))
    try:
        ops.end_lead(session(), led.lead, request.form.get("reason", ""), actor_for(me()),
                     now())
    except InvalidInput as error:
        errors = refuse(error)
        return _page(load_led_child(child_id, Act.CHANGE), errors), 400
    flash("The lead practitioner role has ended.", "success")
    if not allowed(me(), led.child, None, Act.VIEW):
        return redirect(url_for("leads.index"))
    return redirect(url_for("leads.child", child_id=child_id))
