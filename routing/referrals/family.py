"""The family record's use cases: the "Parents and carers" step and the agreed contact
validated on the draft, the family made or joined when a form is sent, and carers added
or corrected by staff at the child's school. None of them commits.

A referral form never overwrites the family record: on send, a carer already on the
record (same name) keeps their details, and only people not yet on it are added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from routing.engine.reasons import plural
from routing.referrals.audit import audit
from routing.referrals.family_answers import (
    RESPONSIBILITY,
    THROUGH_SCHOOL,
    CarerAnswer,
    FamilyStep,
    SiblingAnswer,
)
from routing.referrals.family_models import (
    Carer,
    CarerChange,
    Family,
    FamilyChild,
    FamilyReferralForm,
    FamilySibling,
    SiblingLink,
)
from routing.referrals.lifecycle import Actor
from routing.referrals.link_delivery import uk_mobile
from routing.referrals.models import Child, ReferralRequest
from services.errors import InvalidInput

# Places for parents and carers, and for brothers and sisters, on the form.
MAX_CARERS = 6
MAX_SIBLINGS = 8
# Each carer field's longest value (the Carer columns take the same).
CARER_LIMITS = {
    "name": 200, "relationship": 100, "phone": 40, "email": 254, "address": 1000,
    "language": 100, "access_needs": 2000, "contact_notes": 2000,
    "do_not_contact_reason": 2000,
}
SIBLING_NAME_MAX = 200
# What the family asked to be contacted by, and what each needs from the person.
CONTACT_NEEDS = {"phone": "phone", "text": "phone", "email": "email", "letter": "address"}
_PUNCTUATION = re.compile(r"[\s\-().]")
# The carer fields a form fills, in the order the form asks them.
CARER_FIELDS = [f.name for f in fields(CarerAnswer)]


def uk_phone(typed: str) -> str | None:
    """``typed`` as a phone number: a UK number as 01…/02…/03…/07…/08… (10 or 11 digits,
    from +44 or 0044 too), or another country's as +<8 to 15 digits>; None if it is
    neither."""
    digits = _PUNCTUATION.sub("", typed.strip())
    for prefix in ("+44", "0044"):
        if digits.startswith(prefix):
            digits = "0" + digits.removeprefix(prefix).removeprefix("0")
            break
    if re.fullmatch(r"0[1-9]\d{8,9}", digits):
        return digits
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        return digits
    return None


def clean_email(typed: str) -> str | None:
    """The normalised address, or None if ``typed`` is not an email address."""
    try:
        return str(validate_email(typed.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def _str(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def _yes(data: Mapping[str, Any], name: str) -> bool:
    return data.get(name) in ("yes", "on", True)


def _clean_carer(data: Mapping[str, Any], key: str, errors: dict[str, str]) -> CarerAnswer:
    """One carer from the form fields ``{key}-{field}``; problems go into ``errors``."""
    typed = {name: _str(data, f"{key}-{name}") for name in CARER_LIMITS}
    for name, limit in CARER_LIMITS.items():
        if len(typed[name]) > limit:
            errors[f"{key}-{name}"] = f"Enter {limit:,} characters or fewer"
    if not typed["name"]:
        errors.setdefault(f"{key}-name", "Enter the parent or carer's name")
    if not typed["relationship"]:
        errors.setdefault(f"{key}-relationship",
                          "Enter who they are to the child, like 'Mother' or 'Foster carer'")
    responsibility = _str(data, f"{key}-parental_responsibility")
    if responsibility not in RESPONSIBILITY:
        errors[f"{key}-parental_responsibility"] = (
            "Say whether they have parental responsibility (or that it is not known)")
    phone = typed["phone"]
    if phone and f"{key}-phone" not in errors:
        number = uk_phone(phone)
        if number is None:
            errors[f"{key}-phone"] = ("Enter a phone number, like 01204 332000, 07700 900982 "
                                      "or +48 601 234 567")
        else:
            phone = number
    email = typed["email"]
    if email and f"{key}-email" not in errors:
        address = clean_email(email)
        if address is None:
            errors[f"{key}-email"] = ("Enter an email address in the correct format, like "
                                      "name@example.com")
        else:
            email = address
    do_not_contact = _yes(data, f"{key}-do_not_contact")
    if do_not_contact and not typed["do_not_contact_reason"]:
        errors.setdefault(f"{key}-do_not_contact_reason",
                          "Enter why this person must not be contacted")
    interpreter = _yes(data, f"{key}-interpreter")
    if interpreter and not typed["language"]:
        errors.setdefault(f"{key}-language", "Enter the language the interpreter speaks")
    return CarerAnswer(
        name=typed["name"], relationship=typed["relationship"],
        parental_responsibility=responsibility if responsibility in RESPONSIBILITY else "",
        phone=phone, email=email, address=typed["address"], language=typed["language"],
        interpreter=interpreter, access_needs=typed["access_needs"],
        contact_notes=typed["contact_notes"], do_not_contact=do_not_contact,
        do_not_contact_reason=typed["do_not_contact_reason"] if do_not_contact else "",
    )


def _typed_anything(data: Mapping[str, Any], key: str) -> bool:
    return any(_str(data, f"{key}-{name}") for name in CARER_LIMITS)


def clean_family(data: Mapping[str, Any]) -> FamilyStep:
    """The "Parents and carers" step from the form's fields; blank places are skipped.

    Fields: ``carer-N-<field>`` (see CARER_FIELDS), ``sibling-N-name`` and
    ``sibling-N-age``, and ``through_school`` ("yes": contact only through the school).
    Raises InvalidInput keyed by field when a carer is incomplete or a phone number or
    email address is not one, or when there is no way to reach the family and the
    form does not say to go through the school.
    """
    errors: dict[str, str] = {}
    carers = []
    for index in range(MAX_CARERS):
        key = f"carer-{index}"
        if _typed_anything(data, key):
            carers.append(_clean_carer(data, key, errors))
    siblings = []
    for index in range(MAX_SIBLINGS):
        name, age = _str(data, f"sibling-{index}-name"), _str(data, f"sibling-{index}-age")
        if not name and not age:
            continue
        if not name:
            errors[f"sibling-{index}-name"] = "Enter the brother or sister's name"
        elif len(name) > SIBLING_NAME_MAX:
            errors[f"sibling-{index}-name"] = f"Enter {SIBLING_NAME_MAX} characters or fewer"
        years = None
        if age:
            if age.isdecimal() and len(age) <= 2 and int(age) <= 30:
                years = int(age)
            else:
                errors[f"sibling-{index}-age"] = "Enter their age in years, like 7"
        siblings.append(SiblingAnswer(name, years))
    through_school = _yes(data, "through_school")
    step = FamilyStep(tuple(carers), tuple(siblings), through_school)
    if not through_school and not errors and not any(
            c.phone or c.email or c.address for _, c in step.reachable):
        errors["carers"] = ("Enter a phone number, email address or address for a parent or "
                            "carer who may be contacted, or say the family should be "
                            "contacted through the school")
    if errors:
        raise InvalidInput(errors)
    return step


def clean_contact_person(
    family: FamilyStep, person: str, ways: list[str], times: str,
) -> tuple[str, tuple[str, ...]]:
    """The agreed contact checked against the "Parents and carers" step: who (a carer's
    key or "school") and the ways, each of which that person can be reached by.

    Raises InvalidInput keyed by field ("person", "ways", "times").
    """
    errors: dict[str, str] = {}
    if person == THROUGH_SCHOOL:
        return person, (THROUGH_SCHOOL,)
    carer = family.carer(person)
    if carer is None:
        raise InvalidInput({"person": "Choose who the family agreed the service should contact"})
    if carer.do_not_contact:
        raise InvalidInput({"person": f"{carer.name} must not be contacted. Choose someone "
                                      "else, or the school"})
    if not ways:
        errors["ways"] = "Choose at least one way the family agreed to be contacted"
    for way in ways:
        needed = CONTACT_NEEDS.get(way)
        if needed and not getattr(carer, needed):
            thing = {"phone": "phone number", "email": "email address", "address": "address"}
            errors["ways"] = (f"There is no {thing[needed]} for {carer.name}. Add it on "
                              "'Parents and carers', or choose another way")
        if way == "text" and carer.phone and uk_mobile(carer.phone) is None \
                and not carer.phone.startswith("+"):
            errors["ways"] = (f"{carer.name}'s number is not a mobile, so cannot take a text "
                              "message. Choose another way")
    if not times:
        errors["times"] = "Enter when the family agreed to be contacted, like 'weekdays after 3pm'"
    if errors:
        raise InvalidInput(errors)
    return person, tuple(ways)


def family_of(session: Session, child_id: int) -> Family | None:
    """The child's family, if the record has one."""
    return session.execute(
        select(Family).join(FamilyChild, FamilyChild.family_id == Family.id)
        .where(FamilyChild.child_id == child_id)
    ).scalar_one_or_none()


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _record_change(session: Session, carer: Carer, verb: str, changed: list[str], source: str,
                   actor: Actor, now: datetime) -> None:
    session.add(CarerChange(
        carer_id=carer.id, at=now, actor_id=actor.user_id, actor_name=actor.name,
        organisation_name=actor.organisation_name, verb=verb, fields=", ".join(changed)[:500],
        source=source))


