"""Password hashing and signing in with rate limiting, below HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services.accounts import login as operations
from services.accounts.passwords import hash_password, verify_password
from tests.factories import PASSWORD, Cast


def test_it_stores_passwords_as_argon2_hashes(cast: Cast) -> None:
    assert cast.staff.password_hash.startswith("$argon2id$")
    assert verify_password(cast.staff.password_hash, PASSWORD)
    assert not verify_password(cast.staff.password_hash, "wrong")
    assert not verify_password(None, PASSWORD)
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted


def test_it_rate_limits_repeated_failures(db: Session, cast: Cast) -> None:
    for _ in range(5):
        with pytest.raises(operations.InvalidCredentials):
            operations.log_in(db, cast.staff.email, "wrong", "10.0.0.1", 5, 15)
    with pytest.raises(operations.TooManyAttempts):
        operations.log_in(db, cast.staff.email, PASSWORD, "10.0.0.2", 5, 15)


def test_it_refuses_a_deactivated_user(db: Session, cast: Cast) -> None:
    cast.worker.active = False
    db.commit()
    with pytest.raises(operations.InvalidCredentials):
        operations.log_in(db, cast.worker.email, PASSWORD, "10.0.0.3", 5, 15)
