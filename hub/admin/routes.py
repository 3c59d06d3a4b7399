"""The hub coordinator's pages: schools, organisations, user accounts and needs.

Views are thin: parse the form, load the object (404 when unknown), call one
operation, show its errors next to the fields or commit once and redirect.
"""

from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.admin.forms import (
    NeedForm,
    NewNeedForm,
    OrganisationForm,
    PasswordForm,
    SchoolForm,
    UserDetailsForm,
    UserForm,
)
from hub.caches import online_geocoder
from hub.form_errors import refuse, show_on_form
from hub.referrals.access import actor_for
from hub.settings import now
from hub.unit_of_work import session
from routing.engine.reasons import plural
from routing.leads.operations import tell_schools_lead_unavailable
from routing.referrals import progress
from routing.referrals.link_delivery import tell_leads_links_stopped
from services import organisation_ops, school_ops, taxonomy_ops
from services.accounts import operations as accounts
from services.accounts.models import Role, User
from services.bounds import parse_id
from services.errors import InvalidInput
from services.organisations import Organisation
from services.schools import School
from services.taxonomy import Need

bp = Blueprint("admin", __name__, url_prefix="/admin")

M = TypeVar("M")
coordinator_only = roles_required(Role.COORDINATOR)


def _load(model: type[M], key: object) -> M:
    """The row with this primary key, or 404. Only coordinators reach these views."""
    found = session().get(model, key)
    if found is None:
        abort(404)
    return found


def _optional_int(value: str | None) -> int | None:
    return parse_id(value)


# --- Overview ---------------------------------------------------------------


@bp.route("")
@coordinator_only
def index() -> str:
    return render_template("admin/index.html", counts=organisation_ops.overview_counts(session()))


# --- Schools ----------------------------------------------------------------


def _school_form(school: School | None) -> SchoolForm:
    form = SchoolForm(obj=school if request.method == "GET" else None)
    form.trust_id.choices = [("", "None")] + [
        (str(trust.id), trust.name) for trust in school_ops.trust_choices(session())
    ]
    if school is not None and request.method == "GET":
        form.phase.data = school.phase.value
        form.trust_id.data = str(school.trust_id) if school.trust_id else ""
        form.address.data = school.location.address
        form.postcode.data = school.location.postcode
        form.phone.data = school.organisation.phone or ""
        form.email.data = school.organisation.email or ""
    return form


def _school_input(form: SchoolForm) -> school_ops.SchoolInput:
    return school_ops.SchoolInput(
        name=form.name.data or "",
        urn=form.urn.data or "",
        phase=form.phase.data or "",
        trust_id=_optional_int(form.trust_id.data),
        address=form.address.data or "",
        postcode=form.postcode.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
    )


def _school_saved(saved: school_ops.SavedSchool) -> Response:
    message = f"{saved.school.name} saved."
    if saved.approximate:
        message += (
            f" We do not know the exact postcode {saved.school.location.postcode}, so the "
            "school is placed at the centre of its district until the gazetteer is updated."
        )
    flash(message, "success")
    return redirect(url_for("admin.schools"))


@bp.route("/schools")
@coordinator_only
def schools() -> str:
    return render_template("admin/schools.html", schools=school_ops.list_schools(session()))


@bp.route("/schools/new", methods=["GET", "POST"])
@coordinator_only
def new_school() -> Response | str:
    form = _school_form(None)
    if form.validate_on_submit():
        try:
            saved = school_ops.add_school(session(), _school_input(form), online_geocoder())
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return _school_saved(saved)
    return render_template("admin/school_edit.html", form=form, school=None)


