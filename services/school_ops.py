"""Coordinator use cases for schools: each school comes with its own organisation and location.

Every function changes the session but never commits. Rules that the user can
break raise InvalidInput keyed by form field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.gazetteer.lookup import OnlineGeocoder, geocode
from routing.geo import Place, PostcodeError
from services.checks import email_problem
from services.errors import InvalidInput
from services.locations import place_location
from services.organisations import Organisation, OrganisationKind
from services.schools import School, SchoolPhase
from services.version import bump_version

_URN = re.compile(r"^\d{6}$")


@dataclass
class SchoolInput:
    name: str
    urn: str
    phase: str
    trust_id: int | None = None
    address: str = ""
    postcode: str = ""
    # The school office's phone and email (kept on the school's organisation): families
    # see them on the progress page. None keeps the one it has.
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class SavedSchool:
    school: School
    # True when the exact postcode was unknown and the district centre was used.
    approximate: bool


def list_schools(session: Session) -> list[School]:
    """Every school by name, with its trust and location."""
    return list(session.execute(select(School).order_by(School.name)).scalars())


def trust_choices(session: Session) -> list[Organisation]:
    """Academy trusts, by name: the organisations a school may belong to."""
    return list(
        session.execute(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.ACADEMY_TRUST)
            .order_by(Organisation.name)
        ).scalars()
    )


def _check_school(
    session: Session, school: School | None, data: SchoolInput, online: OnlineGeocoder | None
) -> tuple[dict[str, str], Place | None]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "Enter the school's name"
    else:
        clash = session.execute(
            select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        ).scalar_one_or_none()
        if clash is not None and (school is None or clash != school.organisation_id):
            errors["name"] = f"An organisation called {name} already exists"
    urn = data.urn.strip()
    if not _URN.match(urn):
        errors["urn"] = "Enter a URN of 6 digits, like 123456"
    else:
        other = session.execute(select(School.id).where(School.urn == urn)).scalar_one_or_none()
        if other is not None and (school is None or other != school.id):
            errors["urn"] = f"A school with URN {urn} already exists"
    if data.phase not in SchoolPhase._value2member_map_:
        errors["phase"] = "Choose the school's phase"
    if data.email and data.email.strip() and email_problem(data.email.strip()):
        errors["email"] = "Enter the school office's email address, like office@school.org.uk"
    if data.phone and data.phone.strip() and sum(ch.isdigit() for ch in data.phone) < 7:
        errors["phone"] = "Enter the school office's phone number, like 01204 333 444"
    if data.trust_id is not None:
        trust = session.get(Organisation, data.trust_id)
        if trust is None or trust.kind != OrganisationKind.ACADEMY_TRUST:
            errors["trust_id"] = "Choose an academy trust from the list, or none"
    place = None
    if not data.postcode.strip():
        errors["postcode"] = "Enter the school's postcode"
    else:
        try:
            place = geocode(session, data.postcode, online)
        except PostcodeError as error:
            errors["postcode"] = str(error)
    return errors, place


def _apply_school(school: School, data: SchoolInput, place: Place) -> None:
    school.name = data.name.strip()
    school.urn = data.urn.strip()
    school.phase = SchoolPhase(data.phase)
    school.trust_id = data.trust_id
    school.location = place_location(
        place,
        address=data.address,
        name=school.name,
        location=school.location if school.location_id is not None else None,
    )
    school.organisation.name = school.name
    if data.phone is not None:
        school.organisation.phone = data.phone.strip() or None
    if data.email is not None:
        school.organisation.email = data.email.strip().lower() or None


def add_school(
    session: Session, data: SchoolInput, online: OnlineGeocoder | None = None
) -> SavedSchool:
    """Add a school, its own organisation (kind school) and its location.

    Raises InvalidInput keyed by field for a missing name, a name another
    organisation has, a URN that is not 6 digits or already used, an unknown
    phase or trust, or a postcode the gazetteer cannot place.
    """
    errors, place = _check_school(session, None, data, online)
    if errors or place is None:
        raise InvalidInput(errors)
    organisation = Organisation(name=data.name.strip(), kind=OrganisationKind.SCHOOL)
    session.add(organisation)
    session.flush()
    school = School(organisation_id=organisation.id)
    school.organisation = organisation
    _apply_school(school, data, place)
    session.add(school)
    session.flush()
    bump_version(session)
    return SavedSchool(school, place.approximate)


def update_school(
    session: Session, school: School, data: SchoolInput, online: OnlineGeocoder | None = None
) -> SavedSchool:
    """Change a school's details; its organisation is renamed with it.

    Raises InvalidInput as ``add_school`` does.
    """
    errors, place = _check_school(session, school, data, online)
    if errors or place is None:
        raise InvalidInput(errors)
    _apply_school(school, data, place)
    bump_version(session)
    return SavedSchool(school, place.approximate)
