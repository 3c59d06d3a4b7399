"""The outbox: messages queued in the same transaction as the change they announce,
then delivered through GOV.UK Notify after that transaction commits.

A message is tried first by the job the request that queued it enqueued after its
commit, then again by each ``retry_messages`` job (``hub.jobs``) or ``flask notify
send``, up to MAX_ATTEMPTS tries.
Notify refusing a request (a 4xx other than 429: a bad template id or address)
will not change on a retry, so such a message is given up at once; the outbox
page shows why.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, utcnow

if TYPE_CHECKING:
    from routing.referrals.models import Referral

log = logging.getLogger(__name__)

NOTIFY_API_URL = "https://api.notifications.service.gov.uk"
MAX_ATTEMPTS = 5
_QUEUED = "outbox_queued"
# How a message goes: an email, or a text message to a mobile number.
EMAIL = "email"
SMS = "sms"


class OutboxMessage(Base):
    """A notification: a reference, a service name and a link; never personal details."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    # EMAIL or SMS; a text message's template is looked up as ``<template>_sms``.
    channel: Mapped[str] = mapped_column(String(10), default=EMAIL, server_default=EMAIL)
    template: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str] = mapped_column(String(20))
    service_name: Mapped[str] = mapped_column(String(200))
    # A path such as /referrals/12; the sender adds the site's address.
    link_path: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    # Tries so far; delivery stops at MAX_ATTEMPTS.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str] = mapped_column(String(200), default="")


def queue_message(
    session: Session, recipient: str | None, template: str, referral: Referral, now: datetime
) -> None:
    """Queue a message with no personal details: reference, service name and a link."""
    if not recipient:
        return
    session.add(
        OutboxMessage(
            created_at=now,
            recipient=recipient,
            template=template,
            reference=referral.reference,
            service_name=referral.service.name,
            link_path=f"/referrals/{referral.id}",
        )
    )
    session.info[_QUEUED] = True


def queue_notice(
    session: Session, recipient: str | None, template: str, reference: str, subject: str,
    link_path: str, now: datetime,
) -> None:
    """Queue a message about something other than a referral (a safeguarding item):
    a reference, a short ``subject`` in place of a service name, and a link; never a
    child's name."""
    if not recipient:
        return
    session.add(OutboxMessage(created_at=now, recipient=recipient, template=template,
                              reference=reference, service_name=subject, link_path=link_path))
    session.info[_QUEUED] = True


def queue_account_message(
    session: Session, recipient: str, template: str, link_path: str, now: datetime
) -> None:
    """Queue a message about an account (a password reset link): no reference, no names."""
    session.add(
        OutboxMessage(
            created_at=now,
            recipient=recipient,
            template=template,
            reference="",
            service_name="Family Hub",
            link_path=link_path,
        )
    )
    session.info[_QUEUED] = True


FAMILY_LINK = "progress_link"


def queue_family_link(
    session: Session, recipient: str, channel: str, school_name: str, link_path: str,
    now: datetime,
) -> OutboxMessage:
    """Queue the family's progress link for a parent or carer: the school's name and the
    link only (no reference, never the child's name). The link is a secret: blanked once
    delivered or given up (see SECRET_LINK_TEMPLATES)."""
    message = OutboxMessage(created_at=now, recipient=recipient, channel=channel,
                            template=FAMILY_LINK, reference="", service_name=school_name,
                            link_path=link_path)
    session.add(message)
    session.info[_QUEUED] = True
    return message


# Templates whose link is a secret (a sign-in capability or a family's progress link):
# shown to nobody in the outbox, and blanked once delivered or given up.
SECRET_LINK_TEMPLATES = frozenset({"password_reset", FAMILY_LINK})
# Templates whose recipient is a member of the public: the outbox page does not show them.
PRIVATE_RECIPIENT_TEMPLATES = frozenset({FAMILY_LINK})


def take_queued(session: Session) -> bool:
    """Whether messages were queued on ``session`` since the last call (and forget it).

    The unit of work asks after its commit, to deliver only when there is news.
    """
    return bool(session.info.pop(_QUEUED, False))


