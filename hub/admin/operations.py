"""Coordinator use cases: schools, organisations, user accounts and the needs taxonomy.

Every function here changes the session but never commits: the view commits
once. Rules that the user can break raise InvalidInput keyed by form field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.auth.models import Role, User
from hub.auth.operations import create_user
from hub.auth.passwords import hash_password
from routing.gazetteer.lookup import OnlineGeocoder, geocode
from routing.geo import Place, PostcodeError
from services import taxonomy_ops
from services.errors import InvalidInput
from services.listings import Service
from services.locations import Location
from services.organisations import Organisation, OrganisationKind
from services.schools import School, SchoolPhase
from services.taxonomy import Need
from services.version import bump_version

MIN_PASSWORD_LENGTH = 12
_URN = re.compile(r"^\d{6}$")
# Deliberately loose: a typo check, not RFC 5322. Delivery proves the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- Overview ---------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    schools: int
    organisations: int
    services: int
    users: int


def overview_counts(session: Session) -> Counts:
    """How many schools, organisations, services and users the hub has."""

    def count(model: type) -> int:
        return session.execute(select(func.count()).select_from(model)).scalar_one()

    return Counts(count(School), count(Organisation), count(Service), count(User))


# --- Schools ----------------------------------------------------------------


@dataclass
class SchoolInput:
    name: str
    urn: str
    phase: str
    trust_id: int | None = None
    address: str = ""
    postcode: str = ""


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
    location = school.location if school.location_id is not None else Location()
    location.name = school.name
    location.address = data.address.strip()
    location.postcode = place.postcode
    location.latitude, location.longitude = place.latitude, place.longitude
    location.easting, location.northing = place.easting, place.northing
    school.location = location


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
    school.organisation.name = school.name
    bump_version(session)
    return SavedSchool(school, place.approximate)


# --- Organisations ----------------------------------------------------------


@dataclass
class OrganisationInput:
    name: str
    kind: str
    website: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    users: int
    services: int


def list_organisations(session: Session) -> list[OrganisationRow]:
    """Every organisation by name, with how many users and services it has."""
    users: dict[int, int] = {
        org_id: count
        for org_id, count in session.execute(
            select(User.organisation_id, func.count()).group_by(User.organisation_id)
        )
    }
    services: dict[int, int] = {
        org_id: count
        for org_id, count in session.execute(
            select(Service.organisation_id, func.count()).group_by(Service.organisation_id)
        )
    }
    organisations = session.execute(select(Organisation).order_by(Organisation.name)).scalars()
    return [
        OrganisationRow(org, users.get(org.id, 0), services.get(org.id, 0))
        for org in organisations
    ]


def organisation_kind_choices(organisation: Organisation | None) -> list[OrganisationKind]:
    """Kinds a coordinator may pick here. Schools' organisations come with the school."""
    if organisation is not None and organisation.kind == OrganisationKind.SCHOOL:
        return [OrganisationKind.SCHOOL]
    return [kind for kind in OrganisationKind if kind != OrganisationKind.SCHOOL]


def _check_organisation(
    session: Session, organisation: Organisation | None, data: OrganisationInput
) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "Enter the organisation's name"
    else:
        clash = session.execute(
            select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        ).scalar_one_or_none()
        if clash is not None and (organisation is None or clash != organisation.id):
            errors["name"] = f"An organisation called {name} already exists"
    if data.kind not in [kind.value for kind in organisation_kind_choices(organisation)]:
        errors["kind"] = (
            "Add a school from the schools page"
            if data.kind == OrganisationKind.SCHOOL.value
            else "Choose the kind of organisation"
        )
    elif organisation is not None and organisation.kind != data.kind:
        new_kind = OrganisationKind(data.kind)
        if organisation.kind == OrganisationKind.ACADEMY_TRUST:
            schools = session.execute(
                select(func.count()).select_from(School).where(
                    School.trust_id == organisation.id
                )
            ).scalar_one()
            if schools:
                errors["kind"] = (
                    f"{organisation.name} is the trust of {schools} "
                    f"school{'s' if schools != 1 else ''}. Change those schools first"
                )
        if new_kind == OrganisationKind.ACADEMY_TRUST:
            providers = session.execute(
                select(func.count()).select_from(User).where(
                    User.organisation_id == organisation.id,
                    User.role.in_([Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER]),
                )
            ).scalar_one()
            services = session.execute(
                select(func.count()).select_from(Service).where(
                    Service.organisation_id == organisation.id
                )
            ).scalar_one()
            if providers or services:
                errors["kind"] = (
                    "An academy trust cannot provide services, and this organisation "
                    "has services or provider users"
                )
    website = data.website.strip()
    if website and not website.startswith(("https://", "http://")):
        errors["website"] = "Enter a web address starting with https://"
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    return errors


