"""How to reach the family, as a provider (and the referrer checking their answers) sees
it: the contact the family agreed, every "do not contact", language and interpreter, and
the referrer's own contact. One presenter for every page that shows it
(``templates/referrals/_reach_family.html``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.answers import Answers, ContactStep
from routing.referrals.family_answers import THROUGH_SCHOOL, CarerAnswer, shown_phone
from routing.referrals.family_models import Carer, FamilyReferralForm
from routing.referrals.models import Referral, ReferralRequest
from services.accounts.models import User

# How each way of contact is said, and which detail of the person it needs.
WAY_LABELS = {
    "phone": "Phone call", "text": "Text message", "email": "Email", "letter": "Letter",
    "school": "In person at school",
}
WAY_DETAIL = {"phone": "phone", "text": "phone", "email": "email", "letter": "address"}


@dataclass(frozen=True)
class Warning:
    """A person who must not be contacted, and why."""

    name: str
    relationship: str
    reason: str


@dataclass(frozen=True)
class ContactWay:
    """One agreed way of contact with the number, address or email it goes to.
    ``detail`` is "" only for "in person at school"; a way whose detail is missing
    says so in ``missing`` instead of appearing bare."""

    label: str
    detail: str = ""
    missing: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    relationship: str = ""
    responsibility: str = ""
    language: str = ""
    interpreter: bool = False
    access_needs: str = ""
    contact_notes: str = ""


@dataclass(frozen=True)
class Referrer:
    name: str
    role: str
    school: str
    email: str
    phone: str


@dataclass(frozen=True)
class HowToReach:
    """Everything a service needs to reach the family and the referrer."""

    through_school: bool
    person: Person | None
    ways: list[ContactWay]
    times: str
    avoid: str
    warnings: list[Warning] = field(default_factory=list)
    # Details typed on this referral that differ from the family record (the record
    # is kept as it is; the service sees both).
    given_on_form: list[str] = field(default_factory=list)
    referrer: Referrer | None = None
    # The agreed person has since been marked "do not contact" (say, by the child's
    # school): their details are withheld and the service goes through the referrer.
    blocked: str = ""


def _ways(contact: ContactStep, person: CarerAnswer | Carer | None) -> list[ContactWay]:
    ways = []
    for way in contact.ways:
        label = WAY_LABELS.get(way, way)
        needed = WAY_DETAIL.get(way)
        if needed is None:
            ways.append(ContactWay(label))
            continue
        detail = str(getattr(person, needed, "") or "") if person is not None else ""
        if needed == "phone":
            detail = shown_phone(detail)
        ways.append(ContactWay(label, detail) if detail else ContactWay(
            label, missing=f"no {needed.replace('phone', 'number')} recorded: ask the school"))
    return ways


def _person(carer: CarerAnswer | Carer) -> Person:
    if isinstance(carer, Carer):
        relationship, responsibility = carer.relationship_to_child, carer.responsibility_label
    else:
        relationship = carer.relationship
        responsibility = {"yes": "Yes", "no": "No"}.get(carer.parental_responsibility,
                                                        "Not known")
    return Person(carer.name, relationship, responsibility, carer.language, carer.interpreter,
                  carer.access_needs, carer.contact_notes)


def _differences(typed: CarerAnswer, record: Carer) -> list[str]:
    given = []
    for name, label in (("phone", "Phone"), ("email", "Email"), ("address", "Address")):
        value = getattr(typed, name)
        if value and value != getattr(record, name):
            given.append(f"{label} given on this referral: "
                         f"{shown_phone(value) if name == 'phone' else value}")
    return given


def _referrer(session: Session, form: ReferralRequest, contact: ContactStep) -> Referrer | None:
    user = session.get(User, form.referrer_id)
    if user is None:
        return None
    return Referrer(user.name, user.role.label, form.school.name, user.email,
                    shown_phone(contact.referrer_phone))


def how_to_reach(session: Session, form: ReferralRequest) -> HowToReach:
    """How to reach the family a referral form is about, and its referrer.

    After sending, the agreed person's details come from the family record (kept up to
    date by the child's school); before, and for forms sent before the family record
    existed, from the form.
    """
    answers: Answers = form.form
    contact, typed = answers.contact, answers.family
    link = session.get(FamilyReferralForm, form.id)
    record: Carer | None = link.contact_carer if link is not None else None
    typed_person = typed.carer(contact.person)
    warnings: list[Warning] = []
    if link is not None:
        people: list[Carer | CarerAnswer] = list(session.execute(
            select(Carer).where(Carer.family_id == link.family_id).order_by(Carer.id)
        ).scalars())
    else:
        people = list(typed.carers)
    for carer in people:
        if carer.do_not_contact:
            relationship = (carer.relationship_to_child if isinstance(carer, Carer)
                            else carer.relationship)
            warnings.append(Warning(carer.name, relationship, carer.do_not_contact_reason))
    # Also a "do not contact" typed on this form about someone the record holds.
    named = {w.name.casefold() for w in warnings}
    warnings += [Warning(c.name, c.relationship, c.do_not_contact_reason)
                 for c in typed.carers if c.do_not_contact and c.name.casefold() not in named]
    source: Carer | CarerAnswer | None = record or typed_person
    blocked = ""
    if source is not None and source.do_not_contact:
        blocked, source = source.name, None
    through_school = contact.person == THROUGH_SCHOOL or (source is None and typed.through_school)
    return HowToReach(
        through_school=through_school,
        person=_person(source) if source is not None and not through_school else None,
        ways=[] if through_school or blocked else _ways(contact, source),
        times=contact.times, avoid=contact.avoid, warnings=warnings,
        given_on_form=(_differences(typed_person, record)
                       if record is not None and typed_person is not None else []),
        referrer=_referrer(session, form, contact), blocked=blocked,
    )


def how_to_reach_referral(session: Session, referral: Referral) -> HowToReach | None:
    """``how_to_reach`` for a referral's form (None for a referral with no form)."""
    return how_to_reach(session, referral.request) if referral.request is not None else None

