"""Two-factor sign-in: TOTP codes from an authenticator app, and single-use recovery codes.

The clock is the caller's (``now``), so tests can freeze it. A code is accepted for
the current 30-second step or the one either side (clock drift), and each step only
once: a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import RecoveryCode, User
from services.errors import InvalidInput

ISSUER = "Family Hub"
RECOVERY_CODES = 10
_STEP_SECONDS = 30
# No 0/O or 1/l/I: codes are read off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    """A random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _timestamp(now: datetime) -> float:
    return now.replace(tzinfo=UTC).timestamp()


def current_code(secret: str, now: datetime) -> str:
    """The code an authenticator shows at ``now`` (tests, and the demo's hint)."""
    return pyotp.TOTP(secret).at(_timestamp(now))


def _matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    code = "".join(code.split())
    # ASCII digits only: "²²²²²²" is digits to str.isdigit(), and pyotp's NFKC
    # comparison would read it as 222222.
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(_timestamp(now)) // _STEP_SECONDS
    for candidate in (step - 1, step, step + 1):
        if after is not None and candidate <= after:
            continue
        if hmac.compare_digest(totp.at(candidate * _STEP_SECONDS), code):
            return candidate
    return None


def check_totp(user: User, code: str, now: datetime) -> bool:
    """Whether ``code`` is the user's current code, not used before; marks it used."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; uses it up."""
    if not _normalise(code):
        return False
    found = session.execute(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    ).scalar_one_or_none()
    if found is None:
        return False
    found.used_at = now
    return True


def check_second_factor(session: Session, user: User, code: str, now: datetime) -> bool:
    """An authenticator code or a recovery code; either is used up when accepted."""
    return check_totp(user, code, now) or use_recovery_code(session, user, code, now)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; the codes, shown once."""
    for old in session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id)
    ).scalars():
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    return codes


def unused_recovery_codes(session: Session, user: User) -> int:
    from sqlalchemy import func

    return int(session.execute(
        select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one())


def enrol(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Turn on the second factor once the app shows a right code; the recovery codes.

    Raises InvalidInput (key ``code``) when the code does not match ``secret``.
    """
    step = _matching_step(secret, code, now, None)
    if step is None:
        raise InvalidInput({"code": "Enter the 6-digit code your authenticator app shows now"})
    user.totp_secret = secret
    user.totp_last_step = step
    return new_recovery_codes(session, user)


def turn_off(session: Session, user: User) -> None:
    """Remove the second factor and its recovery codes.

    Raises InvalidInput (key ``two_factor``) for an account that must keep one.
    """
    if user.two_factor_required:
        raise InvalidInput({"two_factor": "Your role must sign in with a second factor"})
    user.totp_secret = None
    user.totp_last_step = None
    for old in session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id)
    ).scalars():
        session.delete(old)
