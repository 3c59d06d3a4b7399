"""Recording a concern, the safeguarding lead's queue, an item and the lead's decision.
Views parse, load through hub.safeguarding.access, call one operation and show domain
errors beside the fields; the request hook (hub.unit_of_work) commits."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.date_input import optional_date
from hub.form_errors import refuse
from hub.referrals.access import actor_for, school_ids_for
from hub.safeguarding.access import Act, allowed, load_item
from hub.settings import current_settings, now
from hub.unit_of_work import discard, session
from routing.referrals.audit import audit
from routing.referrals.children import ConfirmMatch
from routing.safeguarding import operations as ops
from routing.safeguarding.cme import case_for_item
from routing.safeguarding.deadlines import due_at
from routing.safeguarding.models import CONCERN_KINDS, Decision, SafeguardingItem
from routing.safeguarding.operations import link_candidates
from routing.safeguarding.queue import lead_queue, raised_by
from services.accounts.models import SCHOOL_ROLES, Role
from services.errors import InvalidInput

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")


def _working_days() -> int:
    return current_settings().safeguarding_action_working_days


@bp.route("")
@roles_required(*SCHOOL_ROLES)
def queue() -> str:
    """The lead's queue for their schools; for everyone, what they recorded themselves."""
    user = me()
    lead = None
    if user.role is Role.SAFEGUARDING_LEAD:
        lead = lead_queue(session(), school_ids_for(user), now(), _working_days())
    audit(session(), actor_for(user), "safeguarding_queue_viewed", now())
    return render_template("safeguarding/queue.html", queue=lead,
                           mine=raised_by(session(), user.id), working_days=_working_days())


@bp.route("/concerns/new", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def new_concern() -> Response | tuple[str, int] | str:
    schools = school_ids_for(me())
    if not schools:
        abort(403)
    form = request.form
    errors: dict[str, str] = {}
    match = None
    if request.method == "POST":
        key = form.get("raise_key", "")
        if not 16 <= len(key) <= 64:
            abort(400)
        born, unreadable = optional_date(form, "dob")
        data = ops.ConcernInput(
            kind=form.get("kind", ""), first_name=form.get("first_name", ""),
            last_name=form.get("last_name", ""), date_of_birth=born,
            home_postcode=form.get("home_postcode", ""), upn=form.get("upn", ""),
            nhs_number=form.get("nhs_number", ""), known_school=form.get("known_school", ""),
            last_known_address=form.get("last_known_address", ""),
            details=form.get("details", ""), date_unreadable=unreadable,
        )
        same = form.get("same_child")
        try:
            item = ops.raise_concern(
                session(), schools[0], actor_for(me()), data,
                None if same not in ("yes", "no") else same == "yes", key, now())
        except ConfirmMatch as confirm:
            discard()
            match = confirm.match
        except InvalidInput as error:
            errors = refuse(error)
        else:
            flash(f"Concern {item.reference} recorded. Your school's designated safeguarding "
                  "lead has been told.", "success")
            return redirect(url_for("safeguarding.item", item_id=item.id))
    page = render_template(
        "safeguarding/new.html", form=form, errors=errors, match=match,
        kinds=[(kind.value, kind.label) for kind in CONCERN_KINDS],
        raise_key=form.get("raise_key") or secrets.token_urlsafe(24))
    return (page, 400) if errors else page


def _item_page(item: SafeguardingItem, errors: dict[str, str] | None = None) -> str:
    user = me()
    can_decide = allowed(user, item, Act.DECIDE)
    return render_template(
        "safeguarding/item.html", item=item, full=allowed(user, item, Act.VIEW),
        can_decide=can_decide, case=case_for_item(session(), item) if can_decide else None,
        candidates=link_candidates(session(), item, school_ids_for(user) or
                                   (item.school_id,)) if can_decide else [],
        decisions=[(decision.value, decision.label) for decision in Decision],
        due=due_at(item.raised_at, _working_days()), now=now(), errors=errors or {},
        form=request.form,
    )


@bp.route("/items/<id:item_id>")
@roles_required(*SCHOOL_ROLES, Role.COORDINATOR)
def item(item_id: int) -> str:
    return _item_page(load_item(item_id, Act.STATUS))


@bp.route("/items/<id:item_id>/decision", methods=["POST"])
@roles_required(Role.SAFEGUARDING_LEAD, Role.COORDINATOR)
def decide(item_id: int) -> Response | tuple[str, int]:
    item = load_item(item_id, Act.DECIDE)
    form = request.form
    when, unreadable = optional_date(form, "front_door_on")
    data = ops.DecisionInput(
        decision=form.get("decision", ""), note=form.get("note", ""), front_door_on=when,
        front_door_reference=form.get("front_door_reference", ""),
        front_door_outcome=form.get("front_door_outcome", ""), date_unreadable=unreadable,
    )
    try:
        ops.decide(session(), item, actor_for(me()), data, now())
    except InvalidInput as error:
        errors = refuse(error)
        return _item_page(load_item(item_id, Act.DECIDE), errors), 400
    flash(f"Decision recorded on {item.reference}.", "success")
    return redirect(url_for("safeguarding.item", item_id=item.id))


@bp.route("/items/<id:item_id>/outcome", methods=["POST"])
@roles_required(Role.SAFEGUARDING_LEAD, Role.COORDINATOR)
def outcome(item_id: int) -> Response | tuple[str, int]:
    item = load_item(item_id, Act.DECIDE)
    try:
        ops.add_front_door_outcome(
            session(), item, actor_for(me()), request.form.get("front_door_reference", ""),
            request.form.get("front_door_outcome", ""), now())
    except InvalidInput as error:
        errors = refuse(error)
        return _item_page(load_item(item_id, Act.DECIDE), errors), 400
    flash(f"Front door update recorded on {item.reference}.", "success")
    return redirect(url_for("safeguarding.item", item_id=item.id))


@bp.route("/items/<id:item_id>/child", methods=["POST"])
@roles_required(Role.SAFEGUARDING_LEAD, Role.COORDINATOR)
def link_child(item_id: int) -> Response | tuple[str, int]:
    """Link an item recorded without a child record to one of the records it could be
    about (only those offered on the item's page), once the lead confirms."""
    item = load_item(item_id, Act.DECIDE)
    typed = request.form.get("child_id", "")
    offered = {child.id: child for child in link_candidates(
        session(), item, school_ids_for(me()) or (item.school_id,))}
    chosen = offered.get(int(typed)) if typed.isdecimal() and len(typed) < 10 else None
    if chosen is None:
        return _item_page(item, {"child_id": "Choose the child's record"}), 400
    try:
        ops.link_child(session(), item, chosen, request.form.get("confirmed") == "yes",
                       actor_for(me()), now())
    except InvalidInput as error:
        errors = refuse(error)
        return _item_page(load_item(item_id, Act.DECIDE), errors), 400
    flash(f"{item.reference} is now on the child's timeline.", "success")
    return redirect(url_for("safeguarding.item", item_id=item.id))