def _apply_organisation(organisation: Organisation, data: OrganisationInput) -> None:
    organisation.name = data.name.strip()
    organisation.kind = OrganisationKind(data.kind)
    organisation.website = data.website.strip() or None
    organisation.email = data.email.strip() or None
    organisation.phone = data.phone.strip() or None


def add_organisation(session: Session, data: OrganisationInput) -> Organisation:
    """Add an organisation that is not a school (schools are added with ``add_school``).

    Raises InvalidInput keyed by field for a missing or taken name (ignoring
    case), a kind of school or an unknown kind, or a malformed website or email.
    """
    errors = _check_organisation(session, None, data)
    if errors:
        raise InvalidInput(errors)
    organisation = Organisation()
    _apply_organisation(organisation, data)
    session.add(organisation)
    session.flush()
    return organisation


def update_organisation(
    session: Session, organisation: Organisation, data: OrganisationInput
) -> Organisation:
    """Change an organisation's details. A school's organisation stays a school.

    Raises InvalidInput as ``add_organisation`` does, and for a change of kind
    that would strand schools in a trust or services in an academy trust.
    """
    errors = _check_organisation(session, organisation, data)
    if errors:
        raise InvalidInput(errors)
    _apply_organisation(organisation, data)
    school = session.execute(
        select(School).where(School.organisation_id == organisation.id)
    ).scalar_one_or_none()
    if school is not None:
        school.name = organisation.name
    bump_version(session)
    return organisation


# --- Users ------------------------------------------------------------------


@dataclass
class UserDetails:
    """What a coordinator can change about an account (not its password)."""

    name: str
    email: str
    role: str
    organisation_id: int | None


@dataclass
class UserInput(UserDetails):
    password: str


def list_users(session: Session, organisation_id: int | None = None) -> list[User]:
    """Users by name, all or only those of one organisation."""
    query = select(User).order_by(User.name, User.email)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.execute(query).scalars())


