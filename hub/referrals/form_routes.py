"""The referral form: steps saved as a draft, the safeguarding stop, check and send."""

from __future__ import annotations

import secrets

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.caches import online_geocoder, snapshot_cache
from hub.date_input import precise, read_date
from hub.form_errors import refuse
from hub.referrals.access import (
    actor_for,
    load_draft,
    school_ids_for,
)
from hub.referrals.common import (
    bp,
)
from hub.referrals.family_routes import family_form_context
from hub.search.forms import SEVERITY_CHOICES
from hub.settings import now
from hub.unit_of_work import discard, session
from routing.engine.help import SEVERITIES
from routing.referrals import operations as ops
from routing.referrals.answers import (
    CHECK,
    CHOOSABLE_SECTIONS,
    STEPS,
    Section,
    next_step,
    position_of,
    previous_step,
    step_titles,
)
from routing.referrals.children import ChildDetails, ConfirmMatch
from routing.referrals.family_contact import how_to_reach
from routing.referrals.matching import RoutedChild, route_for_child
from routing.referrals.models import (
    ReferralRequest,
    RequestStatus,
    RiskLevel,
)
from routing.referrals.subjects import SUBJECT_LABELS, Subject
from routing.safeguarding import operations as safeguarding
from services.accounts.models import SCHOOL_ROLES
from services.bounds import parse_id
from services.errors import InvalidInput
from services.lengths import form_limits
from services.listings import Service
from services.schools import School

# --- The referral form -------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def new() -> Response | str:
    schools = school_ids_for(me())
    if not schools:
        abort(403)
    if request.method == "POST":
        key = request.form.get("start_key", "")
        if not 16 <= len(key) <= 64:  # the column's length: a longer key is no page's
            abort(400)
        draft = ops.start_request(session(), key, me().id, schools[0], now())
        return redirect(url_for("referrals.step", request_id=draft.id, step="child"))
    return render_template("referrals/new.html", start_key=secrets.token_urlsafe(24))


def _subject() -> str:
    """Whom the referral is about (the form checks "a child" first, so none sent is a
    child). Raises InvalidInput for an unknown answer."""
    value = request.form.get("subject") or Subject.CHILD.value
    if value not in {s.value for s in Subject}:
        raise InvalidInput({"subject": "Choose who the referral is about"})
    return value


def _parse_year(text: str) -> int | None:
    """An approximate year of birth: None when blank. Raises InvalidInput for anything
    but a four-digit year."""
    text = text.strip()
    if not text:
        return None
    if not (len(text) == 4 and text.isdigit()):
        raise InvalidInput({"birth_year": "Enter the year of birth as 4 digits, like 2016, "
                                          "or leave it blank"})
    return int(text)