def _new_carer(session: Session, family: Family, typed: CarerAnswer, source: str,
               actor: Actor, now: datetime) -> Carer:
    carer = Carer(family_id=family.id, source=source, created_at=now, updated_at=now)
    _apply(carer, typed)
    session.add(carer)
    session.flush()
    _record_change(session, carer, "added", [], source, actor, now)
    return carer


def _apply(carer: Carer, typed: CarerAnswer) -> list[str]:
    """Set ``carer`` to ``typed``; the names of the fields that changed."""
    changed = []
    for name in CARER_FIELDS:
        column = "relationship_to_child" if name == "relationship" else name
        value = getattr(typed, name)
        if getattr(carer, column) != value:
            setattr(carer, column, value)
            changed.append(name.replace("_", " "))
    return changed


def record_family(
    session: Session, draft: ReferralRequest, child: Child, actor: Actor, now: datetime,
) -> FamilyReferralForm:
    """On send: make the child's family from the form, or join the family the record
    already has, and note which carer the family agreed the service should contact.

    An existing carer (same name) is never changed from a form: their record stays as
    it is and the form's details stay on the form. People the record does not hold yet
    are added, marked as coming from this school's referral form.
    """
    answers = draft.form
    typed = answers.family
    family = family_of(session, child.id)
    made = family is None
    if family is None:
        family = Family(created_at=now)
        session.add(family)
        session.flush()
        session.add(FamilyChild(child_id=child.id, family_id=family.id, added_at=now))
    source = f"referral form sent by {draft.school.name}"
    known = {_key(c.name): c for c in session.execute(
        select(Carer).where(Carer.family_id == family.id)).scalars()}
    by_index: dict[int, Carer] = {}
    for index, carer in enumerate(typed.carers):
        existing = known.get(_key(carer.name))
        if existing is None:
            existing = known[_key(carer.name)] = _new_carer(
                session, family, carer, source, actor, now)
        by_index[index] = existing
    sibling_names = {_key(s.name) for s in session.execute(
        select(FamilySibling).where(FamilySibling.family_id == family.id)).scalars()}
    sibling_names |= {_key(c.name) for c in session.execute(
        select(Child).join(FamilyChild, FamilyChild.child_id == Child.id)
        .where(FamilyChild.family_id == family.id)).scalars()}
    for sibling in typed.siblings:
        if _key(sibling.name) in sibling_names:
            continue
        sibling_names.add(_key(sibling.name))
        session.add(FamilySibling(
            family_id=family.id, name=sibling.name, source=source, created_at=now,
            birth_year=now.year - sibling.age if sibling.age is not None else None))
    person = answers.contact.person
    contact = None
    if person.startswith("carer-") and person[6:].isdecimal():
        contact = by_index.get(int(person[6:]))
    link = FamilyReferralForm(request_id=draft.id, family_id=family.id,
                              contact_carer_id=contact.id if contact else None)
    session.add(link)
    session.flush()
    audit(session, actor, "family_record_made" if made else "family_record_joined", now,
          child.id, subject_type="family", subject_id=family.id,
          detail=f"{plural(len(typed.carers), 'carer')} and "
                 f"{plural(len(typed.siblings), 'sibling')} on the form")
    return link


