"""Sending the family's progress link to a parent or carer (email or text message), to a
contact the family record holds or to an address staff type, and telling the school's
safeguarding lead when a leaver's links stop working."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from routing.referrals.audit import audit
from routing.referrals.family_answers import shown_phone
from routing.referrals.family_models import Carer, FamilyChild
from routing.referrals.lifecycle import Actor
from routing.referrals.models import ProgressLink
from routing.referrals.outbox import EMAIL, SMS, queue_family_link, queue_notice
from routing.referrals.progress import hash_token
from routing.safeguarding.operations import school_lead_addresses
from services.db import Base, utcnow
from services.errors import InvalidInput

CHANNELS = {EMAIL: "email", SMS: "text message"}
LINKS_STOPPED = "progress_links_stopped"
LINKS_STOPPED_SUBJECT = "A family progress link stopped working"
# Spaces, dashes, dots and brackets people type inside a number.
_PUNCTUATION = re.compile(r"[\s\-().]")


def uk_mobile(typed: str) -> str | None:
    """``typed`` as a UK mobile number in the form 07123456789, or None if it is not one.

    Accepts 07…, +447…, 00447… and 447… with spaces, dashes or brackets, as GOV.UK Notify
    does for UK numbers.
    """
    digits = _PUNCTUATION.sub("", typed.strip())
    for prefix in ("+44", "0044", "44"):
        if digits.startswith(prefix):
            digits = "0" + digits.removeprefix(prefix).removeprefix("0")
            break
    return digits if re.fullmatch(r"07\d{9}", digits) else None


class LinkSend(Base):
    """One "send the progress link to the family" submit, by the form's key: a repeated
    submit (a double click, a reload) finds it and sends nothing more."""

    __tablename__ = "progress_link_send"

    id: Mapped[int] = mapped_column(primary_key=True)
    send_key: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("progress_link.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# The send form's choice for "someone else, or another address or number": typed.
TYPED = "other"


@dataclass(frozen=True)
class KnownContact:
    """An email address or mobile number of a parent or carer on the family record,
    offered on the send form by its key ("carer-12-sms"): the form and the request carry
    the key, never the address."""

    key: str
    channel: str
    name: str
    relationship: str
    address: str

    @property
    def label(self) -> str:
        """Like "Text message to Jo Jones (Mother), 07700 900982"."""
        how = CHANNELS[self.channel].capitalize()
        shown = shown_phone(self.address) if self.channel == SMS else self.address
        who = f"{self.name} ({self.relationship})" if self.relationship else self.name
        return f"{how} to {who}, {shown}"


def known_contacts(session: Session, child_id: int) -> list[KnownContact]:
    """The email addresses and UK mobile numbers the child's family record holds for
    parents and carers who may be contacted (never one marked "do not contact"), in the
    record's order. Only the ones a send can use: a landline cannot take a text."""
    carers = session.execute(
        select(Carer).join(FamilyChild, FamilyChild.family_id == Carer.family_id)
        .where(FamilyChild.child_id == child_id, Carer.do_not_contact.is_(False))
        .order_by(Carer.id)
    ).scalars()
    contacts = []
    for carer in carers:
        email = _valid_email(carer.email) if carer.email else None
        if email:
            contacts.append(KnownContact(f"carer-{carer.id}-{EMAIL}", EMAIL, carer.name,
                                         carer.relationship_to_child, email))
        mobile = uk_mobile(carer.phone) if carer.phone else None
        if mobile:
            contacts.append(KnownContact(f"carer-{carer.id}-{SMS}", SMS, carer.name,
                                         carer.relationship_to_child, mobile))
    return contacts


