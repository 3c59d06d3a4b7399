"""The children missing education register (hub-wide for the coordinator, per school for
its safeguarding lead), a case and its actions, and the attendance import. Views parse,
load through hub.missing_education.access, call one operation and show domain errors
beside the fields; the request hook (hub.unit_of_work) commits."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.date_input import optional_date
from hub.form_errors import refuse
from hub.missing_education.access import (
    ROLES,
    load_case,
    load_import,
    load_record,
    load_reportable_child,
    register_schools,
    reportable_children,
)
from hub.referrals.access import actor_for
from hub.safeguarding.access import Act, load_item
from hub.settings import current_settings, now
from hub.unit_of_work import session
from routing.referrals.audit import audit
from routing.safeguarding import attendance, cme_report
from routing.safeguarding import cme as ops
from routing.safeguarding.cme_models import CaseStatus, MissingEducationCase
from services.accounts.models import Role
from services.errors import InvalidInput
from services.schools import School

bp = Blueprint("missing_education", __name__, url_prefix="/missing-education")


def _working_days() -> int:
    return current_settings().cme_trace_working_days


@bp.route("")
@roles_required(*ROLES)
def register() -> str:
    user = me()
    schools = register_schools(user)
    shown = ops.register(session(), schools, now(), _working_days())
    audit(session(), actor_for(user), "cme_register_viewed", now())
    return render_template("missing_education/register.html", register=shown,
                           hub_wide=schools is None, working_days=_working_days(),
                           today=now().date())


def _case_page(case: MissingEducationCase, errors: dict[str, str] | None = None) -> str:
    form = request.form if errors else {}
    return render_template(
        "missing_education/case.html", case=case, today=now().date(), errors=errors or {},
        form=form, statuses=[(s.value, s.label) for s in CaseStatus if s is not case.status],
        action_key=form.get("action_key") or secrets.token_urlsafe(24),
    )


@bp.route("/cases/<id:case_id>")
@roles_required(*ROLES)
def case(case_id: int) -> str:
    return _case_page(load_case(case_id))


@bp.route("/cases/<id:case_id>/actions", methods=["POST"])
@roles_required(*ROLES)
def add_action(case_id: int) -> Response | tuple[str, int]:
    found = load_case(case_id)
    key = request.form.get("action_key", "")
    if not 16 <= len(key) <= 64:
        abort(400)
    done_on, unreadable = optional_date(request.form, "done_on")
    data = ops.ActionInput(
        note=request.form.get("note", ""), done_on=done_on,
        status=request.form.get("status", ""),
        destination_council=request.form.get("destination_council", ""),
        date_unreadable=unreadable)
    try:
        ops.record_action(session(), found, actor_for(me()), data, key, now())
    except InvalidInput as error:
        errors = refuse(error)
        return _case_page(load_case(case_id), errors), 400
    flash(f"Recorded on {found.reference}.", "success")
    return redirect(url_for("missing_education.case", case_id=found.id))


def _report_page(errors: dict[str, str] | None = None, searched: bool = False) -> str:
    """The "Report a child missing education" page: the search, the children it found
    (each read audited), and the report form with what was typed."""
    form = request.form
    text = form.get("find", "").strip()[:100]
    found = (cme_report.find_children(session(), text, reportable_children(me()))
             if text else [])
    for child in found:
        audit(session(), actor_for(me()), "child_viewed", now(), child.id)
    schools = session().execute(select(School.id, School.name).order_by(School.name)).all()
    return render_template(
        "missing_education/report.html", errors=errors or {}, form=form, find=text,
        found=found, searched=searched or bool(text), schools=schools,
        report_key=form.get("report_key") or secrets.token_urlsafe(24))


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 10 else None


@bp.route("/report", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def report() -> Response | tuple[str, int] | str:
    """The coordinator reports a child missing education: a known child found by UPN or
    name (posted, so nothing personal goes in the URL), or a child not yet known."""
    if request.method == "GET" or request.form.get("intent") == "find":
        return _report_page(searched=request.method == "POST")
    chosen = request.form.get("child_id", "")
    if not chosen:
        return _report_page({"child_id": "Choose the child, or that the child is not "
                                         "known to Family Hub"}), 400
    child = None
    if chosen != "new":
        child_id = _id(chosen)
        if child_id is None:
            abort(404)
        child = load_reportable_child(child_id)
    last_seen, unreadable = optional_date(request.form, "last_seen")
    born, born_unreadable = optional_date(request.form, "date_of_birth")
    data = cme_report.ChildReport(
        child=child, reason=request.form.get("reason", ""), last_seen=last_seen,
        last_seen_unreadable=unreadable, first_name=request.form.get("first_name", ""),
        last_name=request.form.get("last_name", ""), date_of_birth=born,
        date_of_birth_unreadable=born_unreadable, upn=request.form.get("upn", ""),
        school_id=_id(request.form.get("school_id", "")),
        last_known_address=request.form.get("last_known_address", ""))
    try:
        found, opened = cme_report.report_missing_child(
            session(), data, actor_for(me()), request.form.get("report_key", ""), now())
    except InvalidInput as error:
        return _report_page(refuse(error)), 400
    flash(f"Opened missing-education case {found.reference}." if opened else
          f"This child was already on the register: the report was added to case "
          f"{found.reference}.", "success")
    return redirect(url_for("missing_education.case", case_id=found.id))


@bp.route("/from-item/<id:item_id>", methods=["POST"])
@roles_required(*ROLES)
def from_item(item_id: int) -> Response:
    """Put the child a safeguarding item is about on the register (the lead of the item's
    school, or the coordinator)."""
    item = load_item(item_id, Act.DECIDE)
    found, opened = ops.open_case_from_item(session(), item, actor_for(me()), now())
    flash(f"{'Opened' if opened else 'Added to'} missing-education case {found.reference}.",
          "success")
    return redirect(url_for("missing_education.case", case_id=found.id))


@bp.route("/attendance", methods=["GET", "POST"])
@roles_required(*ROLES)
def attendance_page() -> Response | tuple[str, int] | str:
    user = me()
    schools = register_schools(user)
    errors: dict[str, str] = {}
    refused: list[attendance.RefusedRow] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = {"file": "Choose a CSV file to import"}
        else:
            try:
                result = attendance.import_attendance(
                    session(), upload.read(), upload.filename, actor_for(user), schools, now())
            except InvalidInput as error:
                errors = refuse(error)
            except attendance.ImportRefused as error:
                session().rollback()
                refused = error.rows
                errors = {"file": f"Nothing was imported: {len(refused)} "
                                  f"row{'s' if len(refused) != 1 else ''} refused "
                                  "(listed below). Correct them and upload the file again."}
            else:
                made = result.attendance_import
                if result.already:
                    flash(f"This file was already imported on "
                          f"{made.imported_at:%d %B %Y at %H:%M} by {made.imported_by_name}: "
                          "nothing was counted twice.", "info")
                else:
                    flash(f"Imported {made.rows} row{'s' if made.rows != 1 else ''}; "
                          f"{len(result.crossed)} pupil"
                          f"{'s' if len(result.crossed) != 1 else ''} crossed a threshold "
                          "since the last import.", "success")
                return redirect(url_for("missing_education.attendance_import",
                                        import_id=made.id))
    page = render_template(
        "missing_education/attendance.html", errors=errors, refused=refused,
        imports=attendance.visible_imports(session(), schools), columns=attendance.COLUMNS)
    return (page, 400) if errors else page


@bp.route("/attendance/<id:import_id>")
@roles_required(*ROLES)
def attendance_import(import_id: int) -> str:
    found = load_import(import_id)
    view = attendance.import_view(session(), found, register_schools(me()))
    return render_template("missing_education/import.html", attendance_import=found,
                           view=view, cases=ops.open_cases_by_upn(
                               session(), {r.upn for r in view.flagged}))


@bp.route("/from-attendance/<id:record_id>", methods=["POST"])
@roles_required(*ROLES)
def from_attendance(record_id: int) -> Response:
    """Put a pupil from an attendance import on the register (on roll, not attending)."""
    record = load_record(record_id)
    found, opened = ops.open_case_from_attendance(session(), record, actor_for(me()), now())
    flash(f"{'Opened' if opened else 'Added to'} missing-education case {found.reference}.",
          "success")
    return redirect(url_for("missing_education.case", case_id=found.id))
