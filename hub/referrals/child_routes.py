"""A child's timeline, and the family's progress link issued and revoked from it."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.form_errors import refuse
from hub.links import absolute_url
from hub.missing_education.access import visible_cases
from hub.notifications.delivery import notify_settings
from hub.referrals.access import (
    actor_for,
    load_child,
    reader_for,
    school_ids_for,
    visible_referrals,
)
from hub.referrals.common import (
    bp,
)
from hub.referrals.family_routes import family_section, may_see_family
from hub.referrals.identity_routes import identity_context, redirect_from_merged
from hub.safeguarding.access import visible_items
from hub.settings import current_settings, now
from hub.templating import govuk_date
from hub.unit_of_work import session
from routing.engine.reasons import plural
from routing.referrals import progress
from routing.referrals.answers import Section
from routing.referrals.earlier import earlier_referrals
from routing.referrals.link_delivery import (
    TYPED,
    KnownContact,
    LinkRecipient,
    known_contacts,
    send_link,
)
from routing.referrals.models import (
    Child,
    ProgressLink,
    Referral,
    ReferralEvent,
)
from routing.referrals.sharing import may_read
from routing.safeguarding.cme import child_actions
from routing.safeguarding.queue import child_events
from services.accounts.models import SCHOOL_ROLES, Role
from services.errors import InvalidInput

# --- Children and progress links ---------------------------------------------------


@bp.route("/children/<id:child_id>")
@roles_required(*Role)
def child(child_id: int, errors: dict[str, str] | None = None,
          typed: dict[str, str] | None = None) -> str | Response:
    record = load_child(child_id)
    if record.merged_at is not None:
        return redirect_from_merged(record)
    user = me()
    own_schools = school_ids_for(user)
    referrals = list(
        session().execute(
            select(Referral)
            .where(Referral.child_id == record.id, visible_referrals(user))
            .order_by(Referral.id)
        ).scalars()
    )
    events = list(
        session().execute(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id.in_([r.id for r in referrals]))
            .order_by(ReferralEvent.at, ReferralEvent.id)
        ).scalars()
    )
    links = progress.active_links(session(), record.id)
    mine = [active for active in links if active.link.referrer_id == user.id]
    from routing.referrals.audit import AuditEvent

    family_views = list(
        session().execute(
            select(AuditEvent)
            .where(AuditEvent.child_id == record.id,
                   AuditEvent.action == "family_viewed_progress")
            .order_by(AuditEvent.at.desc())
            .limit(20)
        ).scalars()
    )
    own_school = [r for r in referrals if user.role.is_school and r.school_id in
                  school_ids_for(user)]
    # Need-to-know: a provider sees the child's attendance and missing-education markers
    # only where a referral of theirs shares the safeguarding notes.
    show_markers = user.role is Role.COORDINATOR or record.school_id in own_schools or any(
        may_read(r, reader_for(user, r), Section.SAFEGUARDING) for r in referrals)
    return render_template(
        "referrals/child.html", child=record, referrals=referrals, events=events,
        show_markers=show_markers, typed=typed or {},
        earlier=earlier_referrals(session(), record.id, own_schools, now()),
        request_key=secrets.token_urlsafe(24),
        safeguarding_events=child_events(session(), record.id, visible_items(user)),
        cme_actions=child_actions(session(), record.id, visible_cases(user)),
        links=mine, revocable=[a for a in links if _may_revoke(record, a)],
        family_views=family_views, linkable=own_school, issue_key=secrets.token_urlsafe(24),
        errors=errors or {}, **identity_context(record), **family_section(record),
    )


def _may_revoke(child: Child, active: progress.ActiveLink) -> bool:
    """The coordinator, and any staff (the DSL included) at the child's school or at the
    school whose staff member made the link."""
    user = me()
    if user.role is Role.COORDINATOR:
        return True
    return user.role.is_school and (
        active.made_by_organisation_id == user.organisation_id
        or child.school_id in school_ids_for(user)
    )


@bp.route("/children/<id:child_id>/progress-link", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def issue_progress_link(child_id: int) -> str | Response | tuple[str | Response, int]:
    record = load_child(child_id)
    user = me()
    chosen = {int(v) for v in request.form.getlist("referrals") if v.isdecimal() and len(v) < 10}
    referrals = [r for r in session().execute(
        select(Referral).where(Referral.child_id == record.id, Referral.id.in_(chosen),
                               Referral.school_id.in_(school_ids_for(user)))
    ).scalars()]
    try:
        link, token = progress.issue_link(
            session(), record.id, actor_for(user), referrals,
            request.form.get("issue_key", ""), now())
    except InvalidInput as error:
        refuse(error)
        return child(child_id, error.errors), 400
    # Shown once: only the hash is kept, so it cannot be shown again.
    return _link_page(record, link, token)


def _contacts(record: Child) -> list[KnownContact]:
    """The family record's contacts the user may see (staff at the child's school), to
    offer on the send form instead of retyping them."""
    return known_contacts(session(), record.id) if may_see_family(me(), record) else []


def _link_page(record: Child, link: ProgressLink, token: str | None,
               errors: dict[str, str] | None = None) -> str:
    return render_template(
        "referrals/link.html", child=record, link=link, token=token,
        contacts=_contacts(record) if token else [], typed_choice=TYPED,
        url=absolute_url("progress.show", token=token) if token else None,
        errors=errors or {}, typed=request.form if errors else {},
        # Kept through a refused submit, so the corrected one still sends only once.
        send_key=request.form.get("send_key") if errors else secrets.token_urlsafe(24),
    )


@bp.route("/children/<id:child_id>/progress-link/<id:link_id>/send", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def send_progress_link(child_id: int, link_id: int) -> Response | tuple[str, int]:
    record = load_child(child_id)
    link = session().get(ProgressLink, link_id)
    # Only who made the link holds its token: nobody else may send it.
    if link is None or link.child_id != record.id or link.referrer_id != me().id:
        abort(404)
    token = request.form.get("token", "")[:100]
    send_key = request.form.get("send_key", "")
    if not 16 <= len(send_key) <= 64:
        abort(400)
    recipient = LinkRecipient(
        channel=request.form.get("channel", ""), email=request.form.get("email", "")[:254],
        mobile=request.form.get("mobile", "")[:40], agreed=request.form.get("agreed") == "yes",
        contact=request.form.get("contact", "")[:40])
    school_name = link.referrals[0].school.name if link.referrals else record.school.name
    try:
        how = send_link(session(), link, token, recipient, school_name, actor_for(me()), now(),
                        send_key, _contacts(record))
    except InvalidInput as error:
        errors = refuse(error)
        # The link is shown again only to whoever proves they hold it.
        held = secrets.compare_digest(progress.hash_token(token), link.token_hash)
        return _link_page(record, link, token if held else None, errors), 400
    if notify_settings(current_settings()) is None:
        flash(f"The {how} to the parent or carer is not sent: GOV.UK Notify is not set up, "
              "so it waits in the hub coordinator's messages. Give the family the link "
              "another way.", "info")
    else:
        flash(f"The progress link is on its way to the parent or carer by {how}. "
              "The message names the school, never the child.", "success")
    return redirect(url_for("referrals.child", child_id=record.id))


@bp.route("/children/<id:child_id>/progress-link/revoke", methods=["POST"])
@roles_required(Role.COORDINATOR, *SCHOOL_ROLES)
def revoke_progress_link(child_id: int) -> Response:
    record = load_child(child_id)
    allowed = [a for a in progress.active_links(session(), record.id) if _may_revoke(record, a)]
    stopped = progress.revoke_links(session(), allowed, actor_for(me()), now())
    if stopped:
        made = "; ".join(f"made by {a.made_by} on {govuk_date(a.link.created_at)}"
                         for a in stopped)
        flash(f"{plural(len(stopped), 'progress link')} stopped working ({made}).", "success")
    else:
        flash("No progress link was working for this child, so nothing changed.", "info")
    return redirect(url_for("referrals.child", child_id=record.id))
