"""Account use cases: create, list and edit users, deactivate and reactivate, reset passwords.

Every function changes the session but never commits. Rules that the user can
break raise InvalidInput keyed by form field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.accounts.models import Role, User
from services.accounts.password_policy import password_problem
from services.accounts.passwords import hash_password, verify_password
from services.checks import email_problem
from services.errors import InvalidInput
from services.organisations import Organisation, OrganisationKind


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


def create_user(
    session: Session, *, email: str, name: str, password: str, role: Role, organisation_id: int
) -> User:
    """Add a user account without checks; ``add_user`` checks first, then calls this."""
    user = User(
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    return user


def list_users(session: Session, organisation_id: int | None = None) -> list[User]:
    """Users by name, all or only those of one organisation."""
    query = select(User).order_by(User.name, User.email)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.execute(query).scalars())


def _password_error(password: str, *known: str) -> str | None:
    return password_problem(password, known)


def role_fits_organisation(role: Role, organisation: Organisation) -> str | None:
    """Why ``role`` cannot belong to ``organisation``, or None when it can."""
    if role.is_school and organisation.kind != OrganisationKind.SCHOOL:
        return f"{role.label} accounts must belong to a school"
    if role.is_provider and not organisation.provides_services:
        return f"{role.label} accounts must belong to an organisation that provides services"
    if role is Role.LINK_WORKER and not organisation.provides_services:
        return ("Link worker accounts must belong to the organisation that employs them "
                "(a council, NHS, housing or voluntary organisation, not a school)")
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
    problem = email_problem(email)
    if problem:
        errors["email"] = problem
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


def add_user(session: Session, data: UserInput, *, set_by_coordinator: bool = True) -> User:
    """Create an account with an initial password (hashed with Argon2 by ``create_user``).

    A password a coordinator chose must be changed at the person's first sign-in
    (``set_by_coordinator``; the demo's shared, documented password is the exception,
    and is not checked for strength either).
    Raises InvalidInput keyed by field for a missing name, a malformed or
    taken email (ignoring case), an unknown role or organisation, a role that
    does not fit the organisation, or a password that is short, common or guessable.
    """
    errors: dict[str, str] = {}
    details = _check_user_details(session, data, errors)
    problem = (_password_error(data.password, data.email, data.name)
               if set_by_coordinator else None)
    if problem:
        errors["password"] = problem
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
    user.must_change_password = set_by_coordinator
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


def reset_password(user: User, password: str, by: User | None = None) -> None:
    """Set a new password (a coordinator's), end the user's sessions, and make the user
    choose their own at their next sign-in (unless ``by`` is the user: they know it).

    Raises InvalidInput (key ``password``) for a short, common or guessable password.
    """
    problem = _password_error(password, user.email, user.name)
    if problem:
        raise InvalidInput({"password": problem})
    user.password_hash = hash_password(password)
    user.must_change_password = by is None or by.id != user.id
    user.end_sessions()


def set_own_password(user: User, new: str, confirm: str, now: datetime) -> None:
    """The person's own new password (after a reset link, or a forced change): checked,
    stored, and every other session ended.

    Raises InvalidInput keyed by field for a weak password (``password``), a
    confirmation that differs (``confirm``), or the same password again.
    """
    errors: dict[str, str] = {}
    problem = _password_error(new, user.email, user.name)
    if problem:
        errors["password"] = problem
    elif verify_password(user.password_hash, new):
        errors["password"] = "Choose a password different from the one you have now"  # noqa: S105
    if not errors and new != confirm:
        errors["confirm"] = "Enter the same new password twice"
    if errors:
        raise InvalidInput(errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = now
    user.end_sessions()


def change_password(user: User, current: str, new: str, confirm: str, now: datetime) -> None:
    """Self-service change: the current password, then ``set_own_password``.

    Raises InvalidInput (key ``current``) for a wrong current password, and whatever
    ``set_own_password`` raises.
    """
    if not verify_password(user.password_hash, current):
        raise InvalidInput({"current": "Your current password is not right"})
    set_own_password(user, new, confirm, now)


def set_dpo(user: User, is_dpo: bool) -> None:
    """Make the person the data protection officer (or not); they then need a second
    factor, so their sessions end and they sign in again to enrol one."""
    if user.is_dpo != is_dpo:
        user.is_dpo = is_dpo
        user.end_sessions()


def remove_second_factor(user: User) -> None:
    """A coordinator's reset for a person who lost their phone and recovery codes: the
    authenticator and codes stop working, sessions end; a role that needs a second factor
    enrols a new one at the next sign-in."""
    user.totp_secret = None
    user.totp_last_step = None
    user.end_sessions()
