"""Deliver queued outbox messages through GOV.UK Notify, after the request commits."""

from __future__ import annotations

import logging
import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.models import OutboxMessage
from services.db import utcnow

log = logging.getLogger(__name__)


def notify_settings() -> tuple[str | None, dict[str, str]]:
    """The API key and template ids (``NOTIFY_TEMPLATE_<NAME>``) from the environment."""
    templates = {
        key.removeprefix("NOTIFY_TEMPLATE_").lower(): value
        for key, value in os.environ.items()
        if key.startswith("NOTIFY_TEMPLATE_")
    }
    return os.environ.get("NOTIFY_API_KEY"), templates


def deliver_pending(session: Session, base_url: str, limit: int = 50) -> int:
    """Send unsent messages through Notify; returns how many were sent.

    With no API key this does nothing: the outbox page shows the messages.
    Only the reference, service name and link are sent (never names).
    """
    api_key, templates = notify_settings()
    if not api_key:
        return 0
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(api_key)
    sent = 0
    for message in session.execute(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).limit(limit)
    ).scalars():
        template_id = templates.get(message.template) or templates.get("default")
        if not template_id:
            message.error = "No template id"
            continue
        try:
            client.send_email_notification(
                email_address=message.recipient,
                template_id=template_id,
                personalisation={
                    "reference": message.reference,
                    "service_name": message.service_name,
                    "link": base_url.rstrip("/") + message.link_path,
                },
                reference=message.reference,
            )
        except Exception as error:
            message.error = type(error).__name__
            log.warning("Notify delivery failed for outbox message %s", message.id)
            continue
        message.sent_at = utcnow()
        sent += 1
    return sent