class EmailSender(Protocol):
    """The part of notifications_python_client's NotificationsAPIClient we use."""

    def send_email_notification(
        self, email_address: str, template_id: str, personalisation: dict[str, Any] | None = ...,
        reference: str | None = ...,
    ) -> Any: ...

    def send_sms_notification(
        self, phone_number: str, template_id: str, personalisation: dict[str, Any] | None = ...,
        reference: str | None = ...,
    ) -> Any: ...


@dataclass(frozen=True)
class NotifySettings:
    """What delivery needs: the key, a template id per message kind (``default`` for any
    other; ``<kind>_sms`` and ``default_sms`` for text messages), the site's public
    address for links, and Notify's API address."""

    api_key: str
    templates: Mapping[str, str]
    site_url: str
    api_url: str = NOTIFY_API_URL

    def client(self) -> EmailSender:
        from notifications_python_client.notifications import NotificationsAPIClient

        return NotificationsAPIClient(self.api_key, base_url=self.api_url, timeout=10)


def deliver_pending(
    session: Session, settings: NotifySettings, now: datetime,
    client: EmailSender | None = None, limit: int = 50, retry: bool = True,
) -> int:
    """Send queued messages, oldest first; returns how many were sent.

    With ``retry`` False only messages never tried are sent: requests send what
    they queued, and retries wait for ``flask notify send``, so an outage does not
    use up every try within a few busy minutes. Only the reference, service name
    and link go to Notify (never names). Each try is counted on the message, and a
    failure's reason kept on it; nothing raises.
    """
    waiting = OutboxMessage.attempts < MAX_ATTEMPTS if retry else OutboxMessage.attempts == 0
    pending = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), waiting)
        .order_by(OutboxMessage.id)
        .limit(limit)
        # Two deliveries at once (two job workers) never take the same message on
        # PostgreSQL; SQLite has no row locks, and the job queue's lock covers it.
        .with_for_update(skip_locked=True)
    ).scalars().all()
    if not pending:
        return 0
    sender = client or settings.client()
    sent = 0
    for message in pending:
        message.attempts += 1
        kind = f"{message.template}_sms" if message.channel == SMS else message.template
        template_id = settings.templates.get(kind) or settings.templates.get(
            "default_sms" if message.channel == SMS else "default")
        if not template_id:
            message.error = f"No Notify template id for {kind}"
            message.attempts = MAX_ATTEMPTS  # configuration, not chance: do not retry
            _forget_secret(message)
            continue
        try:
            _send(sender, message, template_id, settings.site_url)
        except Exception as error:  # any failure is kept on the message, never raised
            _record_failure(message, error)
            continue
        message.sent_at = now
        message.error = ""
        # Delivered: a secret link is needed nowhere else, so it is not kept.
        _forget_secret(message)
        sent += 1
    return sent


def _send(sender: EmailSender, message: OutboxMessage, template_id: str, site_url: str) -> None:
    personalisation = {
        "reference": message.reference,
        "service_name": message.service_name,
        "link": site_url.rstrip("/") + message.link_path,
    }
    if message.channel == SMS:
        sender.send_sms_notification(
            phone_number=message.recipient, template_id=template_id,
            personalisation=personalisation, reference=message.reference or None)
    else:
        sender.send_email_notification(
            email_address=message.recipient, template_id=template_id,
            personalisation=personalisation, reference=message.reference or None)


def _forget_secret(message: OutboxMessage) -> None:
    """Blank a secret link once it will never be sent again (delivered or given up)."""
    if message.template in SECRET_LINK_TEMPLATES and (
            message.sent_at is not None or message.attempts >= MAX_ATTEMPTS):
        message.link_path = ""


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    status = getattr(error, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status != 429:
        message.error = f"Notify refused it ({status})"
        message.attempts = MAX_ATTEMPTS
    else:
        message.error = (f"Notify unavailable ({status})" if isinstance(status, int)
                         else f"Could not reach Notify ({type(error).__name__})")
    _forget_secret(message)
    # The id only: the recipient is personal data and stays out of logs.
    log.warning("Notify delivery failed for outbox message %s: %s", message.id, message.error)
