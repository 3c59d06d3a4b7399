"""The outbox page: messages the app sends, or would send without Notify."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from hub.access import roles_required
from hub.notifications.delivery import notify_settings
from hub.notifications.links import message_link
from hub.settings import current_settings
from hub.unit_of_work import session
from routing.referrals.outbox import (
    MAX_ATTEMPTS,
    PRIVATE_RECIPIENT_TEMPLATES,
    SECRET_LINK_TEMPLATES,
    OutboxMessage,
)
from services.accounts.models import Role

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/outbox")
@roles_required(Role.COORDINATOR)
def outbox() -> str:
    messages = list(
        session().execute(
            select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
        ).scalars()
    )
    return render_template(
        "referrals/outbox.html",
        messages=messages,
        message_link=message_link,
        notify_on=notify_settings(current_settings()) is not None,
        max_attempts=MAX_ATTEMPTS,
        secret_link_templates=SECRET_LINK_TEMPLATES,
        private_recipient_templates=PRIVATE_RECIPIENT_TEMPLATES,
    )
