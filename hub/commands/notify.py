"""``flask notify send``: a timer runs it to deliver and retry queued messages."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from hub.notifications.delivery import deliver_all
from hub.settings import settings_of
from hub.unit_of_work import session
from routing.referrals.outbox import OutboxMessage

notify_cli = AppGroup("notify", help="Messages to schools and providers.")


@notify_cli.command("send")
def send_command() -> None:
    """Deliver queued messages through GOV.UK Notify (retrying earlier failures)."""
    settings = settings_of(current_app)
    try:
        # One try per message a run, so failures are retried a run apart, not at once.
        total = deliver_all(session(), settings, settings.clock())
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    session().commit()
    waiting = session().execute(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
    ).scalar_one()
    click.echo(f"Sent {total} messages; {waiting} not sent (see /notifications/outbox).")
