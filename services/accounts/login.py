"""Signing in with rate limiting, and signing out."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.accounts.models import LoginAttempt, User
from services.accounts.passwords import hash_password, needs_rehash, verify_password
from services.db import utcnow


class TooManyAttempts(Exception):
    """Raised when an account, or (far more rarely) an address, must wait before trying
    again; ``wait`` says how long and ``address`` whether the address is the cause."""

    def __init__(self, wait: timedelta, address: bool = False) -> None:
        super().__init__(f"wait {wait}")
        self.wait = wait
        self.address = address

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (at least 1)."""
        return max(1, -(-int(self.wait.total_seconds()) // 60))


class InvalidCredentials(Exception):
    """Raised for an unknown e-mail, a wrong password or a deactivated account."""


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def account_wait(failures: int, max_failures: int, window: timedelta) -> timedelta:
    """How long an account waits after its latest failure: nothing for the first
    ``max_failures``, then 1 minute, doubling with each further failure, up to ``window``."""
    if failures < max_failures:
        return timedelta(0)
    return min(timedelta(minutes=2 ** min(failures - max_failures, 20)), window)


def check_not_limited(
    session: Session, email: str, remote_addr: str, max_failures: int, window_minutes: int,
    address_max_failures: int, now: datetime | None = None,
) -> None:
    """Raises TooManyAttempts while the account must wait (see account_wait) or the
    address has reached ``address_max_failures`` failures inside the window. Passwords
    and second-factor codes count alike."""
    now = now or utcnow()
    email_hash = _email_hash(email)
    window = timedelta(minutes=window_minutes)
    since = now - window
    failures, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at))
        .where(LoginAttempt.at >= since, LoginAttempt.email_hash == email_hash)
    ).one()
    wait = account_wait(failures, max_failures, window)
    if last is not None and now < last + wait:
        raise TooManyAttempts(last + wait - now)
    from_address, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at))
        .where(LoginAttempt.at >= since, LoginAttempt.remote_addr == remote_addr)
    ).one()
    if from_address >= address_max_failures:
        raise TooManyAttempts(oldest + window - now, address=True)


def record_failure(
    session: Session, email: str, remote_addr: str, now: datetime | None = None
) -> None:
    """Count a failed sign-in step (a wrong second-factor code, say)."""
    session.add(LoginAttempt(email_hash=_email_hash(email), remote_addr=remote_addr,
                             at=now or utcnow()))


def clear_failures(session: Session, email: str) -> None:
    """Forget an account's failures (it has signed in)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.email_hash == _email_hash(email)))


def log_in(
    session: Session,
    email: str,
    password: str,
    remote_addr: str,
    max_failures: int,
    window_minutes: int,
    address_max_failures: int = 100,
    now: datetime | None = None,
) -> User:
    """Check the credentials and return the user.

    Failures are counted per account, which then waits longer after each failure
    past ``max_failures`` (see account_wait), and per address with the far higher
    ``address_max_failures``, so a school or office behind one address is not shut
    out by one person's mistakes, while guessing across many accounts still is.
    Raises TooManyAttempts before checking anything while the account or address
    must wait, and InvalidCredentials when the e-mail, password or account is wrong.
    """
    now = now or utcnow()
    email_hash = _email_hash(email)
    check_not_limited(session, email, remote_addr, max_failures, window_minutes,
                      address_max_failures, now)
    user = session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        session.add(LoginAttempt(email_hash=email_hash, remote_addr=remote_addr, at=now))
        raise InvalidCredentials
    if not user.active:
        session.add(LoginAttempt(email_hash=email_hash, remote_addr=remote_addr, at=now))
        raise InvalidCredentials
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.two_factor_enrolled:
        clear_failures(session, email)
        user.last_login_at = now
    return user


def log_out(user: User) -> None:
    """End every session of this user, including copies of the cookie."""
    user.end_sessions()
