"""Referral lists, a referral's page and the actions on it. Views parse, load through
hub.referrals.access, call one operation, turn domain errors into messages, and commit once."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement, select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.directory_index import index_cache
from hub.referrals.access import (
    Act,
    actor_for,
    allowed,
    load_referral,
)
from hub.referrals.clock import now
from hub.referrals.common import (
    bp,
    deliver_messages,
    session,
)
from hub.referrals.listing import referral_page
from routing.referrals import operations as ops
from routing.referrals.lifecycle import TransitionRefused
from routing.referrals.matching import next_options
from routing.referrals.models import (
    DeclineReason,
    Outcome,
    Referral,
    Status,
)
from routing.referrals.reminders import CHASEABLE, last_reminder, remind_provider
from services.accounts.models import PROVIDER_STAFF_ROLES, SCHOOL_ROLES, Role
from services.errors import InvalidInput

# --- Lists -------------------------------------------------------------------------


def _list(title: str, scope: ColumnElement[bool]) -> str:
    listing = referral_page(
        session, me(), scope, request.args.get("status", ""),
        request.args.get("page", 1, type=int) or 1,
    )
    return render_template(
        "referrals/list.html", title=title, listing=listing, statuses=list(Status),
    )


@bp.route("")
@roles_required(*Role)
def dashboard() -> Response | str:
    """Referrer dashboard (schools) and everything (coordinators)."""
    if me().role.is_provider:
        return redirect(url_for("referrals.inbox"))
    return _list("Referrals", Referral.id.isnot(None))


@bp.route("/inbox")
@roles_required(*PROVIDER_STAFF_ROLES)
def inbox() -> str:
    return _list("Referral inbox", Referral.status != Status.DRAFT)


@bp.route("/<int:referral_id>")
@roles_required(*Role)
def show(referral_id: int) -> str:
    referral = load_referral(referral_id)
    user = me()
    if allowed(user, referral, Act.PROVIDER) and referral.status is Status.SENT:
        # Reading it is opening it: the referrer sees that it has been read.
        ops.open_referral(session, referral, actor_for(user), now())
    page = _show_page(referral)
    session.commit()
    return page


def _show_page(referral: Referral, typed: Mapping[str, str] | None = None,
               error: InvalidInput | None = None) -> str:
    """The referral's page, with what was typed and why it was refused after an error."""
    user = me()
    referrer = allowed(user, referral, Act.REFERRER)
    onward_referral = session.execute(
        select(Referral).where(Referral.rerouted_from_id == referral.id)
    ).scalar_one_or_none()
    options = []
    if referrer and referral.status is Status.DECLINED and onward_referral is None:
        options = next_options(session, index_cache().get(session), referral, now())
    can_remind = referral.status in CHASEABLE and allowed(user, referral, Act.CHASE)
    return render_template(
        "referrals/show.html", referral=referral, provider=allowed(user, referral, Act.PROVIDER),
        referrer=referrer, options=options, onward=onward_referral,
        answers=referral.request.answers if referral.request else {},
        decline_reasons=list(DeclineReason), outcomes=list(Outcome),
        lawful_bases=ops.LAWFUL_BASES, contact_ways=ops.CONTACT_WAYS,
        position=(ops.capacity.waitlist_position(session, referral)
                  if referral.status is Status.WAITLISTED else None),
        can_remind=can_remind,
        last_reminded=last_reminder(session, referral) if can_remind else None,
        typed=typed or {}, errors=error.errors if error else {},
    )


def _refused(referral_id: int, error: InvalidInput | TransitionRefused) -> tuple[str, int]:
    """The referral's page again, keeping what was typed, with the reason it was refused."""
    session.rollback()
    if isinstance(error, TransitionRefused):
        error = InvalidInput({"": str(error)})
    page = _show_page(load_referral(referral_id), request.form, error)
    session.commit()  # the audit of this read
    return page, 400


@bp.route("/<int:referral_id>/remind", methods=["POST"])
@roles_required(Role.COORDINATOR, *SCHOOL_ROLES)
def remind(referral_id: int) -> Response | tuple[str, int]:
    referral = load_referral(referral_id, Act.CHASE)
    try:
        remind_provider(session, referral, actor_for(me()), now(), request.form.get("note", ""))
    except InvalidInput as error:
        return _refused(referral_id, error)
    session.commit()
    deliver_messages()
    flash(f"{referral.organisation.name} has been reminded about {referral.reference}.",
          "success")
    return redirect(url_for("referrals.show", referral_id=referral.id))


PROVIDER_ACTIONS = {"accept", "waitlist", "decline", "ask", "first-contact", "close"}
REFERRER_ACTIONS = {"withdraw", "answer", "reroute"}


@bp.route("/<int:referral_id>/<action>", methods=["POST"])
@roles_required(*SCHOOL_ROLES, *PROVIDER_STAFF_ROLES)
def act(referral_id: int, action: str) -> Response | tuple[str, int]:
    if action not in PROVIDER_ACTIONS | REFERRER_ACTIONS:
        abort(404)
    referral = load_referral(
        referral_id, Act.PROVIDER if action in PROVIDER_ACTIONS else Act.REFERRER
    )
    who, at, form = actor_for(me()), now(), request.form
    target = referral
    try:
        if action == "accept":
            outcome = ops.accept_referral(session, referral, who, at)
            message = outcome.message
        elif action == "waitlist":
            position = ops.waitlist_referral(session, referral, who, at, form.get("reason", ""))
            message = f"Referral {referral.reference} is on the wait-list at position {position}."
        elif action == "decline":
            ops.decline_referral(
                session, referral, who, at, form.get("reason_code", ""), form.get("reason", "")
            )
            message = f"Referral {referral.reference} declined. The school has been told."
        elif action == "ask":
            ops.request_information(session, referral, who, at, form.get("question", ""))
            message = "Your question has been sent to the school."
        elif action == "first-contact":
            ops.record_first_contact(session, referral, who, at, form.get("next_step", ""))
            message = "First contact recorded."
        elif action == "close":
            ops.close_referral(
                session, referral, who, at, form.get("outcome", ""), form.get("reason", "")
            )
            message = f"Referral {referral.reference} closed."
        elif action == "withdraw":
            ops.withdraw_referral(session, referral, who, at, form.get("reason", ""))
            message = f"Referral {referral.reference} withdrawn."
        elif action == "answer":
            ops.supply_information(session, referral, who, at, form.get("answer", ""))
            message = "Information sent to the service."
        else:
            service_id = form.get("service_id", "")
            if not service_id.isdigit():
                raise InvalidInput({"service_id": "Choose a service"})
            target = ops.reroute_need(session, referral, int(service_id), who, at)
            message = f"Referral {target.reference} sent to {target.service.name}."
    except (InvalidInput, TransitionRefused) as error:
        return _refused(referral_id, error)
    session.commit()
    deliver_messages()
    flash(message, "success")
    return redirect(url_for("referrals.show", referral_id=target.id))


# Register the other referral pages on the same blueprint.
from hub.referrals import child_routes, form_routes, stuck_routes  # noqa: E402

__all__ = ["bp", "child_routes", "form_routes", "stuck_routes"]
