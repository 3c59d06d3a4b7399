"""Referral lists, a referral's page and the actions on it. Views parse, load through
hub.referrals.access, call one operation and turn domain errors into messages; the
request hook (hub.unit_of_work) commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement, select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from hub import page_names
from hub.access import me, roles_required
from hub.caches import snapshot_cache
from hub.referrals.access import (
    Act,
    actor_for,
    allowed,
    load_referral,
    reader_for,
)
from hub.referrals.common import (
    bp,
)
from hub.referrals.listing import referral_page
from hub.settings import now
from hub.unit_of_work import discard, session
from routing.engine.help import SEVERITIES
from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.family_contact import how_to_reach_referral
from routing.referrals.lifecycle import Actor, TransitionRefused
from routing.referrals.matching import next_options
from routing.referrals.models import (
    DeclineReason,
    Outcome,
    Referral,
    Status,
)
from routing.referrals.progress_notes import record_progress
from routing.referrals.reminders import CHASEABLE, last_reminder, remind_provider
from routing.referrals.sharing import flag_visible, referral_view
from services.accounts.models import PROVIDER_STAFF_ROLES, SCHOOL_ROLES, Role
from services.bounds import parse_id
from services.errors import AlreadyDone, InvalidInput

# --- Lists -------------------------------------------------------------------------


def _list(title: str, scope: ColumnElement[bool]) -> str | tuple[str, int]:
    # A search is posted, so a child's name or UPN never sits in a URL or a log.
    query = request.form.get("q", "") if request.method == "POST" else ""
    errors: dict[str, str] = {}
    try:
        listing = referral_page(
            session(), me(), scope, request.args.get("status", ""),
            request.args.get("page", 1, type=int) or 1, query,
        )
    except ValueError as error:
        errors = {"q": str(error)}
        listing = referral_page(session(), me(), scope, request.args.get("status", ""), 1)
    user = me()
    page = render_template(
        "referrals/list.html", title=title, listing=listing, statuses=list(Status),
        errors=errors, typed=query,
        flagged={r.id for r in listing.referrals if flag_visible(r, reader_for(user, r))},
    )
    return (page, 400) if errors else page


@bp.route("", methods=["GET", "POST"])
@roles_required(*Role)
def dashboard() -> Response | str | tuple[str, int]:
    """Referrer dashboard (schools) and everything (coordinators)."""
    if me().role.is_provider:
        return redirect(url_for("referrals.inbox"))
    if me().role is Role.LINK_WORKER:
        return redirect(url_for("leads.index"))
    return _list(page_names.REFERRALS, Referral.id.isnot(None))


@bp.route("/inbox", methods=["GET", "POST"])
@roles_required(*PROVIDER_STAFF_ROLES)
def inbox() -> str | tuple[str, int]:
    return _list(page_names.REFERRAL_INBOX, Referral.status != Status.DRAFT)


@bp.route("/<id:referral_id>")
@roles_required(*Role)
def show(referral_id: int) -> str:
    referral = load_referral(referral_id)
    user = me()
    if allowed(user, referral, Act.PROVIDER) and referral.status is Status.SENT:
        # Reading it is opening it: the referrer sees that it has been read.
        ops.open_referral(session(), referral, actor_for(user), now())
    page = _show_page(referral)
    return page


def _show_page(referral: Referral, typed: Mapping[str, str] | None = None,
               error: InvalidInput | None = None, already_done: str = "") -> str:
    """The referral's page, with what was typed and why it was refused after an error."""
    user = me()
    referrer = allowed(user, referral, Act.REFERRER)
    onward_referral = session().execute(
        select(Referral).where(Referral.rerouted_from_id == referral.id)
    ).scalar_one_or_none()
    options = []
    if referrer and referral.status is Status.DECLINED and onward_referral is None:
        options = next_options(session(), snapshot_cache().get(session()).index(), referral, now())
    can_remind = referral.status in CHASEABLE and allowed(user, referral, Act.CHASE)
    return render_template(
        "referrals/show.html", referral=referral, provider=allowed(user, referral, Act.PROVIDER),
        referrer=referrer, options=options, onward=onward_referral,
        view=referral_view(referral, reader_for(user, referral), session()),
        severity_labels=SEVERITIES,
        decline_reasons=list(DeclineReason), outcomes=list(Outcome),
        lawful_bases=ops.LAWFUL_BASES, contact_ways=ops.CONTACT_WAYS,
        reach=how_to_reach_referral(session(), referral),
        position=(ops.capacity.waitlist_position(session(), referral)
                  if referral.status is Status.WAITLISTED else None),
        can_remind=can_remind,
        family_next_step=progress.next_step_words(referral.status, referral.next_step),
        last_reminded=last_reminder(session(), referral) if can_remind else None,
        typed=typed or {}, errors=error.errors if error else {}, already_done=already_done,
    )


def _already_done(referral_id: int, message: str) -> tuple[str, int]:
    """The referral as it now is, saying the change asked for was already made."""
    discard()
    return _show_page(load_referral(referral_id), already_done=message), 409


