"""A child's timeline, and the family's progress link issued and revoked from it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.referrals.access import (
    actor_for,
    load_child,
    visible_referrals,
)
from hub.referrals.common import (
    bp,
)
from hub.settings import now
from hub.unit_of_work import session
from routing.referrals import progress
from routing.referrals.models import (
    ProgressLink,
    Referral,
    ReferralEvent,
)
from services.accounts.models import SCHOOL_ROLES, Role

# --- Children and progress links ---------------------------------------------------


@bp.route("/children/<int:child_id>")
@roles_required(*Role)
def child(child_id: int) -> str:
    record = load_child(child_id)
    user = me()
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
    links = []
    if user.role.is_school:
        links = list(
            session().execute(
                select(ProgressLink)
                .where(ProgressLink.child_id == record.id, ProgressLink.referrer_id == user.id)
                .order_by(ProgressLink.id.desc())
            ).scalars()
        )
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
    return render_template(
        "referrals/child.html", child=record, referrals=referrals, events=events, links=links,
        family_views=family_views, new_token=None, can_link=user.role.is_school and referrals,
    )


@bp.route("/children/<int:child_id>/progress-link", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def issue_progress_link(child_id: int) -> str:
    record = load_child(child_id)
    _, token = progress.issue_link(session(), record.id, actor_for(me()), now())
    # Shown once: only the hash is kept, so it cannot be shown again.
    return render_template(
        "referrals/link.html", child=record,
        url=url_for("progress.show", token=token, _external=True),
    )


@bp.route("/children/<int:child_id>/progress-link/revoke", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def revoke_progress_link(child_id: int) -> Response:
    record = load_child(child_id)
    for link in session().execute(
        select(ProgressLink).where(
            ProgressLink.child_id == record.id, ProgressLink.referrer_id == me().id
        )
    ).scalars():
        progress.revoke_link(session(), link, actor_for(me()), now())
    flash("The family's progress link no longer works.", "success")
    return redirect(url_for("referrals.child", child_id=record.id))
