"""Your drafts (resume, delete) and starting a draft from search results."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.referrals.access import actor_for, load_draft, school_ids_for
from hub.referrals.common import bp
from hub.settings import current_settings, now
from hub.unit_of_work import session
from routing.referrals import drafts as draft_ops
from routing.referrals.answers import CHECK, STEPS
from services.accounts.models import SCHOOL_ROLES
from services.errors import InvalidInput


@bp.route("/drafts")
@roles_required(*SCHOOL_ROLES)
def drafts() -> str:
    keep_days = current_settings().retention_draft_days
    return render_template(
        "referrals/drafts.html", keep_days=keep_days,
        drafts=draft_ops.drafts_of(session(), me().id, now(), keep_days), check=CHECK,
        total_steps=len(STEPS))


@bp.route("/drafts/<id:request_id>/delete", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def delete_draft(request_id: int) -> Response | str:
    draft = load_draft(request_id)
    if draft.referrer_id != me().id:
        abort(403)  # a colleague's draft is theirs to delete
    if request.method == "POST":
        try:
            draft_ops.delete_draft(session(), draft, actor_for(me()), now())
        except InvalidInput:
            abort(409)
        return redirect(url_for("referrals.drafts", deleted=1))
    return render_template("referrals/delete_draft.html", draft=draft,
                           child_name=draft.form.child.name)


@bp.route("/from-search", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def from_search() -> Response | tuple[str, int]:
    """"Refer" on search results: a draft with what the search knew (POST only, so the
    postcode and age stay out of URLs; its start key makes a double click one draft)."""
    schools = school_ids_for(me())
    if not schools:
        abort(403)
    form = request.form
    key = form.get("start_key", "")
    if not 16 <= len(key) <= 64:
        abort(400)
    choices = draft_ops.SearchChoices(
        postcode=form.get("postcode", ""), age=form.get("age", ""),
        school_id=form.get("school_id", ""), need_codes=form.getlist("needs"),
        severity=form.get("severity", ""), urgent=form.get("urgency") == "urgent",
        chosen=form.getlist("chosen"),
    )
    try:
        draft = draft_ops.start_from_search(session(), key, me().id, schools[0], choices, now())
    except InvalidInput as error:
        return render_template("referrals/from_search_refused.html",
                               errors=error.errors), 400
    return redirect(url_for("referrals.step", request_id=draft.id, step="child"))
