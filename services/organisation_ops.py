"""Coordinator use cases for organisations, and the hub's overview counts.

Every function changes the session but never commits. Rules that the user can
break raise InvalidInput keyed by form field.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.accounts.models import PROVIDER_STAFF_ROLES, User
from services.checks import email_problem
from services.errors import InvalidInput
from services.listings import Service
from services.organisations import Organisation, OrganisationKind
from services.schools import School
from services.version import bump_version


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


def _kind_change_problem(
    session: Session, organisation: Organisation, new_kind: OrganisationKind
) -> str | None:
    """Why ``organisation`` cannot become ``new_kind``, or None when it can."""
    if organisation.kind == OrganisationKind.ACADEMY_TRUST:
        schools = session.execute(
            select(func.count()).select_from(School).where(School.trust_id == organisation.id)
        ).scalar_one()
        if schools:
            return (
                f"{organisation.name} is the trust of {schools} "
                f"school{'s' if schools != 1 else ''}. Change those schools first"
            )
    if new_kind == OrganisationKind.ACADEMY_TRUST:
        providers = session.execute(
            select(func.count()).select_from(User).where(
                User.organisation_id == organisation.id,
                User.role.in_(PROVIDER_STAFF_ROLES),
            )
        ).scalar_one()
        services = session.execute(
            select(func.count()).select_from(Service).where(
                Service.organisation_id == organisation.id
            )
        ).scalar_one()
        if providers or services:
            return (
                "An academy trust cannot provide services, and this organisation "
                "has services or provider users"
            )
    return None


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
        problem = _kind_change_problem(session, organisation, OrganisationKind(data.kind))
        if problem:
            errors["kind"] = problem
    website = data.website.strip()
    if website and not website.startswith(("https://", "http://")):
        errors["website"] = "Enter a web address starting with https://"
    problem = email_problem(data.email.strip()) if data.email.strip() else None
    if problem:
        errors["email"] = problem
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
