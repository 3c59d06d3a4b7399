"""Cheap Argon2 parameters for the tests.

Argon2 is slow on purpose: with the production parameters (64 MiB, 3 passes) every
sign-in through the log-in form costs 0.1 to 0.4 s of CPU on a 2-core machine, and
the suite signs in thousands of times. Tests hash with the cheapest parameters
Argon2id allows (still salted, with full-length salts and hashes), and verifying a
hash costs what its own parameters say. ``test_it_hashes_with_the_production_parameters``
(tests/services/accounts/test_passwords.py) checks, in a fresh interpreter that this
module has not touched, that the product hashes with RFC 9106's parameters and
upgrades a hash made with these at the next sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type

TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32,
                             salt_len=16, type=Type.ID)


def use_test_parameters() -> None:
    """Make ``services.accounts.passwords`` hash, and answer unknown e-mails, with
    ``TEST_HASHER`` in this process."""
    from services.accounts import passwords

    passwords._hasher = TEST_HASHER
    passwords._DUMMY_HASH = TEST_HASHER.hash("not-a-real-password")
