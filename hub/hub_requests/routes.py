"""Hub requests: a school's staff (or the coordinator) agree that a service runs at
their school, or decline. Until then the service shows as requested there."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.form_errors import refuse
from hub.referrals.access import actor_for, school_ids_for
from hub.settings import now
from hub.unit_of_work import session
from services.accounts.models import SCHOOL_ROLES, Role
from services.errors import InvalidInput
from services.hub_links import agree_hub, decline_hub, hub_requests
from services.listings import Service, ServiceSchool

bp = Blueprint("hub_requests", __name__, url_prefix="/hub-requests")
DECIDERS = (*SCHOOL_ROLES, Role.COORDINATOR)
# Ids past a 32-bit integer column are nobody's: 404, not a database error.
_MAX_ID = 2**31 - 1


def _scope() -> tuple[int, ...] | None:
    """The schools whose requests the user decides: their own, or (coordinator) all."""
    user = me()
    return None if user.role is Role.COORDINATOR else school_ids_for(user)


def load_link(link_id: int) -> ServiceSchool:
    """The school hub link, if it is at one of the user's schools; else 404."""
    if link_id > _MAX_ID:
        abort(404)
    link = session().execute(
        select(ServiceSchool).where(ServiceSchool.id == link_id)
        .options(selectinload(ServiceSchool.service).selectinload(Service.organisation),
                 selectinload(ServiceSchool.school))
    ).scalar_one_or_none()
    scope = _scope()
    if link is None or (scope is not None and link.school_id not in scope):
        abort(404)
    return link


@bp.route("")
@roles_required(*DECIDERS)
def index() -> str:
    return render_template("hub_requests/index.html",
                           requests=hub_requests(session(), _scope()),
                           coordinator=me().role is Role.COORDINATOR)


@bp.route("/<id:link_id>/agree", methods=["POST"])
@roles_required(*DECIDERS)
def agree(link_id: int) -> Response:
    link = load_link(link_id)
    agree_hub(session(), link, actor_for(me()), now())
    flash(f"Agreed: {link.service.name} runs at {link.school.name}.", "success")
    return redirect(url_for("hub_requests.index"))


@bp.route("/<id:link_id>/decline", methods=["POST"])
@roles_required(*DECIDERS)
def decline(link_id: int) -> Response | str:
    link = load_link(link_id)
    name, school = link.service.name, link.school.name
    try:
        decline_hub(session(), link, actor_for(me()), now())
    except InvalidInput as error:
        refuse(error)
        flash(error.errors[""], "error")
        return redirect(url_for("hub_requests.index"))
    flash(f"Declined: {name} is not listed at {school}.", "success")
    return redirect(url_for("hub_requests.index"))
