"""A child who moved school: the new school asks the earlier school's safeguarding lead
for the earlier referrals' details; the lead grants or refuses; a grant lets the new
school read them for a while (routing.referrals.earlier)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.form_errors import refuse
from hub.referrals.access import (
    actor_for,
    load_child,
    load_details_request,
    load_earlier_referral,
    school_ids_for,
)
from hub.referrals.common import bp
from hub.settings import current_settings, now
from hub.unit_of_work import discard, session
from routing.engine.help import SEVERITIES
from routing.referrals import operations as ops
from routing.referrals.earlier import (
    RequestState,
    decide_details,
    request_details,
    requests_for_holders,
)
from routing.referrals.family_contact import how_to_reach_referral
from routing.referrals.models import Referral, Status
from routing.referrals.sharing import Reader, referral_view
from services.accounts.models import SCHOOL_ROLES, Role
from services.errors import AlreadyDone, InvalidInput


@bp.route("/children/<id:child_id>/earlier/<id:school_id>/request", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def request_earlier_details(child_id: int, school_id: int) -> Response | tuple[str | Response, int]:
    record = load_child(child_id)
    own = school_ids_for(me())
    if not own:
        abort(403)
    try:
        made = request_details(
            session(), record.id, school_id, own[0], actor_for(me()),
            request.form.get("reason", ""), request.form.get("request_key", "")[:64], now())
    except InvalidInput as error:
        errors = {f"reason-{school_id}": message for message in refuse(error).values()}
        from hub.referrals.child_routes import child

        return child(child_id, errors, {f"reason-{school_id}": request.form.get("reason", "")}), 400
    except AlreadyDone as done:
        discard()
        flash(str(done), "info")
        return redirect(url_for("referrals.child", child_id=child_id, _anchor="earlier"))
    flash(f"Request {made.reference} is with the earlier school's safeguarding lead. You will "
          "get an email when they decide.", "success")
    return redirect(url_for("referrals.child", child_id=child_id, _anchor="earlier"))


@bp.route("/children/<id:child_id>/earlier-referrals/<id:referral_id>")
@roles_required(*SCHOOL_ROLES)
def earlier_referral(child_id: int, referral_id: int) -> str:
    record = load_child(child_id)
    referral, grant = load_earlier_referral(record, referral_id)
    return render_template(
        "referrals/earlier.html", child=record, referral=referral, grant=grant,
        view=referral_view(referral, Reader.FULL, session()), events=referral.events,
        lawful_bases=ops.LAWFUL_BASES, contact_ways=ops.CONTACT_WAYS,
        severity_labels=SEVERITIES, reach=how_to_reach_referral(session(), referral),
    )


@bp.route("/details-requests")
@roles_required(Role.SAFEGUARDING_LEAD)
def details_requests() -> str:
    return render_template(
        "referrals/details_requests.html",
        requests=requests_for_holders(session(), school_ids_for(me())))


@bp.route("/details-requests/<id:request_id>", methods=["GET", "POST"])
@roles_required(Role.SAFEGUARDING_LEAD, Role.COORDINATOR)
def details_request(request_id: int) -> Response | str | tuple[str, int]:
    deciding = request.method == "POST"
    found = load_details_request(request_id, decide=deciding)
    errors: dict[str, str] = {}
    if deciding:
        decision = request.form.get("decision", "")
        try:
            if decision not in ("grant", "refuse"):
                raise InvalidInput({"decision": "Choose whether to grant or refuse"})
            decide_details(
                session(), found, actor_for(me()), decision == "grant",
                request.form.get("decision_reason", ""), now(),
                current_settings().earlier_details_grant_days)
        except InvalidInput as error:
            errors = refuse(error)
            found = load_details_request(request_id)
        except AlreadyDone as done:
            discard()
            flash(str(done), "info")
            return redirect(url_for("referrals.details_request", request_id=request_id))
        else:
            flash(f"Request {found.reference} {found.state.label.lower()}. The school that "
                  "asked has been told.", "success")
            return redirect(url_for("referrals.details_requests"))
    referrals = list(session().execute(
        select(Referral).where(Referral.child_id == found.child_id,
                               Referral.school_id == found.holder_school_id,
                               Referral.status != Status.DRAFT)
        .order_by(Referral.sent_at, Referral.id)).scalars())
    page = render_template(
        "referrals/details_request.html", found=found, referrals=referrals, errors=errors,
        typed=request.form if errors else {}, pending=found.state is RequestState.PENDING,
        may_decide=me().role is Role.SAFEGUARDING_LEAD,
        grant_days=current_settings().earlier_details_grant_days)
    return (page, 400) if errors else page
