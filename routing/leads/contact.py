"""The lead practitioner as providers and the family see them: a name, a role, an
organisation and how to reach them. Nothing about the child."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from routing.leads.operations import current_lead, may_lead


@dataclass(frozen=True)
class LeadContact:
    name: str
    role: str
    organisation: str
    phone: str
    email: str
    since: object = None
    # False when the lead's account was deactivated, or they moved where they may not
    # lead for this child: nobody is shown to providers or the family; staff hand over.
    able: bool = True

    @property
    def tel(self) -> str:
        """The phone for a tel: link: digits and a leading plus only."""
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


def lead_contact(session: Session, child_id: int) -> LeadContact | None:
    """The child's lead practitioner's contact details, or None when there is none. The
    phone is the one given for this child, else the lead's organisation's."""
    lead = current_lead(session, child_id)
    if lead is None:
        return None
    user = lead.user
    return LeadContact(
        name=user.name, role=user.role.label, organisation=user.organisation.name,
        phone=lead.phone or user.organisation.phone or "", email=user.email,
        since=lead.started_at, able=may_lead(session, user, lead.child))


def family_lead_contact(session: Session, child_id: int) -> LeadContact | None:
    """The lead practitioner shown on the family page of the child a progress link is
    about (``FamilyView.child_id``). Call only after the link was checked
    (``progress.check_and_show``): it checks nothing itself."""
    contact = lead_contact(session, child_id)
    return contact if contact is not None and contact.able else None
