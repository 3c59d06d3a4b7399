"""Provider pages: their services, capacity in one step, and editing a listing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from hub.access import can_edit_service, me, roles_required
from hub.caches import online_geocoder
from hub.directory.routes import load_service
from hub.form_errors import refuse, show_on_form
from hub.providers.forms import ServiceForm
from hub.unit_of_work import session
from services import capacity_ops, listing_ops
from services.accounts.models import DIRECTORY_EDITOR_ROLES, Role
from services.errors import InvalidInput
from services.listings import Service
from services.schools import School
from services.taxonomy_ops import need_choices

bp = Blueprint("providers", __name__, url_prefix="/provider")


def _own_services() -> list[Service]:
    user = me()
    query = (
        select(Service)
        .options(selectinload(Service.capacity))
        .order_by(Service.name)
    )
    if user.role != Role.COORDINATOR:
        query = query.where(Service.organisation_id == user.organisation_id)
    return list(session().execute(query).scalars())


@bp.route("/services", methods=["GET", "POST"])
@roles_required(*DIRECTORY_EDITOR_ROLES)
def services() -> Response | str:
    listings = _own_services()
    errors: dict[str, str] = {}
    submitted: dict[int, capacity_ops.CapacityRow] = {}
    if request.method == "POST":
        # CSRFProtect has already checked the token, as it does for every POST.
        for service in listings:
            if f"free_places-{service.id}" not in request.form:
                continue
            submitted[service.id] = capacity_ops.CapacityRow(
                accepting=request.form.get(f"accepting-{service.id}") == "yes",
                free_places=request.form.get(f"free_places-{service.id}", ""),
                waitlist_length=request.form.get(f"waitlist_length-{service.id}", ""),
                typical_wait_days=request.form.get(f"typical_wait_days-{service.id}", ""),
            )
        user = me()
        try:
            count = capacity_ops.update_capacities(
                session(), listings, submitted, user.id, f"{user.name}, {user.organisation.name}"
            )
        except InvalidInput as error:
            errors = refuse(error)
        else:
            flash(f"Capacity saved for {count} service{'s' if count != 1 else ''}.", "success")
            return redirect(url_for("providers.services"))
    return render_template(
        "providers/services.html",
        services=listings,
        errors=errors,
        submitted=submitted,
        can_create=me().role in (Role.PROVIDER_MANAGER, Role.COORDINATOR),
    )


def _prepare(form: ServiceForm) -> None:
    form.needs.choices = need_choices(session())
    rows = session().execute(select(School.id, School.name).order_by(School.name))
    form.hubs.choices = [(str(i), name) for i, name in rows]


def _input(form: ServiceForm) -> listing_ops.ServiceInput:
    return listing_ops.ServiceInput(
        name=form.name.data or "",
        description=form.description.data or "",
        need_codes=form.needs.data or [],
        min_age=form.min_age.data or 0,
        max_age=form.max_age.data if form.max_age.data is not None else 0,
        eligibility=form.eligibility.data or "",
        cost=form.cost.data or "",
        delivery_modes=form.delivery_modes.data or [],
        languages=(form.languages.data or "").split(","),
        opening_times=form.opening_times.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        website=form.website.data or "",
        referral_route=form.referral_route.data or "system",
        venue_address=form.venue_address.data or "",
        venue_postcode=form.venue_postcode.data or "",
        hub_school_ids=[int(v) for v in form.hubs.data or []],
        hub_days=form.hub_days.data or [],
        service_area_name=form.service_area_name.data or "",
        service_area_text=form.service_area.data or "",
        help_kinds=form.help_kinds.data or [],
        audiences=form.audiences.data or [],
        need_level=form.need_level.data or "",
    )


def _save(form: ServiceForm, service: Service | None, organisation_id: int) -> Response | None:
    try:
        saved = listing_ops.save_service(
            session(), service, organisation_id, _input(form), online_geocoder()
        )
    except InvalidInput as error:
        show_on_form(form, error)
        return None
    flash(f"{saved.name} saved.", "success")
    return redirect(url_for("directory.service", service_id=saved.id))


@bp.route("/services/new", methods=["GET", "POST"])
@roles_required(Role.PROVIDER_MANAGER)
def new_service() -> Response | str:
    form = ServiceForm()
    _prepare(form)
    if form.validate_on_submit():
        response = _save(form, None, me().organisation_id)
        if response is not None:
            return response
    return render_template("providers/edit.html", form=form, service=None)


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@roles_required(Role.PROVIDER_MANAGER, Role.COORDINATOR)
def edit_service(service_id: int) -> Response | str:
    service = load_service(service_id)
    if not can_edit_service(me(), service):
        abort(403)
    form = ServiceForm(obj=service if request.method == "GET" else None)
    _prepare(form)
    if request.method == "GET":
        import json

        form.needs.data = service.need_codes
        form.languages.data = ", ".join(service.languages or [])
        form.hubs.data = [str(hub.school_id) for hub in service.hubs]
        form.hub_days.data = service.hubs[0].days if service.hubs else []
        form.referral_route.data = service.referral_route.value
        form.help_kinds.data = list(service.help_kinds or [])
        form.audiences.data = list(service.audiences or [])
        form.need_level.data = service.need_level or ""
        form.venue_address.data = service.location.address if service.location else ""
        form.venue_postcode.data = service.location.postcode if service.location else ""
        form.service_area.data = json.dumps(service.service_area) if service.service_area else ""
    if form.validate_on_submit():
        response = _save(form, service, service.organisation_id)
        if response is not None:
            return response
    return render_template("providers/edit.html", form=form, service=service)