@bp.route("/drafts/<id:request_id>/<step>", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def step(request_id: int, step: str) -> Response | str | tuple[str, int]:
    draft = load_draft(request_id)
    if step not in STEPS:
        abort(404)
    if draft.status is RequestStatus.SAFEGUARDING_STOP:
        return redirect(url_for("referrals.stopped", request_id=draft.id))
    if draft.status is RequestStatus.SENT:
        return redirect(url_for("referrals.sent", request_id=draft.id))
    errors: dict[str, str] = {}
    match = None
    form = request.form
    # Reached from "Change" on check your answers: saving goes back there.
    changing = request.args.get("change") == "1"
    born = read_date(form, "dob", "Date of birth")
    due = read_date(form, "edd", "Expected date of delivery")
    if request.method == "POST":
        try:
            if step == "child":
                same = form.get("same_child")
                try:
                    ops.save_child(
                        session(),
                        draft,
                        ChildDetails(
                            first_name=form.get("first_name", ""),
                            last_name=form.get("last_name", ""),
                            date_of_birth=born.value,
                            home_postcode=form.get("home_postcode", ""),
                            upn=form.get("upn", ""),
                            nhs_number=form.get("nhs_number", ""),
                            attendance_concern=form.get("attendance_concern") == "yes",
                            missing_education=form.get("missing_education") == "yes",
                            subject=_subject(),
                            expected_date=due.value,
                            dob_not_known=form.get("dob_not_known") == "yes",
                            birth_year=_parse_year(form.get("birth_year", "")),
                            postcode_not_known=form.get("postcode_not_known") == "yes",
                        ),
                        None if same is None else same == "yes",
                        now(),
                        online_geocoder(),
                    )
                except InvalidInput as refused:
                    # The precise message ("must be a real date"), not "Enter the date".
                    precise(refused.errors, {"date_of_birth": born, "expected_date": due})
                    raise
            elif step == "safeguarding":
                answer = form.get("significant_harm")
                if answer not in ("yes", "no"):
                    raise InvalidInput({"significant_harm": "Answer yes or no"})
                if answer == "yes":
                    ops.stop_for_safeguarding(session(), draft, actor_for(me()), now())
                    return redirect(url_for("referrals.stopped", request_id=draft.id))
                ops.clear_safeguarding(draft, now(), actor_for(me()), form.get("notes", ""))
            elif step == "providers":
                codes = draft.form.needs.codes
                choices = {code: parse_id(form.get(f"need-{code}")) for code in codes}
                ops.choose_providers(session(), draft, choices, now())
            elif step == "sharing":
                ops.choose_sharing(session(), draft, {
                    sid: form.getlist(f"share-{sid}")
                    for sid in set(draft.form.providers.chosen.values())}, now())
            else:
                data = {key: form.get(key) for key in form}
                for many in ("needs", "urgent", "ways"):
                    data[many] = form.getlist(many)  # type: ignore[assignment]
                ops.save_step(session(), draft, step, data, now())
        except ConfirmMatch as confirm:
            discard()
            match = confirm.match
            draft = load_draft(request_id)
        except InvalidInput as error:
            errors = refuse(error)
            draft = load_draft(request_id)
        else:
            if step == "family" and form.get("more") == "yes":  # another person's places
                return redirect(url_for("referrals.step", request_id=draft.id, step=step))
            after = CHECK if changing else next_step(step)
            return redirect(url_for("referrals.check", request_id=draft.id) if after == CHECK
                            else url_for("referrals.step", request_id=draft.id, step=after))
    context: dict[str, object] = {}
    if step == "sharing":
        context["chosen_services"] = _chosen_services(draft)
        context["choosable"] = CHOOSABLE_SECTIONS
        context["contact_section"] = Section.CONTACT
    routed = RoutedChild.of_draft(draft)
    if step == "providers" and routed is not None:
        needs = draft.form.needs.priorities
        context["result"] = route_for_child(
            session(), snapshot_cache().get(session()).index(), routed, needs, now(),
            draft.form.needs.severity,
        )
        # Not filtered by age: each service's ages are shown instead.
        context["age_not_known"] = routed.ages(now().date()) is None
    # Whom the referral is about: as just typed when the step is shown again with its
    # errors, else as saved (a child until the first step says otherwise).
    subject = Subject.of(form.get("subject") if form.get("subject") else
                         draft.form.child.subject)
    before = previous_step(step)
    back = (url_for("referrals.check", request_id=draft.id) if changing
            else url_for("referrals.step", request_id=draft.id, step=before) if before
            else url_for("referrals.drafts"))
    page = render_template(
        "referrals/step.html", draft=draft, step=step, title=step_titles(subject)[step],
        hint=subject.step_hint if step == "child" else "",
        position=position_of(step), back=back, changing=changing,
        dob_wrong=born.wrong if errors.get("date_of_birth") else frozenset(),
        edd_wrong=due.wrong if errors.get("expected_date") else frozenset(),
        limits=form_limits(),
        answers=draft.form, errors=errors, form=form, match=match,
        risk_levels=list(RiskLevel), risk_kinds=ops.RISK_KINDS,
        risk_kind_labels=ops.RISK_KIND_LABELS,
        lawful_bases=ops.LAWFUL_BASES, contact_ways=ops.CONTACT_WAYS,
        open_items=safeguarding.open_items_for_draft(session(), draft),
        severity_choices=SEVERITY_CHOICES, subject_labels=SUBJECT_LABELS, **family_form_context(),
        **context,
    )
    # A refused answer is a bad request, shown with its reasons and what was typed.
    return (page, 400) if errors else page


@bp.route("/drafts/<id:request_id>/stopped")
@roles_required(*SCHOOL_ROLES)
def stopped(request_id: int) -> str:
    draft = load_draft(request_id)
    if draft.status is not RequestStatus.SAFEGUARDING_STOP:
        abort(404)
    return render_template("referrals/stopped.html", draft=draft,
                           item=safeguarding.item_for_draft(session(), draft))


@bp.route("/drafts/<id:request_id>/check", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def check(request_id: int) -> Response | str | tuple[str, int]:
    draft = load_draft(request_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            ops.refer_family(
                session(), draft, request.form.get("send_key", ""), actor_for(me()), now(),
                declared=request.form.get("declaration") == "yes",
            )
        except InvalidInput as error:
            errors = refuse(error)
            draft = load_draft(request_id)
        else:
            return redirect(url_for("referrals.sent", request_id=draft.id))
    if draft.status is RequestStatus.SENT:
        return redirect(url_for("referrals.sent", request_id=draft.id))
    services = {s.id: s for s in _chosen_services(draft)}
    return render_template(
        "referrals/check.html", draft=draft, answers=draft.form, errors=errors,
        services=services, sections=list(Section), missing=ops.missing_steps(draft),
        lawful_bases=ops.LAWFUL_BASES,
        contact_ways=ops.CONTACT_WAYS, titles=step_titles(Subject.of(draft.form.child.subject)),
        severity_labels=SEVERITIES,
        reach=how_to_reach(session(), draft),
        risk_kinds=ops.RISK_KIND_LABELS,
        risk_levels={level.value: level.value.capitalize() for level in RiskLevel},
        declaration=ops.DECLARATION, back=url_for("referrals.step", request_id=draft.id,
                                                  step=STEPS[-1]),
        carried_school=(session().get(School, draft.form.carried.school_id)
                        if draft.form.carried.school_id else None),
    ), 400 if errors else 200


def _chosen_services(draft: ReferralRequest) -> list[Service]:
    """The services chosen on the form, by name."""
    chosen = {int(v) for v in draft.form.providers.chosen.values()}
    return list(session().execute(
        select(Service).where(Service.id.in_(chosen)).order_by(Service.name, Service.id)
    ).scalars())


@bp.route("/drafts/<id:request_id>/sent")
@roles_required(*SCHOOL_ROLES)
def sent(request_id: int) -> str:
    draft = load_draft(request_id)
    return render_template("referrals/sent.html", draft=draft)