def _valid_email(typed: str) -> str | None:
    try:
        return str(validate_email(typed.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


@dataclass(frozen=True)
class LinkRecipient:
    """What staff chose or typed on the send form: a known contact's key (``contact``),
    or ``TYPED`` (or nothing, when none was offered) and a channel and address."""

    channel: str
    email: str
    mobile: str
    agreed: bool
    contact: str = ""


def _chosen(recipient: LinkRecipient, known: Sequence[KnownContact]
            ) -> tuple[KnownContact | None, dict[str, str]]:
    """The known contact chosen (None: the address is typed), and the form's errors."""
    if recipient.contact and recipient.contact != TYPED:
        found = next((c for c in known if c.key == recipient.contact), None)
        if found is None:  # changed since the form was shown (say, now "do not contact")
            return None, {"contact": "Choose who should get the link again: the family "
                                     "record has changed"}
        return found, {}
    typed_any = recipient.channel or recipient.email.strip() or recipient.mobile.strip()
    if known and not recipient.contact and not typed_any:
        return None, {"contact": "Choose who should get the link"}
    return None, {}


def _address(recipient: LinkRecipient) -> tuple[str, dict[str, str]]:
    """The normalised address for the chosen channel, and the form's errors."""
    if recipient.channel == EMAIL:
        try:
            return validate_email(recipient.email.strip(),
                                  check_deliverability=False).normalized, {}
        except EmailNotValidError:
            message = ("Enter the parent or carer's email address" if not recipient.email.strip()
                       else "Enter an email address in the correct format, like "
                            "name@example.com")
            return "", {"email": message}
    if recipient.channel == SMS:
        number = uk_mobile(recipient.mobile)
        if number is None:
            message = ("Enter the parent or carer's mobile number" if not recipient.mobile.strip()
                       else "Enter a UK mobile number, like 07700 900 982")
            return "", {"mobile": message}
        return number, {}
    return "", {"channel": "Choose email or text message"}


def send_link(
    session: Session, link: ProgressLink, token: str, recipient: LinkRecipient,
    school_name: str, actor: Actor, now: datetime, send_key: str,
    known: Sequence[KnownContact] = (),
) -> str:
    """Queue ``link`` (whose secret is ``token``) to a parent or carer by email or text
    message, with only the school's name: never the child's. Returns the channel's name.

    The address is a contact of ``known`` (the family record's, as far as the user may
    see it) chosen by its key, or typed. A typed address is used for this message only:
    the family record is never changed from this form.

    Sends once per ``send_key`` (the form's): a repeated submit returns the channel of
    the first and queues nothing, also when two arrive at the same moment (the key is
    unique in the database).

    Audited with who sent it and how, never the address. Raises InvalidInput (keyed by
    field) for a missing agreement, a bad address or number, or a token that is not
    this link's or a link that no longer works.
    """
    if not secrets.compare_digest(hash_token(token), link.token_hash) or (
            link.revoked_at is not None):
        raise InvalidInput({"form": "This link no longer works. Make a new link from the "
                                    "child's page."})
    contact, errors = _chosen(recipient, known)
    if contact is not None:
        address, channel = contact.address, contact.channel
    elif errors:
        address, channel = "", recipient.channel
    else:
        (address, errors), channel = _address(recipient), recipient.channel
    if not recipient.agreed:
        errors["agreed"] = "Confirm the parent or carer has agreed to receive the link"
    if errors:
        raise InvalidInput(errors)
    sent = session.execute(
        select(LinkSend).where(LinkSend.send_key == send_key)).scalar_one_or_none()
    if sent is not None:
        return CHANNELS[sent.channel]
    try:
        with session.begin_nested():
            session.add(LinkSend(send_key=send_key, link_id=link.id, channel=channel, at=now))
    except IntegrityError:  # the same submit, a moment earlier, in another request
        return CHANNELS[channel]
    queue_family_link(session, address, channel, school_name, f"/progress/{token}", now)
    # Who received it is said by the record's carer id (never an address or a name).
    audit(session, actor, "progress_link_sent", now, child_id=link.child_id,
          subject_type="carer" if contact else "", subject_id=contact.key.split("-")[1]
          if contact else "",
          detail=f"by {CHANNELS[channel]}, " + ("to a contact on the family record"
                                                 if contact else "to an address typed on the form"))
    return CHANNELS[channel]


def tell_leads_links_stopped(
    session: Session, links: Sequence[ProgressLink], now: datetime
) -> int:
    """Tell each stopped link's school's safeguarding leads (the coordinators when the
    school has none): a referral reference and the child's page, never a name, so they
    can judge whether the family needs a new link. Returns how many messages."""
    queued = 0
    for link in links:
        first = link.referrals[0] if link.referrals else None
        school_id = first.school_id if first is not None else link.child.school_id
        for address in school_lead_addresses(session, school_id):
            queue_notice(session, address, LINKS_STOPPED, first.reference if first else "",
                         LINKS_STOPPED_SUBJECT, f"/referrals/children/{link.child_id}", now)
            queued += 1
    return queued
