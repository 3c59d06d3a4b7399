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
from hub.providers.forms import WEEKDAYS, ServiceForm
from hub.referrals.access import actor_for
from hub.settings import now
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
def services() -> Response | str | tuple[str, int]:
    listings = _own_services()
    # The coordinator sees every provider's services: one button that dates them all as
    # "still right" would vouch for figures only each provider knows.
    hub_wide = me().role is Role.COORDINATOR
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
        confirm = request.form.get("confirm", "")
        try:
            saved = capacity_ops.update_capacities(
                session(), listings, submitted, actor_for(me()), now=now(),
                confirm=(capacity_ops.ALL_ROWS
                         if confirm == capacity_ops.ALL_ROWS and not hub_wide
                         else {int(confirm)} if confirm.isdecimal() and len(confirm) < 12
                         else ()),
            )
        except InvalidInput as error:
            errors = refuse(error)
        else:
            flash(_saved_message(saved), "success")
            return redirect(url_for("providers.services"))
    page = render_template(
        "providers/services.html",
        services=listings,
        errors=errors,
        submitted=submitted,
        hub_wide=hub_wide,
        # Only a provider's manager adds a listing, for their own organisation: the
        # coordinator's link led to a refusal (403).
        can_create=me().role is Role.PROVIDER_MANAGER,
    )
    return (page, 400) if errors else page


def _saved_message(saved: capacity_ops.TableSaved) -> str:
    def services(count: int) -> str:
        return f"{count} service{'s' if count != 1 else ''}"

    parts = []
    if saved.changed:
        parts.append(f"New figures saved for {services(saved.changed)}.")
    if saved.confirmed:
        parts.append(f"Figures confirmed as still right for {services(saved.confirmed)}.")
    return " ".join(parts) or "Nothing changed: no figures were edited or confirmed."


def _prepare(form: ServiceForm) -> None:
    form.needs.choices = need_choices(session())
    rows = session().execute(select(School.id, School.name).order_by(School.name))
    form.hubs.choices = [(str(i), name) for i, name in rows]


def _input(form: ServiceForm) -> listing_ops.ServiceInput:
    return listing_ops.ServiceInput(
        name=form.name.data or "",
        description=form.description.data or "",
        need_codes=form.needs.data or [],
        min_age=form.min_age.data,
        max_age=form.max_age.data,
        eligibility=form.eligibility.data or "",
        cost=form.cost.data or "",
        response_working_days=form.response_working_days.data,
        states_response_time=True,
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
        # Optional() lets a blank choice through unchecked: it is no school.
        hub_school_ids=[int(v) for v in form.hubs.data or [] if v],
        hub_days=form.hub_days.data or [],
        days_by_school=_days_by_school(),
        service_area_name=form.service_area_name.data or "",
        service_area_text=form.service_area.data or "",
        help_kinds=form.help_kinds.data or [],
        audiences=form.audiences.data or [],
        need_level=form.need_level.data or "",
    )


def _days_by_school() -> dict[int, list[str]]:
    """Each listed school's own days, as the form showed them (an empty list is a
    school with no days ticked, not a school left out)."""
    shown = {int(value) for value in request.form.getlist("hub_days_shown")
             if value.isdecimal() and len(value) < 12}
    return {school_id: [day for day in request.form.getlist(f"hub_days-{school_id}")
                        if day in WEEKDAYS]
            for school_id in shown}


def _hub_rows(service: Service | None) -> list[dict[str, object]]:
    """The schools the service is already listed at, with their days and agreement."""
    if service is None:
        return []
    typed = _days_by_school() if request.method == "POST" else {}
    rows = []
    for hub in sorted(service.hubs, key=lambda hub: hub.school.name):
        status = (f"Agreed by {hub.agreed_by_name}" if hub.agreed
                  else "Requested: waiting for the school to agree")
        rows.append({"school_id": hub.school_id, "school_name": hub.school.name,
                     "days": typed.get(hub.school_id, hub.days or []), "status": status})
    return rows


def _save(form: ServiceForm, service: Service | None, organisation_id: int) -> Response | None:
    user = me()
    try:
        # The coordinator agrees for a school; a provider's new school is a request.
        saved = listing_ops.save_service(
            session(), service, organisation_id, _input(form), online_geocoder(),
            actor=actor_for(user), agree_hubs=user.role is Role.COORDINATOR, now=now(),
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
    return render_template("providers/edit.html", form=form, service=None, hub_rows=[],
                           weekdays=WEEKDAYS)


@bp.route("/services/<id:service_id>/edit", methods=["GET", "POST"])
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
        # Each listed school's days are its own fields (``_hub_rows``); this one is
        # for schools added now.
        form.hub_days.data = []
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
    return render_template("providers/edit.html", form=form, service=service,
                           hub_rows=_hub_rows(service), weekdays=WEEKDAYS)