def _refused(referral_id: int, error: InvalidInput | TransitionRefused) -> tuple[str, int]:
    """The referral's page again, keeping what was typed, with the reason it was refused."""
    discard()
    if isinstance(error, TransitionRefused):
        error = InvalidInput({"": str(error)})
    page = _show_page(load_referral(referral_id), request.form, error)
    return page, 400


@bp.route("/<id:referral_id>/remind", methods=["POST"])
@roles_required(Role.COORDINATOR, *SCHOOL_ROLES)
def remind(referral_id: int) -> Response | tuple[str, int]:
    referral = load_referral(referral_id, Act.CHASE, lock=True)
    try:
        remind_provider(session(), referral, actor_for(me()), now(), request.form.get("note", ""))
    except InvalidInput as error:
        return _refused(referral_id, error)
    flash(f"{referral.organisation.name} has been reminded about {referral.reference}.",
          "success")
    return redirect(url_for("referrals.show", referral_id=referral.id))


# The referral to show next, and what to tell the user.
Done = tuple[Referral, str]


@dataclass(frozen=True)
class Action:
    """One thing a provider or the referrer can do to a referral, from its page."""

    act: Act
    # Calls the operation with the form; returns the referral to show next and what
    # to tell the user. Raises InvalidInput or TransitionRefused.
    run: Callable[[Referral, Actor, datetime, MultiDict[str, str]], Done]


def _accept(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    return r, ops.accept_referral(session(), r, who, at).message


def _waitlist(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    position = ops.waitlist_referral(session(), r, who, at, form.get("reason", ""))
    return r, f"Referral {r.reference} is on the wait-list at position {position}."


def _decline(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    ops.decline_referral(
        session(), r, who, at, form.get("reason_code", ""), form.get("reason", ""))
    return r, f"Referral {r.reference} declined. The school has been told."


def _ask(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    ops.request_information(session(), r, who, at, form.get("question", ""))
    return r, "Your question has been sent to the school."


def _first_contact(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    ops.record_first_contact(session(), r, who, at, form.get("next_step", ""))
    return r, "First contact recorded."


def _progress(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    record_progress(session(), r, who, at, form.get("note", ""), form.get("next_step", ""))
    return r, "Progress recorded."


def _close(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    ops.close_referral(session(), r, who, at, form.get("outcome", ""), form.get("reason", ""))
    return r, f"Referral {r.reference} closed."


def _withdraw(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    ops.withdraw_referral(session(), r, who, at, form.get("reason", ""))
    return r, f"Referral {r.reference} withdrawn."


def _answer(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    ops.supply_information(session(), r, who, at, form.get("answer", ""))
    return r, "Information sent to the service."


def _reroute(r: Referral, who: Actor, at: datetime, form: MultiDict[str, str]) -> Done:
    service_id = parse_id(form.get("service_id"))
    if service_id is None:
        raise InvalidInput({"service_id": "Choose a service"})
    onward = ops.reroute_need(session(), r, service_id, who, at)
    return onward, f"Referral {onward.reference} sent to {onward.service.name}."


# The URL's last part names the action.
ACTIONS: dict[str, Action] = {
    "accept": Action(Act.PROVIDER, _accept),
    "waitlist": Action(Act.PROVIDER, _waitlist),
    "decline": Action(Act.PROVIDER, _decline),
    "ask": Action(Act.PROVIDER, _ask),
    "first-contact": Action(Act.PROVIDER, _first_contact),
    "progress": Action(Act.PROVIDER, _progress),
    "close": Action(Act.PROVIDER, _close),
    "withdraw": Action(Act.REFERRER, _withdraw),
    "answer": Action(Act.REFERRER, _answer),
    "reroute": Action(Act.REFERRER, _reroute),
}


@bp.route("/<id:referral_id>/<action>", methods=["POST"])
@roles_required(*SCHOOL_ROLES, *PROVIDER_STAFF_ROLES)
def act(referral_id: int, action: str) -> Response | tuple[str, int]:
    chosen = ACTIONS.get(action)
    if chosen is None:
        abort(404)
    referral = load_referral(referral_id, chosen.act, lock=True)
    try:
        target, message = chosen.run(referral, actor_for(me()), now(), request.form)
    except AlreadyDone as done:
        return _already_done(referral_id, str(done))
    except TransitionRefused as error:
        if error.referral.status is error.to:
            # Asked to become what it already is: a double click or a colleague first.
            return _already_done(
                referral_id, f"The referral is already {error.to.label.lower()}.")
        return _refused(referral_id, error)
    except InvalidInput as error:
        return _refused(referral_id, error)
    flash(message, "success")
    return redirect(url_for("referrals.show", referral_id=target.id))


# Register the other referral pages on the same blueprint.
from hub.referrals import (  # noqa: E402
    child_routes,
    draft_routes,
    earlier_routes,
    family_routes,
    form_routes,
    identity_routes,
    stuck_routes,
)

__all__ = ["bp", "child_routes", "draft_routes", "earlier_routes", "family_routes",
           "form_routes", "identity_routes", "stuck_routes"]
