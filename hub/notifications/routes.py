"""The outbox page (messages the app sends, or would send without Notify) and
``flask notify send``, which a timer runs to deliver and retry queued messages."""

from __future__ import annotations

from typing import cast

import click
from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.access import roles_required
from hub.extensions import db
from hub.notifications.delivery import MAX_ATTEMPTS, deliver_pending, notify_settings
from routing.referrals.models import OutboxMessage
from services.accounts.models import Role
from services.db import utcnow

bp = Blueprint("notifications", __name__, url_prefix="/notifications", cli_group="notify")


@bp.route("/outbox")
@roles_required(Role.COORDINATOR)
def outbox() -> str:
    messages = list(
        db.session.execute(
            select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
        ).scalars()
    )
    return render_template(
        "referrals/outbox.html",
        messages=messages,
        notify_on=notify_settings(current_app.config) is not None,
        max_attempts=MAX_ATTEMPTS,
    )


@bp.cli.command("send")
def send_command() -> None:
    """Deliver queued messages through GOV.UK Notify (retrying earlier failures)."""
    settings = notify_settings(current_app.config)
    if settings is None:
        raise click.ClickException("NOTIFY_API_KEY is not set: messages stay in the outbox.")
    # One try per message a run, so failures are retried a run apart, not at once.
    total = deliver_pending(cast(Session, db.session), settings, utcnow(), limit=10_000)
    db.session.commit()
    waiting = db.session.execute(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
    ).scalar_one()
    click.echo(f"Sent {total} messages; {waiting} not sent (see /notifications/outbox).")
