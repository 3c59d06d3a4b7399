"""Signing in with rate limiting, and signing out."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from services.accounts.models import LoginAttempt, User
from services.accounts.passwords import hash_password, needs_rehash, verify_password
from services.db import utcnow


class TooManyAttempts(Exception):
    """Raised when an account or address has failed to log in too often recently."""


class InvalidCredentials(Exception):
    """Raised for an unknown e-mail, a wrong password or a deactivated account."""


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def check_not_limited(
    session: Session, email: str, remote_addr: str, max_failures: int, window_minutes: int
) -> None:
    """Raises TooManyAttempts once ``max_failures`` failures for this e-mail or address
    fall inside the window (passwords and second-factor codes count alike)."""
    since = utcnow() - timedelta(minutes=window_minutes)
    recent = session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since)
        .where(
            or_(LoginAttempt.email_hash == _email_hash(email),
                LoginAttempt.remote_addr == remote_addr)
        )
    ).scalar_one()
    if recent >= max_failures:
        raise TooManyAttempts


def record_failure(session: Session, email: str, remote_addr: str) -> None:
    """Count a failed sign-in step (a wrong second-factor code, say)."""
    session.add(LoginAttempt(email_hash=_email_hash(email), remote_addr=remote_addr))


def clear_failures(session: Session, email: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.email_hash == _email_hash(email)))


def log_in(
    session: Session,
    email: str,
    password: str,
    remote_addr: str,
    max_failures: int,
    window_minutes: int,
) -> User:
    """Check the credentials and return the user.

    Raises TooManyAttempts before checking anything once ``max_failures``
    failures for this e-mail or address fall inside the window, and
    InvalidCredentials when the e-mail, password or account is wrong.
    """
    email_hash = _email_hash(email)
    check_not_limited(session, email, remote_addr, max_failures, window_minutes)
    user = session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        session.add(LoginAttempt(email_hash=email_hash, remote_addr=remote_addr))
        raise InvalidCredentials
    if not user.active:
        session.add(LoginAttempt(email_hash=email_hash, remote_addr=remote_addr))
        raise InvalidCredentials
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.two_factor_enrolled:
        clear_failures(session, email)
        user.last_login_at = utcnow()
    return user


def log_out(user: User) -> None:
    """End every session of this user, including copies of the cookie."""
    user.end_sessions()