def _password_error(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    return None


def role_fits_organisation(role: Role, organisation: Organisation) -> str | None:
    """Why ``role`` cannot belong to ``organisation``, or None when it can."""
    if role.is_school and organisation.kind != OrganisationKind.SCHOOL:
        return f"{role.label} accounts must belong to a school"
    if role.is_provider and not organisation.provides_services:
        return f"{role.label} accounts must belong to an organisation that provides services"
    return None


@dataclass(frozen=True)
class _CheckedDetails:
    name: str
    email: str
    role: Role
    organisation: Organisation


def _check_user_details(
    session: Session, data: UserDetails, errors: dict[str, str], user: User | None = None
) -> _CheckedDetails | None:
    """The details, cleaned, or None with each problem added to ``errors`` by field.

    ``user`` is the account being edited: its own email is not a clash.
    """
    name = data.name.strip()
    if not name:
        errors["name"] = "Enter the person's name"
    email = data.email.strip().lower()
    if not _EMAIL.match(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    else:
        taken = select(User.id).where(func.lower(User.email) == email)
        if user is not None:
            taken = taken.where(User.id != user.id)
        if session.execute(taken).first() is not None:
            errors["email"] = f"An account with the email address {email} already exists"
    role = Role(data.role) if data.role in Role._value2member_map_ else None
    if role is None:
        errors["role"] = "Choose a role"
    organisation = (
        session.get(Organisation, data.organisation_id)
        if data.organisation_id is not None
        else None
    )
    if organisation is None:
        errors["organisation_id"] = "Choose an organisation"
    elif role is not None:
        problem = role_fits_organisation(role, organisation)
        if problem:
            errors["organisation_id"] = problem
    if errors or role is None or organisation is None:
        return None
    return _CheckedDetails(name, email, role, organisation)


def add_user(session: Session, data: UserInput) -> User:
    """Create an account with an initial password (hashed with Argon2 by ``create_user``).

    Raises InvalidInput keyed by field for a missing name, a malformed or
    taken email (ignoring case), an unknown role or organisation, a role that
    does not fit the organisation, or a password shorter than 12 characters.
    """
    errors: dict[str, str] = {}
    details = _check_user_details(session, data, errors)
    password_problem = _password_error(data.password)
    if password_problem:
        errors["password"] = password_problem
    if errors or details is None:
        raise InvalidInput(errors)
    user = create_user(
        session,
        email=details.email,
        name=details.name,
        password=data.password,
        role=details.role,
        organisation_id=details.organisation.id,
    )
    session.flush()
    return user


def update_user(session: Session, user: User, data: UserDetails, by: User) -> bool:
    """Change an account's name, email, role or organisation.

    A new role or organisation changes what the person may see, so it ends their
    sessions: they sign in again under the new access. Returns whether it did.
    Raises InvalidInput keyed by field as ``add_user`` does, and (key ``role``)
    when a coordinator would take away their own coordinator role, which would
    lock them out of this page.
    """
    errors: dict[str, str] = {}
    details = _check_user_details(session, data, errors, user)
    if details is not None and user.id == by.id and details.role != Role.COORDINATOR:
        errors["role"] = "You cannot remove your own coordinator role"
    if errors or details is None:
        raise InvalidInput(errors)
    access_changed = (details.role != user.role
                      or details.organisation.id != user.organisation_id)
    user.name = details.name
    user.email = details.email
    user.role = details.role
    user.organisation = details.organisation
    if access_changed:
        user.end_sessions()
    return access_changed


def deactivate_user(user: User, by: User) -> None:
    """Stop ``user`` signing in and end their sessions at once.

    Raises InvalidInput (key ``user``) when a coordinator tries to deactivate themselves.
    """
    if user.id == by.id:
        raise InvalidInput({"user": "You cannot deactivate your own account"})
    user.active = False
    user.end_sessions()


def reactivate_user(user: User) -> None:
    """Let a deactivated user sign in again with their existing password."""
    user.active = True


def reset_password(user: User, password: str) -> None:
    """Set a new password and end the user's sessions.

    Raises InvalidInput (key ``password``) for a password shorter than 12 characters.
    """
    problem = _password_error(password)
    if problem:
        raise InvalidInput({"password": problem})
    user.password_hash = hash_password(password)
    user.end_sessions()


# --- Taxonomy ---------------------------------------------------------------


def add_need(
    session: Session, *, parent_code: str | None, suffix: str, name: str
) -> Need:
    """Add a top-level need (no parent) or a child of a top-level need.

    Raises InvalidInput keyed ``parent_code``, ``suffix`` or ``name`` for the
    problems ``services.taxonomy_ops.add_need`` reports.
    """
    if not name.strip():
        raise InvalidInput({"name": "Enter a name"})
    try:
        return taxonomy_ops.add_need(
            session, parent_code=parent_code or None, suffix=suffix, name=name
        )
    except taxonomy_ops.TaxonomyError as error:
        message = str(error)
        field = "parent_code" if "parent" in message else "suffix"
        raise InvalidInput({field: message}) from error


def update_need(
    session: Session, need: Need, *, name: str, description: str, active: bool
) -> None:
    """Rename, describe, retire or restore a need; its code never changes.

    Raises InvalidInput keyed ``name`` for an empty name.
    """
    try:
        taxonomy_ops.update_need(
            session, need, name=name, description=description, active=active
        )
    except taxonomy_ops.TaxonomyError as error:
        raise InvalidInput({"name": str(error)}) from error


def top_level_needs(session: Session) -> list[Need]:
    """Top-level needs, active or not, in order: the possible parents of a new need."""
    return taxonomy_ops.needs_tree(session, include_inactive=True)
