"""A service's page: everything a referrer needs to decide."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.access import can_edit_service, can_update_capacity, me
from hub.unit_of_work import session
from services.listings import Service, ServiceSchool

bp = Blueprint("directory", __name__)


def load_service(service_id: int) -> Service:
    """The service, or 404. Listings are directory information every user may read."""
    service = session().execute(
        select(Service)
        .where(Service.id == service_id)
        .options(
            selectinload(Service.needs),
            selectinload(Service.hubs).selectinload(ServiceSchool.school),
            selectinload(Service.capacity),
            selectinload(Service.location),
            selectinload(Service.organisation),
        )
    ).scalar_one_or_none()
    if service is None:
        abort(404)
    return service


@bp.route("/services/<id:service_id>")
@login_required
def service(service_id: int) -> str:
    listing = load_service(service_id)
    user = me()
    return render_template(
        "directory/service.html",
        service=listing,
        can_edit=can_edit_service(user, listing),
        can_update_capacity=can_update_capacity(user, listing),
    )