def check_before_send(draft: ReferralRequest) -> None:
    """The agreed contact still names someone on the "Parents and carers" step (it may
    have changed after the contact step was saved). Raises InvalidInput."""
    answers = draft.form
    contact = answers.contact
    try:
        clean_contact_person(answers.family, contact.person, list(contact.ways), contact.times)
    except InvalidInput as error:
        raise InvalidInput({"form": "Check 'Contacting the family': "
                                    + "; ".join(error.errors.values())}) from error


def _carer_from_form(data: Mapping[str, Any]) -> CarerAnswer:
    errors: dict[str, str] = {}
    carer = _clean_carer(data, "carer", errors)
    if errors:
        raise InvalidInput(errors)
    return carer


def add_carer(session: Session, child: Child, data: Mapping[str, Any], actor: Actor,
              now: datetime) -> Carer:
    """Staff at the child's school add a parent or carer (and the family, if the child
    has none yet). Fields ``carer-<field>``. Raises InvalidInput keyed by field."""
    typed = _carer_from_form(data)
    family = family_of(session, child.id)
    if family is None:
        family = Family(created_at=now)
        session.add(family)
        session.flush()
        session.add(FamilyChild(child_id=child.id, family_id=family.id, added_at=now))
    duplicate = session.execute(select(Carer).where(Carer.family_id == family.id)).scalars()
    if any(_key(c.name) == _key(typed.name) for c in duplicate):
        raise InvalidInput({"carer-name": f"{typed.name} is already on the family's record: "
                                          "correct their details instead"})
    carer = _new_carer(session, family, typed, "child's page", actor, now)
    audit(session, actor, "carer_added", now, child.id, subject_type="carer",
          subject_id=carer.id)
    return carer


