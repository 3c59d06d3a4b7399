"""The outbox page: messages the app would send (the demo's stand-in for email)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from hub.access import roles_required
from hub.auth.models import Role
from hub.extensions import db
from routing.referrals.models import OutboxMessage

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/outbox")
@roles_required(Role.COORDINATOR)
def outbox() -> str:
    messages = list(
        db.session.execute(
            select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
        ).scalars()
    )
    return render_template("referrals/outbox.html", messages=messages)
