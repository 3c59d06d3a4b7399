"""Hands the outbox to GOV.UK Notify with this app's settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.settings import Settings
from routing.referrals.outbox import EmailSender, NotifySettings, deliver_pending


def notify_settings(settings: Settings) -> NotifySettings | None:
    """The app's Notify settings, or None when no API key is configured."""
    if not settings.notify_api_key:
        return None
    return NotifySettings(
        api_key=settings.notify_api_key,
        templates=settings.notify_templates,
        site_url=settings.public_base_url,
        api_url=settings.notify_api_url,
    )


def deliver_new(
    session: Session, settings: Settings, client: EmailSender | None = None
) -> bool:
    """Try each message never tried yet; False when Notify is off (nothing was tried).

    Retries wait for ``flask notify send``, so an outage does not use up every try
    within a few busy minutes.
    """
    notify = notify_settings(settings)
    if notify is None:
        return False
    deliver_pending(session, notify, settings.clock(), client, retry=False)
    return True


def deliver_all(session: Session, settings: Settings, now: datetime) -> int:
    """Send or retry every message still due; returns how many were sent.

    Raises LookupError when Notify is not configured.
    """
    notify = notify_settings(settings)
    if notify is None:
        raise LookupError("NOTIFY_API_KEY is not set: messages stay in the outbox.")
    return deliver_pending(session, notify, now, limit=10_000)