def correct_carer(session: Session, child: Child, carer: Carer, data: Mapping[str, Any],
                  actor: Actor, now: datetime) -> list[str]:
    """Staff at the child's school correct a carer; returns the fields changed (recorded
    with who and when). Raises InvalidInput keyed by field."""
    typed = _carer_from_form(data)
    changed = _apply(carer, typed)
    if changed:
        carer.updated_at = now
        _record_change(session, carer, "corrected", changed, "child's page", actor, now)
        audit(session, actor, "carer_corrected", now, child.id, subject_type="carer",
              subject_id=carer.id, detail=", ".join(changed))
    return changed


def carer_as_typed(carer: Carer) -> CarerAnswer:
    """A carer's record in the form's shape (to fill the correction form)."""
    return replace(CarerAnswer(), **{
        name: getattr(carer, "relationship_to_child" if name == "relationship" else name)
        for name in CARER_FIELDS})


def _ensure_family(session: Session, child: Child, now: datetime) -> Family:
    record = family_of(session, child.id)
    if record is None:
        record = Family(created_at=now)
        session.add(record)
        session.flush()
        session.add(FamilyChild(child_id=child.id, family_id=record.id, added_at=now))
        session.flush()
    return record


# The longest reason for linking or unlinking brothers and sisters.
SIBLING_REASON_MAX = 2000


