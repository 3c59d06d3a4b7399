""""Forgot password": a one-time link by email, stored hashed, expiring, single use.

Asking never reveals whether an account exists: the same answer, and the same
work, for a known and an unknown address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from routing.referrals.outbox import queue_account_message
from services.accounts.models import PasswordResetToken, User

TEMPLATE = "password_reset"
RESET_PATH = "/password/reset/"
MAX_LINKS_PER_HOUR = 3


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(
    session: Session, email: str, now: datetime, valid_minutes: int
) -> None:
    """Email a reset link to the active account with this address, if there is one.

    Earlier unused links of the account stop working: only the newest is good. At most
    MAX_LINKS_PER_HOUR links an hour go to one account.
    """
    user = session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower()[:254])
    ).scalar_one_or_none()
    token = secrets.token_urlsafe(32)
    if user is None or not user.active:
        return
    recent = session.execute(
        select(func.count()).select_from(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.created_at > now - timedelta(hours=1))
    ).scalar_one()
    if recent >= MAX_LINKS_PER_HOUR:
        return  # someone is filling the person's inbox: say the same, send nothing
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    session.add(PasswordResetToken(
        user_id=user.id, token_hash=_hash(token), created_at=now,
        expires_at=now + timedelta(minutes=valid_minutes),
    ))
    queue_account_message(session, user.email, TEMPLATE, RESET_PATH + token, now)


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The account a reset link is for, while it is unused and unexpired."""
    if not token or len(token) > 100:
        return None
    found = session.execute(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash(token))
    ).scalar_one_or_none()
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    user = session.get(User, found.user_id)
    return user if user is not None and user.active else None


def use_token(session: Session, token: str, now: datetime) -> bool:
    """Mark the link used, atomically: of two concurrent uses only one wins."""
    done = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.token_hash == _hash(token),
               PasswordResetToken.used_at.is_(None),
               PasswordResetToken.expires_at > now)
        .values(used_at=now)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]
