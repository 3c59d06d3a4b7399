"""Subject access: everything held about a child (and, inside the child's referral forms,
about their parents or carers) as one document, with other people's details marked
for redaction before it is released."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.audit_actions import action_words
from routing.referrals.earlier import DetailsRequest
from routing.referrals.family_models import Carer, FamilyChild, FamilySibling, SiblingLink
from routing.referrals.models import (
    Child,
    ProgressLink,
    Referral,
    ReferralEvent,
    ReferralRequest,
)
from routing.referrals.outbox import OutboxMessage

OTHER_PERSON = "another person's details"

# A parent's, carer's or brother's or sister's details that name or reach them: marked
# for redaction wherever they are held, in the family record and in the form's answers
# (whose "family" step keeps them under the same names).
OTHER_PERSON_FIELDS = frozenset({
    "name", "phone", "email", "address", "language", "interpreter", "access_needs",
    "contact_notes", "do_not_contact_reason",
})
# Other fields of a form's answers, as (step, field), that are another person's: the
# referrer's own phone number.
OTHER_PERSON_ANSWERS = frozenset({("contact", "referrer_phone")})


@dataclass(frozen=True)
class Value:
    """One value; ``redact`` says why it must be removed before release ("" to keep)."""

    text: str
    redact: str = ""

    def as_json(self) -> Any:
        return {"value": self.text, "redact_before_release": self.redact} if self.redact \
            else self.text


@dataclass
class Section:
    title: str
    items: list[list[tuple[str, Value]]] = field(default_factory=list)


@dataclass
class SubjectAccessDocument:
    child_id: int
    subject: str
    produced_at: datetime
    sections: list[Section]

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "child_id": self.child_id,
            "produced_at": self.produced_at.isoformat(timespec="seconds") + "Z",
            "note": "Values given as {value, redact_before_release} name other people: "
                    "remove them before release.",
            "sections": [
                {"title": section.title,
                 "items": [{label: value.as_json() for label, value in item}
                           for item in section.items]}
                for section in self.sections
            ],
        }


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "label"):
        return str(value.label)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _mine(value: object) -> Value:
    return Value(_text(value))


def _theirs(value: object) -> Value:
    return Value(_text(value), OTHER_PERSON) if _text(value) else Value("")


def _flatten(prefix: str, value: Any, step: str = "") -> list[tuple[str, Value]]:
    """A form's answers as labelled lines (nested steps become 'step: field', list items
    are numbered), another person's details marked (``OTHER_PERSON_FIELDS`` in the
    "family" step, ``OTHER_PERSON_ANSWERS``)."""
    if isinstance(value, dict):
        lines: list[tuple[str, Value]] = []
        for key, inner in value.items():
            label = key.replace("_", " ")
            where = f"{prefix}: {label}" if prefix else label
            if _another_persons(step, key) and not isinstance(inner, dict | list):
                lines.append((where, _theirs(inner)))
            else:
                lines.extend(_flatten(where, inner, step or key))
        return lines
    if isinstance(value, list):
        if any(isinstance(v, dict | list) for v in value):
            # One numbered line group per item: never a raw dump of the stored answer.
            return [line for index, item in enumerate(value, 1)
                    for line in _flatten(f"{prefix} {index}", item, step)]
        return [(prefix, Value(", ".join(_text(v) for v in value)))]
    return [(prefix, _mine(value))]


def _another_persons(step: str, field: str) -> bool:
    """Whether a form's answer ``field`` (within ``step``) is another person's detail."""
    return (step == "family" and field in OTHER_PERSON_FIELDS) \
        or (step, field) in OTHER_PERSON_ANSWERS


def _carer_value(field: str, value: object) -> Value:
    return _theirs(value) if field in OTHER_PERSON_FIELDS else _mine(value)


def _family_section(session: Session, child_id: int) -> Section:
    """The family record: the child's carers (other people's details, marked) with
    their change history, and brothers and sisters without a record."""
    section = Section("Family: parents, carers, brothers and sisters")
    family_id = session.execute(select(FamilyChild.family_id).where(
        FamilyChild.child_id == child_id)).scalar_one_or_none()
    if family_id is None:
        return section
    for carer in session.execute(select(Carer).where(Carer.family_id == family_id)
                                 .order_by(Carer.id)).scalars():
        section.items.append([
            ("Parent or carer", _carer_value("name", carer.name)),
            ("Relationship", _mine(carer.relationship_to_child)),
            ("Parental responsibility", _mine(carer.responsibility_label)),
            ("Phone", _carer_value("phone", carer.phone)),
            ("Email", _carer_value("email", carer.email)),
            ("Address", _carer_value("address", carer.address)),
            ("Language", _carer_value("language", carer.language)),
            ("Interpreter needed", _carer_value("interpreter", carer.interpreter)),
            ("Access needs", _carer_value("access_needs", carer.access_needs)),
            ("How and when to contact", _carer_value("contact_notes", carer.contact_notes)),
            ("Do not contact", _mine(carer.do_not_contact)),
            ("Why not", _carer_value("do_not_contact_reason", carer.do_not_contact_reason)),
            ("Recorded from", _mine(carer.source)), ("Recorded", _mine(carer.created_at)),
            *[(f"Change {index}", _mine(f"{change.verb} {change.fields} "
                                        f"{_text(change.at)} ({change.organisation_name})"))
              for index, change in enumerate(carer.changes, 1)],
        ])
    for sibling in session.execute(select(FamilySibling).where(
            FamilySibling.family_id == family_id).order_by(FamilySibling.id)).scalars():
        section.items.append([("Brother or sister", _carer_value("name", sibling.name)),
                              ("Year of birth (about)", _mine(sibling.birth_year))])
    # Brothers and sisters with a record of their own (linked by staff): as those
    # without one, their name marked, their year of birth only, nothing else of theirs.
    for other in session.execute(select(Child).join(
            FamilyChild, FamilyChild.child_id == Child.id).where(
            FamilyChild.family_id == family_id, Child.id != child_id).order_by(
            Child.id)).scalars():
        section.items.append([
            ("Brother or sister (has a record)", _carer_value("name", other.name)),
            ("Year of birth", _mine(other.date_of_birth.year if other.date_of_birth
                                    else other.birth_year))])
    return section


def _sibling_links_section(session: Session, child_id: int) -> Section:
    """Every time staff linked the child to a brother or sister with a record, or
    unlinked them: who (marked), their organisation, when and why. The brother's or
    sister's name is marked as another person's; what else the link moved (their
    family's carers and forms) is theirs and not listed."""
    section = Section("Brothers and sisters linked or unlinked")
    links = list(session.execute(
        select(SiblingLink).where((SiblingLink.child_id == child_id)
                                  | (SiblingLink.sibling_id == child_id))
        .order_by(SiblingLink.linked_at, SiblingLink.id)).scalars())
    others = {link.sibling_id if link.child_id == child_id else link.child_id
              for link in links}
    names = {other.id: other.name for other in session.execute(
        select(Child).where(Child.id.in_(others))).scalars()}
    for link in links:
        other = link.sibling_id if link.child_id == child_id else link.child_id
        # A link made before links were recorded has only its unlinking (no who or why).
        made = bool(link.linked_by_name or link.reason)
        section.items.append([
            ("Brother or sister", _theirs(names[other]) if other in names
             else _mine("a record no longer held")),
            ("Linked", _mine(link.linked_at if made else None)),
            ("Linked by", _theirs(link.linked_by_name)),
            ("Linked by organisation", _mine(link.linked_by_organisation)),
            ("Why linked", _mine(link.reason)),
            ("Unlinked", _mine(link.unlinked_at)),
            ("Unlinked by", _theirs(link.unlinked_by_name)),
            ("Unlinked by organisation", _mine(link.unlinked_by_organisation)),
            ("Why unlinked", _mine(link.unlink_reason)),
        ])
    return section


def record_held(session: Session, child_id: int) -> bool:
    """Whether a child's record with this number is held (not unknown, not purged)."""
    return session.get(Child, child_id) is not None


def subject_access(session: Session, child_id: int, now: datetime) -> SubjectAccessDocument:
    """Everything held about the child: the record, family, links to brothers and
    sisters, forms, referrals and their events, progress links, messages sent about
    them, and who read or changed any of it.

    Raises LookupError for an unknown child.
    """
    child = session.get(Child, child_id)
    if child is None:
        raise LookupError(child_id)
    record = Section("The child's record", [[
        ("Name", _mine(child.name)), ("About", _mine(child.subject_kind.label)),
        ("Date of birth", _mine(child.born_words)),
        ("Home postcode", _mine(child.postcode_words)), ("School", _mine(child.school.name)),
        ("UPN", _mine(child.upn)), ("NHS number", _mine(child.nhs_number)),
        ("Attendance concern", _mine(child.attendance_concern)),
        ("Missing education", _mine(child.missing_education)),
        ("Record made", _mine(child.created_at)),
    ]])
    versions = _versions(session, child_id)
    family = _family_section(session, child_id)
    sibling_links = _sibling_links_section(session, child_id)
    forms = Section("Referral forms (including what they say about parents or carers)")
    for form in session.execute(select(ReferralRequest).where(
            ReferralRequest.child_id == child_id).order_by(ReferralRequest.id)).scalars():
        forms.items.append([
            ("Form", _mine(form.id)), ("Status", _mine(form.status.value)),
            ("Started", _mine(form.created_at)), ("Sent", _mine(form.sent_at)),
            ("Declaration confirmed by", _theirs(form.declared_by_name)),
            ("Declaration confirmed", _mine(form.declared_at)),
            ("Declaration version", _mine(form.declaration_version)),
            ("Declaration", _mine(form.declaration_wording)),
            *_flatten("", form.answers or {}),
        ])
    referrals = list(session.execute(select(Referral).where(
        Referral.child_id == child_id).order_by(Referral.id)).scalars())
    referral_section = Section("Referrals")
    for referral in referrals:
        referral_section.items.append([
            ("Reference", _mine(referral.reference)), ("Service", _mine(referral.service.name)),
            ("Provider", _mine(referral.organisation.name)), ("Status", _mine(referral.status)),
            ("Needs", _mine(", ".join(str(n.get("code", n)) for n in referral.needs or []))),
            ("Urgent", _mine(referral.urgent)), ("Sent", _mine(referral.sent_at)),
            ("Decided", _mine(referral.decided_at)), ("Ended", _mine(referral.ended_at)),
            ("Decline reason", _mine(referral.decline_reason)),
            ("Decline explanation", _mine(referral.decline_text)),
            ("Outcome", _mine(referral.outcome)),
            ("Information asked for", _mine(referral.information_request)),
            ("Next step", _mine(referral.next_step)),
            ("Shown to the service", _mine(", ".join(s.label for s in referral.sections))),
        ])
    events = Section("What happened to each referral")
    for event in session.execute(select(ReferralEvent).where(
            ReferralEvent.child_id == child_id).order_by(ReferralEvent.at, ReferralEvent.id)
    ).scalars():
        events.items.append([
            ("When", _mine(event.at)), ("Referral", _mine(event.referral_id)),
            ("From", _mine(event.from_status)), ("To", _mine(event.to_status)),
            ("Why", _mine(event.reason)), ("By", _theirs(event.actor_name)),
            ("Organisation", _mine(event.organisation_name)),
        ])
    links = Section("Family progress links")
    for link in session.execute(select(ProgressLink).where(
            ProgressLink.child_id == child_id).order_by(ProgressLink.id)).scalars():
        links.items.append([("Made", _mine(link.created_at)),
                            ("Stopped", _mine(link.revoked_at))])
    messages = Section("Messages sent about the referrals")
    paths = [f"/referrals/{r.id}" for r in referrals]
    references = [r.reference for r in referrals]
    if referrals:
        for message in session.execute(select(OutboxMessage).where(or_(
                OutboxMessage.link_path.in_(paths), OutboxMessage.reference.in_(references)))
                .order_by(OutboxMessage.id)).scalars():
            messages.items.append([
                ("When", _mine(message.created_at)),
                ("Kind", _mine(message.template.replace("_", " "))),
                ("Reference", _mine(message.reference)), ("To", _theirs(message.recipient)),
                ("Delivered", _mine(message.sent_at)),
            ])
    leads = _lead_practitioners(session, child_id)
    asked = Section("Schools' requests to read earlier referrals")
    for found in session.execute(select(DetailsRequest).where(
            DetailsRequest.child_id == child_id).order_by(DetailsRequest.id)).scalars():
        asked.items.append([
            ("Reference", _mine(found.reference)), ("Asked", _mine(found.created_at)),
            ("School asking", _mine(found.requester_school.name)),
            ("School asked", _mine(found.holder_school.name)),
            ("Asked by", _theirs(found.requested_by_name)), ("Why", _mine(found.reason)),
            ("Decision", _mine(found.state.label)), ("Decided", _mine(found.decided_at)),
            ("Decided by", _theirs(found.decided_by_name)),
            ("Reason given", _mine(found.decision_reason)),
            ("Readable until", _mine(found.expires_at)),
        ])
    seen = Section("Who read or changed the record")
    referral_ids = [r.id for r in referrals]
    condition = AuditEvent.child_id == child_id
    if referral_ids:
        condition = or_(condition, AuditEvent.referral_id.in_(referral_ids))
    for row in session.execute(select(AuditEvent).where(condition)
                               .order_by(AuditEvent.at, AuditEvent.id)).scalars():
        seen.items.append([
            ("When", _mine(row.at)), ("What", _mine(action_words(row.action))),
            ("Refused", _mine(row.refused)), ("Who", _theirs(row.actor_name)),
            ("Organisation", _mine(row.organisation_name)),
            ("From address", _theirs(row.remote_addr)),
        ])
    return SubjectAccessDocument(
        child_id=child.id, subject=child.name, produced_at=now,
        sections=[record, family, sibling_links, versions, forms, referral_section, events,
                  links, messages, leads, asked, seen],
    )


def _versions(session: Session, child_id: int) -> Section:
    """Every version of the child's details, this record's and those of records merged
    into it (held until the merge can no longer be undone), with who, when and why."""
    from routing.referrals.identity import ChildIdentityVersion
    from routing.referrals.merge import ChildMerge

    merged = list(session.execute(select(ChildMerge).where(
        ChildMerge.surviving_child_id == child_id, ChildMerge.undone_at.is_(None),
        ChildMerge.purged_at.is_(None))).scalars())
    records = [child_id, *(m.merged_child_id for m in merged)]
    section = Section("Versions of the child's details, and merges")
    for version in session.execute(select(ChildIdentityVersion).where(
            ChildIdentityVersion.child_id.in_(records)).order_by(
            ChildIdentityVersion.child_id, ChildIdentityVersion.number)).scalars():
        section.items.append([
            ("Record", _mine(version.child_id)), ("Version", _mine(version.number)),
            ("Name", _mine(version.name)), ("Date of birth", _mine(version.date_of_birth)),
            ("Home postcode", _mine(version.home_postcode)), ("UPN", _mine(version.upn)),
            ("NHS number", _mine(version.nhs_number)),
            ("School", _mine(version.school.name if version.school else "")),
            ("When", _mine(version.recorded_at)), ("By", _theirs(version.recorded_by_name)),
            ("Organisation", _mine(version.organisation_name)),
            ("From", _mine(f"{version.source.label} {version.source_ref}".strip())),
            ("Changed", _mine(version.changed)), ("Why", _mine(version.reason)),
        ])
    for merge in merged:
        section.items.append([
            ("Merged record", _mine(merge.merged_child_id)), ("When", _mine(merge.merged_at)),
            ("By", _theirs(merge.merged_by_name)), ("Why", _mine(merge.reason)),
        ])
    return section


def _lead_practitioners(session: Session, child_id: int) -> Section:
    """The child's lead practitioners and every appointment, handover and ending."""
    from routing.leads.models import LeadEvent

    section = Section("Lead practitioner (appointments, handovers and endings)")
    for event in session.execute(select(LeadEvent).where(LeadEvent.child_id == child_id)
                                 .order_by(LeadEvent.at, LeadEvent.id)).scalars():
        section.items.append([
            ("When", _mine(event.at)), ("What", _theirs(event.summary)),
            ("Why", _mine(event.note)), ("By", _theirs(event.actor_name)),
            ("Organisation", _mine(event.organisation_name)),
        ])
    return section