def _sibling_reason(reason: str) -> str:
    """The reason given, or InvalidInput keyed "reason"."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": "Enter how you know (or why they are not) brothers "
                                      "or sisters, like 'Mum confirmed at parents' evening'"})
    if len(reason) > SIBLING_REASON_MAX:
        raise InvalidInput({"reason": f"Enter {SIBLING_REASON_MAX:,} characters or fewer"})
    return reason


def _ids(session: Session, model: Any, family_id: int) -> list[int]:
    key = model.child_id if model is FamilyChild else (
        model.request_id if model is FamilyReferralForm else model.id)
    return sorted(session.execute(select(key).where(model.family_id == family_id)).scalars())


# What a link moves from one family to the other, by the key ``SiblingLink.moved`` keeps.
_MOVED: dict[str, Any] = {
    "children": FamilyChild, "carers": Carer, "siblings": FamilySibling,
    "forms": FamilyReferralForm,
}


def link_sibling(session: Session, child: Child, other: Child, actor: Actor,
                 now: datetime, reason: str, request_key: str | None = None) -> Family:
    """Record that ``other`` (a child with a record) is ``child``'s brother or sister:
    both in one family. When each already has a family, the two become one: every
    carer, sibling and referral form of ``other``'s family moves to ``child``'s (carers
    are kept as they are, never merged into one another). A sibling without a record
    of the same name is replaced by the linked record.

    Who, when, why (``reason``) and what moved are kept (``SiblingLink``), so that
    ``unlink_sibling`` can put both families back. A repeated submit of one form
    (``request_key``) finds the link it made. Raises InvalidInput.
    """
    if request_key:
        done = session.execute(select(SiblingLink).where(
            SiblingLink.request_key == request_key)).scalar_one_or_none()
        if done is not None and done.child_id == child.id and done.sibling_id == other.id:
            return _ensure_family(session, child, now)
    reason = _sibling_reason(reason)
    if other.id == child.id:
        raise InvalidInput({"sibling": "Choose another child"})
    record = _ensure_family(session, child, now)
    theirs = family_of(session, other.id)
    if theirs is not None and theirs.id == record.id:
        raise InvalidInput({"sibling": f"{other.name} is already in this family"})
    moved: dict[str, Any] = {"children": [other.id], "carers": [], "siblings": [], "forms": []}
    if theirs is None:
        session.add(FamilyChild(child_id=other.id, family_id=record.id, added_at=now))
    else:
        moved = {name: _ids(session, model, theirs.id) for name, model in _MOVED.items()}
        for model in _MOVED.values():
            session.execute(update(model).where(model.family_id == theirs.id)
                            .values(family_id=record.id))
        session.flush()
        session.delete(theirs)
    replaced, gone = [], set()
    for sibling in session.execute(select(FamilySibling).where(
            FamilySibling.family_id == record.id)).scalars():
        if _key(sibling.name) == _key(other.name):
            replaced.append({"name": sibling.name, "birth_year": sibling.birth_year,
                             "source": sibling.source})
            gone.add(sibling.id)
            session.delete(sibling)
    moved["siblings"] = [i for i in moved["siblings"] if i not in gone]
    link = SiblingLink(
        child_id=child.id, sibling_id=other.id, linked_at=now, linked_by_id=actor.user_id,
        linked_by_name=actor.name, linked_by_organisation=actor.organisation_name,
        reason=reason, moved=moved | {"replaced": replaced}, request_key=request_key or None)
    session.add(link)
    session.flush()
    for who, whom in ((child, other), (other, child)):
        audit(session, actor, "sibling_linked", now, who.id, subject_type="child",
              subject_id=whom.id, detail=("merged two family records; " if theirs else "")
              + f"why: sibling link {link.id}")
    return record


def sibling_links(session: Session, child_ids: list[int]) -> list[SiblingLink]:
    """Every link and unlink naming any of ``child_ids``, oldest first: who, when, why."""
    return list(session.execute(
        select(SiblingLink).where(SiblingLink.child_id.in_(child_ids)
                                  | SiblingLink.sibling_id.in_(child_ids))
        .order_by(SiblingLink.linked_at, SiblingLink.id)).scalars())


def leaving_with(session: Session, child: Child, other: Child) -> list[int]:
    """The children who get a family of their own when ``child`` and ``other`` are
    unlinked: the side that came in with the link (the linked brother or sister and
    those who came with them, still in the family); ``other`` alone when no link is
    recorded."""
    record = family_of(session, child.id)
    if record is None:
        return []
    link = _link_between(session, child, other)
    if link is None:
        return [other.id]
    members = set(session.execute(select(FamilyChild.child_id).where(
        FamilyChild.family_id == record.id)).scalars())
    came = set(link.moved.get("children", [])) & members
    return sorted(came) or [other.id]


def _link_between(session: Session, child: Child, other: Child) -> SiblingLink | None:
    return session.execute(
        select(SiblingLink).where(
            SiblingLink.unlinked_at.is_(None),
            ((SiblingLink.child_id == child.id) & (SiblingLink.sibling_id == other.id))
            | ((SiblingLink.child_id == other.id) & (SiblingLink.sibling_id == child.id)))
        .order_by(SiblingLink.id.desc()).limit(1)).scalar_one_or_none()


def unlink_sibling(session: Session, child: Child, other: Child, actor: Actor,
                   now: datetime, reason: str) -> list[int]:
    """Undo the link between ``child`` and ``other`` (brothers or sisters in one family):
    the side that came in with the link gets a family of its own again, with the carers,
    siblings without a record and referral forms it brought; a sibling without a record
    that the link replaced comes back to the family that stays. Carers are never
    changed. With no link recorded between the two (made before links were recorded,
    or through a third child), ``other`` alone gets a family of its own.

    Returns the ids of the children who left. Recorded with who, when and why on the
    link, and audited for each child. Raises InvalidInput.
    """
    reason = _sibling_reason(reason)
    record = family_of(session, child.id)
    if record is None or family_of(session, other.id) != record or other.id == child.id:
        raise InvalidInput({"sibling": f"{other.name} is not in this family"})
    link = _link_between(session, child, other)
    leaving = leaving_with(session, child, other)
    new = Family(created_at=now)
    session.add(new)
    session.flush()
    session.execute(update(FamilyChild).where(FamilyChild.child_id.in_(leaving))
                    .values(family_id=new.id))
    if link is not None:
        # What came in with the link goes back out with the side that brought it.
        for key, ids in ((Carer.id, link.moved.get("carers", [])),
                         (FamilySibling.id, link.moved.get("siblings", [])),
                         (FamilyReferralForm.request_id, link.moved.get("forms", []))):
            if ids:
                session.execute(update(key.class_).where(
                    key.class_.family_id == record.id, key.in_(list(ids)))
                    .values(family_id=new.id))
        for kept in link.moved.get("replaced", []):
            session.add(FamilySibling(family_id=record.id, name=kept["name"],
                                      birth_year=kept.get("birth_year"),
                                      source=kept.get("source", ""), created_at=now))
        link.unlinked_at = now
        link.unlinked_by_id = actor.user_id
        link.unlinked_by_name = actor.name
        link.unlinked_by_organisation = actor.organisation_name
        link.unlink_reason = reason
    else:
        link = SiblingLink(
            child_id=child.id, sibling_id=other.id, linked_at=now,
            moved={"children": leaving}, unlinked_at=now, unlinked_by_id=actor.user_id,
            unlinked_by_name=actor.name, unlinked_by_organisation=actor.organisation_name,
            unlink_reason=reason)
        session.add(link)
    session.flush()
    for who in (child.id, *leaving):
        audit(session, actor, "sibling_unlinked", now, who, subject_type="child",
              subject_id=other.id if who == child.id else child.id,
              detail=f"why: sibling link {link.id}")
    return leaving