@bp.route("/schools/<id:school_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_school(school_id: int) -> Response | str:
    school = _load(School, school_id)
    form = _school_form(school)
    if form.validate_on_submit():
        try:
            saved = school_ops.update_school(
                session(), school, _school_input(form), online_geocoder()
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return _school_saved(saved)
    return render_template("admin/school_edit.html", form=form, school=school)


# --- Organisations ----------------------------------------------------------


def _organisation_form(organisation: Organisation | None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    form.kind.choices = [
        (kind.value, kind.label)
        for kind in organisation_ops.organisation_kind_choices(organisation)
    ]
    if organisation is not None and request.method == "GET":
        form.kind.data = organisation.kind.value
    return form


def _organisation_input(form: OrganisationForm) -> organisation_ops.OrganisationInput:
    return organisation_ops.OrganisationInput(
        name=form.name.data or "",
        kind=form.kind.data or "",
        website=form.website.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
    )


@bp.route("/organisations")
@coordinator_only
def organisations() -> str:
    rows = organisation_ops.list_organisations(session())
    return render_template("admin/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
@coordinator_only
def new_organisation() -> Response | str:
    form = _organisation_form(None)
    if form.validate_on_submit():
        try:
            saved = organisation_ops.add_organisation(session(), _organisation_input(form))
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            flash(f"{saved.name} added.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_edit.html", form=form, organisation=None)


@bp.route("/organisations/<id:organisation_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_organisation(organisation_id: int) -> Response | str:
    organisation = _load(Organisation, organisation_id)
    form = _organisation_form(organisation)
    if form.validate_on_submit():
        try:
            organisation_ops.update_organisation(
                session(), organisation, _organisation_input(form)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            flash(f"{organisation.name} saved.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template(
        "admin/organisation_edit.html", form=form, organisation=organisation
    )


# --- Users ------------------------------------------------------------------


@bp.route("/users")
@coordinator_only
def users() -> str:
    chosen = parse_id(request.args.get("organisation"))
    organisation = session().get(Organisation, chosen) if chosen else None
    rows = accounts.list_users(session(), organisation.id if organisation else None)
    return render_template(
        "admin/users.html",
        users=rows,
        organisation=organisation,
        organisations=[row.organisation for row in organisation_ops.list_organisations(session())],
    )


def _with_organisations(form: UserDetailsForm) -> None:
    form.organisation_id.choices = [("", "Choose an organisation")] + [
        (str(row.organisation.id), f"{row.organisation.name} ({row.organisation.kind.label})")
        for row in organisation_ops.list_organisations(session())
    ]


def _user_details(form: UserDetailsForm) -> accounts.UserDetails:
    return accounts.UserDetails(
        name=form.name.data or "",
        email=form.email.data or "",
        role=form.role.data or "",
        organisation_id=_optional_int(form.organisation_id.data),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@coordinator_only
def new_user() -> Response | str:
    form = UserForm()
    _with_organisations(form)
    if request.method == "GET":
        form.organisation_id.data = request.args.get("organisation", "")
    if form.validate_on_submit():
        details = _user_details(form)
        data = accounts.UserInput(details.name, details.email, details.role,
                                    details.organisation_id, form.password.data or "")
        try:
            user = accounts.add_user(session(), data)
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            flash(f"Account created for {user.name}. Give them their password in person "
                  "or by phone, never by email.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_user(user_id: int) -> Response | str:
    account = _load(User, user_id)
    form = UserDetailsForm(obj=account if request.method == "GET" else None)
    _with_organisations(form)
    if request.method == "GET":
        form.role.data = account.role.value
        form.organisation_id.data = str(account.organisation_id)
    if form.validate_on_submit():
        try:
            signed_out = accounts.update_user(session(), account, _user_details(form), me())
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            message = f"{account.name}'s details saved."
            if signed_out:
                message += _links_stopped(account) + _leads_to_hand_over(account)
            if signed_out and account.id == me().id:
                login_user(account)  # their old cookie has just stopped working
            elif signed_out:
                message += " Their access has changed, so they have been signed out."
            flash(message, "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/user_edit.html", form=form, user=account)


def _user_page(user: User, form: PasswordForm | None = None, error: str | None = None,
               status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/user.html",
        user=user,
        form=form or PasswordForm(formdata=None),
        status_error=error,
        is_me=user.id == me().id,
    ), status


@bp.route("/users/<id:user_id>")
@coordinator_only
def user(user_id: int) -> tuple[str, int]:
    return _user_page(_load(User, user_id))


def _links_stopped(account: User) -> str:
    """Stop the progress links a person made once they leave or move school: a family
    link must not outlive the school's responsibility for it."""
    stopped = progress.revoke_links_of(session(), account.id, actor_for(me()), now())
    if not stopped:
        return ""
    # The school decides whether a family still needs a link, so its lead hears of it.
    tell_leads_links_stopped(session(), stopped, now())
    return (f" {plural(len(stopped), 'family progress link')} they made stopped working."
            " The school's safeguarding lead has been told.")


def _leads_to_hand_over(account: User) -> str:
    """Children the person led for and may no longer: their schools are asked to hand
    over (routing.leads), and the coordinator is told how many."""
    affected = tell_schools_lead_unavailable(session(), account, now())
    if not affected:
        return ""
    children = "1 child" if affected == 1 else f"{affected} children"
    return (f" They were lead practitioner for {children}:"
            " each school's safeguarding lead has been asked to hand over.")


@bp.route("/users/<id:user_id>/deactivate", methods=["POST"])
@coordinator_only
def deactivate_user(user_id: int) -> Response | tuple[str, int]:
    account = _load(User, user_id)
    try:
        accounts.deactivate_user(account, me())
    except InvalidInput as error:
        return _user_page(account, error=refuse(error).get("user", ""))
    flash(f"{account.name} can no longer sign in, and has been signed out."
          + _links_stopped(account) + _leads_to_hand_over(account), "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<id:user_id>/reactivate", methods=["POST"])
@coordinator_only
def reactivate_user(user_id: int) -> Response:
    account = _load(User, user_id)
    accounts.reactivate_user(account)
    flash(f"{account.name} can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@coordinator_only
def reset_password(user_id: int) -> Response | tuple[str, int]:
    account = _load(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(account, form.password.data or "", me())
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            if account.id == me().id:
                login_user(account)  # their old cookie has just stopped working
            flash(f"Password reset for {account.name}. They have been signed out "
                  "everywhere.", "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return _user_page(account, form=form)


@bp.route("/users/<id:user_id>/dpo", methods=["POST"])
@coordinator_only
def set_dpo(user_id: int) -> Response:
    account = _load(User, user_id)
    make = request.form.get("dpo") == "1"
    accounts.set_dpo(account, make)
    if account.id == me().id:
        login_user(account)  # their old cookie has just stopped working
    flash(f"{account.name} is {'now' if make else 'no longer'} the data protection officer.",
          "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<id:user_id>/second-factor/remove", methods=["POST"])
@coordinator_only
def remove_second_factor(user_id: int) -> Response:
    account = _load(User, user_id)
    accounts.remove_second_factor(account)
    if account.id == me().id:
        login_user(account)
    flash(f"{account.name}'s authenticator and recovery codes no longer work. They have been "
          "signed out" + (" and will set up a new one when they next sign in."
                          if account.two_factor_required else "."), "success")
    return redirect(url_for("admin.user", user_id=account.id))


# --- Taxonomy ---------------------------------------------------------------


@bp.route("/needs")
@coordinator_only
def needs() -> str:
    tree = taxonomy_ops.needs_tree(session(), include_inactive=True)
    return render_template("admin/needs.html", tree=tree)


@bp.route("/needs/new", methods=["GET", "POST"])
@coordinator_only
def new_need() -> Response | str:
    form = NewNeedForm()
    form.parent_code.choices = [("", "None: a top-level need")] + [
        (need.code, f"{need.name} ({need.code})")
        for need in taxonomy_ops.needs_tree(session(), include_inactive=True)
    ]
    if request.method == "GET":
        form.parent_code.data = request.args.get("parent", "")
    if form.validate_on_submit():
        try:
            need = taxonomy_ops.add_need(
                session(),
                parent_code=form.parent_code.data or None,
                suffix=form.suffix.data or "",
                name=form.name.data or "",
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            flash(f"{need.name} ({need.code}) added.", "success")
            return redirect(url_for("admin.needs"))
    return render_template("admin/need_new.html", form=form)


@bp.route("/needs/<code>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_need(code: str) -> Response | str:
    need = _load(Need, code)
    form = NeedForm(obj=need if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            taxonomy_ops.update_need(
                session(),
                need,
                name=form.name.data or "",
                description=form.description.data or "",
                active=bool(form.active.data),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            flash(f"{need.name} ({need.code}) saved.", "success")
            return redirect(url_for("admin.needs"))
    return render_template("admin/need_edit.html", form=form, need=need)
