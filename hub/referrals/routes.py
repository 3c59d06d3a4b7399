"""Referral pages. Views parse, load through hub.referrals.access, call one
operation, turn domain errors into messages, and commit once."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date
from typing import cast

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.auth.models import Role
from hub.directory_index import index_cache
from hub.extensions import db
from hub.notifications.delivery import deliver_pending
from hub.referrals.access import (
    Act,
    actor_for,
    load_child,
    load_draft,
    load_referral,
    school_ids_for,
    visible_referrals,
)
from hub.referrals.clock import now
from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.children import ChildDetails
from routing.referrals.lifecycle import TransitionRefused
from routing.referrals.matching import next_options, route_for_child
from routing.referrals.models import (
    DeclineReason,
    Outcome,
    ProgressLink,
    Referral,
    ReferralEvent,
    RequestStatus,
    RiskLevel,
    Status,
)
from routing.referrals.stuck import stuck_report
from services.errors import InvalidInput
from services.taxonomy_ops import need_choices

# The request's session, typed as a plain Session (a scoped proxy underneath).
session = cast(Session, db.session)

bp = Blueprint("referrals", __name__, url_prefix="/referrals", cli_group="referrals")

SCHOOL_ROLES = (Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD)
PROVIDER_ROLES = (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER)
ALL_ROLES = (*SCHOOL_ROLES, *PROVIDER_ROLES, Role.COORDINATOR)
STEP_TITLES = {
    "child": "About the child",
    "needs": "Needs and what the family wants",
    "profile": "Pupil profile",
    "risk": "Risk assessment",
    "safeguarding": "Safeguarding",
    "consent": "Sharing information",
    "contact": "Contacting the family",
    "providers": "Choose services",
}


def _stuck_days() -> int:
    return int(current_app.config.get("REFERRAL_STUCK_WORKING_DAYS", 5))


def _deliver() -> None:
    """Send queued messages through Notify when configured (after the commit)."""
    if deliver_pending(session, request.host_url):
        session.commit()


# --- Lists -------------------------------------------------------------------------


def _list(title: str, query_filter: object) -> str:
    user = me()
    status = request.args.get("status", "")
    rows = list(
        session.execute(
            select(Referral)
            .where(visible_referrals(user), query_filter)  # type: ignore[arg-type]
            .options(selectinload(Referral.service), selectinload(Referral.organisation))
            .order_by(Referral.updated_at.desc())
        ).scalars()
    )
    counts = Counter(r.status for r in rows)
    shown = [r for r in rows if not status or r.status.value == status]
    return render_template(
        "referrals/list.html", title=title, referrals=shown, counts=counts,
        statuses=list(Status), status=status,
    )


@bp.route("")
@roles_required(*ALL_ROLES)
def dashboard() -> Response | str:
    """Referrer dashboard (schools) and everything (coordinators)."""
    if me().role.is_provider:
        return redirect(url_for("referrals.inbox"))
    return _list("Referrals", Referral.id.isnot(None))


@bp.route("/inbox")
@roles_required(*PROVIDER_ROLES)
def inbox() -> str:
    return _list("Referral inbox", Referral.status != Status.DRAFT)


# --- The referral form -------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def new() -> Response | str:
    schools = school_ids_for(me())
    if not schools:
        abort(403)
    if request.method == "POST":
        key = request.form.get("start_key", "")
        if len(key) < 16:
            abort(400)
        draft = ops.start_request(session, key, me().id, schools[0], now())
        session.commit()
        return redirect(url_for("referrals.step", request_id=draft.id, step="child"))
    return render_template("referrals/new.html", start_key=secrets.token_urlsafe(24))


def _next_step(step: str) -> str:
    index = ops.STEPS.index(step)
    return ops.STEPS[index + 1] if index + 1 < len(ops.STEPS) else "check"


def _parse_date(prefix: str) -> date | None:
    try:
        return date(
            int(request.form.get(f"{prefix}-year", "")),
            int(request.form.get(f"{prefix}-month", "")),
            int(request.form.get(f"{prefix}-day", "")),
        )
    except ValueError:
        return None


@bp.route("/drafts/<int:request_id>/<step>", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def step(request_id: int, step: str) -> Response | str:
    draft = load_draft(request_id)
    if step not in ops.STEPS:
        abort(404)
    if draft.status is RequestStatus.SAFEGUARDING_STOP:
        return redirect(url_for("referrals.stopped", request_id=draft.id))
    if draft.status is RequestStatus.SENT:
        return redirect(url_for("referrals.sent", request_id=draft.id))
    errors: dict[str, str] = {}
    match = None
    form = request.form
    if request.method == "POST":
        try:
            if step == "child":
                same = form.get("same_child")
                ops.save_child(
                    session,
                    draft,
                    ChildDetails(
                        first_name=form.get("first_name", ""),
                        last_name=form.get("last_name", ""),
                        date_of_birth=_parse_date("dob"),
                        home_postcode=form.get("home_postcode", ""),
                        upn=form.get("upn", ""),
                        nhs_number=form.get("nhs_number", ""),
                        attendance_concern=form.get("attendance_concern") == "yes",
                        missing_education=form.get("missing_education") == "yes",
                    ),
                    None if same is None else same == "yes",
                    now().date(),
                )
            elif step == "safeguarding":
                answer = form.get("significant_harm")
                if answer not in ("yes", "no"):
                    raise InvalidInput({"significant_harm": "Answer yes or no"})
                if answer == "yes":
                    ops.stop_for_safeguarding(session, draft, actor_for(me()), now())
                    session.commit()
                    return redirect(url_for("referrals.stopped", request_id=draft.id))
                ops.clear_safeguarding(draft, now())
            elif step == "providers":
                codes = [n["code"] for n in draft.answers.get("needs", {}).get("needs", [])]
                choices = {
                    code: int(form[f"need-{code}"]) if form.get(f"need-{code}", "").isdigit()
                    else None
                    for code in codes
                }
                ops.choose_providers(session, draft, choices, now())
            else:
                data = {key: form.get(key) for key in form}
                for many in ("needs", "urgent", "ways"):
                    data[many] = form.getlist(many)  # type: ignore[assignment]
                ops.save_step(session, draft, step, data, now())
        except ops.ConfirmMatch as confirm:
            session.rollback()
            match = confirm.match
            draft = load_draft(request_id)
        except InvalidInput as error:
            session.rollback()
            errors = error.errors
            draft = load_draft(request_id)
        else:
            session.commit()
            return redirect(url_for("referrals.step", request_id=draft.id, step=_next_step(step))
                            if step != "providers" else
                            url_for("referrals.check", request_id=draft.id))
    context: dict[str, object] = {}
    if step == "needs":
        context["need_choices"] = need_choices(session)
    if step == "providers" and draft.child is not None:
        asked = draft.answers.get("needs", {}).get("needs", [])
        needs = [(n["code"], n["priority"]) for n in asked]
        context["result"] = route_for_child(
            session, index_cache().get(session), draft.child, needs, now()
        )
    session.commit()  # the audit of this read
    return render_template(
        "referrals/step.html", draft=draft, step=step, title=STEP_TITLES[step],
        answers=draft.answers or {}, errors=errors, form=form, match=match,
        risk_levels=list(RiskLevel), risk_kinds=ops.RISK_KINDS,
        lawful_bases=ops.LAWFUL_BASES, contact_ways=ops.CONTACT_WAYS, **context,
    )


@bp.route("/drafts/<int:request_id>/stopped")
@roles_required(*SCHOOL_ROLES)
def stopped(request_id: int) -> str:
    draft = load_draft(request_id)
    if draft.status is not RequestStatus.SAFEGUARDING_STOP:
        abort(404)
    session.commit()
    return render_template("referrals/stopped.html", draft=draft)


@bp.route("/drafts/<int:request_id>/check", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def check(request_id: int) -> Response | str:
    draft = load_draft(request_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            ops.refer_family(
                session, draft, request.form.get("send_key", ""), actor_for(me()), now()
            )
        except InvalidInput as error:
            session.rollback()
            errors = error.errors
            draft = load_draft(request_id)
        else:
            session.commit()
            _deliver()
            return redirect(url_for("referrals.sent", request_id=draft.id))
    if draft.status is RequestStatus.SENT:
        return redirect(url_for("referrals.sent", request_id=draft.id))
    from services.listings import Service

    chosen = draft.answers.get("providers", {})
    services = {
        s.id: s for s in session.execute(
            select(Service).where(Service.id.in_([int(v) for v in chosen.values()]))
        ).scalars()
    }
    session.commit()
    return render_template(
        "referrals/check.html", draft=draft, answers=draft.answers, errors=errors,
        services=services, missing=ops.missing_steps(draft), lawful_bases=ops.LAWFUL_BASES,
        contact_ways=ops.CONTACT_WAYS, titles=STEP_TITLES,
    )


@bp.route("/drafts/<int:request_id>/sent")
@roles_required(*SCHOOL_ROLES)
def sent(request_id: int) -> str:
    draft = load_draft(request_id)
    session.commit()
    return render_template("referrals/sent.html", draft=draft)


# --- One referral ------------------------------------------------------------------


@bp.route("/<int:referral_id>")
@roles_required(*ALL_ROLES)
def show(referral_id: int) -> str:
    referral = load_referral(referral_id)
    user = me()
    provider = user.role.is_provider and referral.organisation_id == user.organisation_id
    if provider and referral.status is Status.SENT:
        # Reading it is opening it: the referrer sees that it has been read.
        ops.open_referral(session, referral, actor_for(user), now())
    referrer = user.role.is_school and referral.school_id in school_ids_for(user)
    options = []
    if referrer and referral.status is Status.DECLINED:
        onward = session.execute(
            select(Referral).where(Referral.rerouted_from_id == referral.id)
        ).scalar_one_or_none()
        if onward is None:
            options = next_options(session, index_cache().get(session), referral, now())
    onward_referral = session.execute(
        select(Referral).where(Referral.rerouted_from_id == referral.id)
    ).scalar_one_or_none()
    session.commit()
    return render_template(
        "referrals/show.html", referral=referral, provider=provider, referrer=referrer,
        options=options, onward=onward_referral, answers=(referral.request.answers
                                                          if referral.request else {}),
        decline_reasons=list(DeclineReason), outcomes=list(Outcome),
        lawful_bases=ops.LAWFUL_BASES, contact_ways=ops.CONTACT_WAYS,
        position=(ops.capacity.waitlist_position(session, referral)
                  if referral.status is Status.WAITLISTED else None),
    )


PROVIDER_ACTIONS = {"accept", "waitlist", "decline", "ask", "first-contact", "close"}
REFERRER_ACTIONS = {"withdraw", "answer", "reroute"}


@bp.route("/<int:referral_id>/<action>", methods=["POST"])
@roles_required(*SCHOOL_ROLES, *PROVIDER_ROLES)
def act(referral_id: int, action: str) -> Response:
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
        session.rollback()
        text = "; ".join(error.errors.values()) if isinstance(error, InvalidInput) else str(error)
        flash(text, "error")
        return redirect(url_for("referrals.show", referral_id=referral_id))
    session.commit()
    _deliver()
    flash(message, "success")
    return redirect(url_for("referrals.show", referral_id=target.id))


# --- Children and progress links ---------------------------------------------------


@bp.route("/children/<int:child_id>")
@roles_required(*ALL_ROLES)
def child(child_id: int) -> str:
    record = load_child(child_id)
    user = me()
    referrals = list(
        session.execute(
            select(Referral)
            .where(Referral.child_id == record.id, visible_referrals(user))
            .order_by(Referral.id)
        ).scalars()
    )
    events = list(
        session.execute(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id.in_([r.id for r in referrals]))
            .order_by(ReferralEvent.at, ReferralEvent.id)
        ).scalars()
    )
    links = []
    if user.role.is_school:
        links = list(
            session.execute(
                select(ProgressLink)
                .where(ProgressLink.child_id == record.id, ProgressLink.referrer_id == user.id)
                .order_by(ProgressLink.id.desc())
            ).scalars()
        )
    from routing.referrals.models import AuditEvent

    family_views = list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.child_id == record.id,
                   AuditEvent.action == "family_viewed_progress")
            .order_by(AuditEvent.at.desc())
            .limit(20)
        ).scalars()
    )
    session.commit()
    return render_template(
        "referrals/child.html", child=record, referrals=referrals, events=events, links=links,
        family_views=family_views, new_token=None, can_link=user.role.is_school and referrals,
    )


@bp.route("/children/<int:child_id>/progress-link", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def issue_progress_link(child_id: int) -> str:
    record = load_child(child_id)
    _, token = progress.issue_link(session, record.id, actor_for(me()), now())
    session.commit()
    # Shown once: only the hash is kept, so it cannot be shown again.
    return render_template(
        "referrals/link.html", child=record,
        url=url_for("progress.show", token=token, _external=True),
    )


@bp.route("/children/<int:child_id>/progress-link/revoke", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def revoke_progress_link(child_id: int) -> Response:
    record = load_child(child_id)
    for link in session.execute(
        select(ProgressLink).where(
            ProgressLink.child_id == record.id, ProgressLink.referrer_id == me().id
        )
    ).scalars():
        progress.revoke_link(session, link, actor_for(me()), now())
    session.commit()
    flash("The family's progress link no longer works.", "success")
    return redirect(url_for("referrals.child", child_id=record.id))


# --- Falling through the cracks ----------------------------------------------------


@bp.route("/stuck")
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def stuck() -> str:
    user = me()
    report = stuck_report(session, now(), _stuck_days())
    if user.role is Role.SAFEGUARDING_LEAD:
        report = report.only_schools(set(school_ids_for(user)))
    ops.audit(session, actor_for(user), "stuck_report_viewed", now())
    session.commit()
    return render_template("referrals/stuck.html", report=report, days=_stuck_days())


@bp.cli.command("stuck")
@click.option("--days", type=int, default=None, help="Working days before 'not opened'.")
def stuck_command(days: int | None) -> None:
    """List referrals and children falling through the cracks (references only)."""
    report = stuck_report(session, now(), days or _stuck_days())
    for referral, waited in report.not_opened:
        click.echo(
            f"not-opened {referral.reference} {referral.service.name} ({waited} working days)"
        )
    for referral in report.declined_no_onward:
        click.echo(f"declined-no-onward {referral.reference} {referral.service.name}")
    for referral, waited, typical in report.long_waits:
        click.echo(
            f"long-wait {referral.reference} {referral.service.name} ({waited} > {typical} days)"
        )
    for child_id, referrals in report.unsupported_children:
        refs = ", ".join(r.reference for r in referrals)
        click.echo(f"no-support child {child_id}: {refs}")
    click.echo(f"{report.count} item{'s' if report.count != 1 else ''} need attention")
