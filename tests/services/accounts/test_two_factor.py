"""TOTP codes (each good once, with one step of drift) and single-use recovery codes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy.orm import Session

from services.accounts import two_factor
from services.accounts.models import RecoveryCode
from services.errors import InvalidInput
from tests.factories import Cast

NOW = datetime(2026, 3, 2, 9, 0, 0)


def _code(secret: str, at: datetime) -> str:
    return two_factor.current_code(secret, at)


def test_it_accepts_the_current_code_once_only(db: Session, cast: Cast) -> None:
    user = cast.staff
    user.totp_secret = pyotp.random_base32(32)
    code = _code(user.totp_secret, NOW)
    assert two_factor.check_totp(user, code, NOW)
    assert not two_factor.check_totp(user, code, NOW + timedelta(seconds=5))


def test_it_allows_one_step_of_clock_drift_but_not_two(db: Session, cast: Cast) -> None:
    user = cast.staff
    user.totp_secret = pyotp.random_base32(32)
    assert two_factor.check_totp(user, _code(user.totp_secret, NOW - timedelta(seconds=30)), NOW)
    assert not two_factor.check_totp(
        user, _code(user.totp_secret, NOW + timedelta(seconds=90)), NOW)


def test_it_refuses_junk_and_a_user_without_a_second_factor(db: Session, cast: Cast) -> None:
    assert not two_factor.check_totp(cast.staff, "123456", NOW)
    cast.staff.totp_secret = pyotp.random_base32(32)
    for junk in ("", "abcdef", "1234567", "12345"):
        assert not two_factor.check_totp(cast.staff, junk, NOW)


def test_it_enrols_only_with_a_right_code_and_gives_ten_recovery_codes(
    db: Session, cast: Cast
) -> None:
    secret = two_factor.new_secret()
    with pytest.raises(InvalidInput) as refused:
        two_factor.enrol(db, cast.staff, secret, "000000", NOW)
    assert "code" in refused.value.errors
    assert cast.staff.totp_secret is None
    codes = two_factor.enrol(db, cast.staff, secret, _code(secret, NOW), NOW)
    assert cast.staff.totp_secret == secret
    assert len(set(codes)) == 10
    db.flush()
    stored = db.query(RecoveryCode).filter_by(user_id=cast.staff.id).all()
    # Only hashes are kept.
    assert {row.code_hash for row in stored}.isdisjoint(codes)
    assert all(len(row.code_hash) == 64 for row in stored)


def test_it_a_recovery_code_works_once(db: Session, cast: Cast) -> None:
    secret = two_factor.new_secret()
    codes = two_factor.enrol(db, cast.staff, secret, _code(secret, NOW), NOW)
    db.flush()
    assert two_factor.check_second_factor(db, cast.staff, codes[0].upper(), NOW)
    db.flush()
    assert not two_factor.check_second_factor(db, cast.staff, codes[0], NOW)
    assert two_factor.unused_recovery_codes(db, cast.staff) == 9


def test_it_new_recovery_codes_replace_the_old(db: Session, cast: Cast) -> None:
    secret = two_factor.new_secret()
    old = two_factor.enrol(db, cast.staff, secret, _code(secret, NOW), NOW)
    db.flush()
    new = two_factor.new_recovery_codes(db, cast.staff)
    db.flush()
    assert not two_factor.use_recovery_code(db, cast.staff, old[1], NOW)
    assert two_factor.use_recovery_code(db, cast.staff, new[1], NOW)


def test_it_a_role_that_needs_a_second_factor_cannot_turn_it_off(
    db: Session, cast: Cast
) -> None:
    with pytest.raises(InvalidInput):
        two_factor.turn_off(db, cast.coordinator)
    assert cast.coordinator.totp_secret is not None
    secret = two_factor.new_secret()
    two_factor.enrol(db, cast.staff, secret, _code(secret, NOW), NOW)
    two_factor.turn_off(db, cast.staff)
    assert cast.staff.totp_secret is None
