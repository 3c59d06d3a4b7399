"""The product's Argon2 parameters (the tests hash with cheaper ones: tests/passwords.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from services.accounts import passwords
from tests.passwords import TEST_HASHER

ROOT = Path(__file__).parents[3]
# Run where no test has swapped the hasher: a fresh interpreter importing the product.
PROBE = """
import json, sys
from services.accounts.passwords import hash_password, needs_rehash, verify_password
made = hash_password("correct horse battery staple")
cheap = sys.argv[1]
print(json.dumps({"made": made, "verifies": verify_password(made, "correct horse battery staple"),
                  "made_needs_rehash": needs_rehash(made), "cheap_verifies":
                  verify_password(cheap, "correct horse battery staple"),
                  "cheap_needs_rehash": needs_rehash(cheap)}))
"""


def test_it_hashes_with_the_production_parameters() -> None:
    cheap = TEST_HASHER.hash("correct horse battery staple")
    # This interpreter, running a fixed script.
    result = subprocess.run(
        [sys.executable, "-c", PROBE, cheap], cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=120)
    seen = json.loads(result.stdout)
    assert passwords.PARAMETERS == RFC_9106_LOW_MEMORY
    assert seen["made"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert extract_parameters(seen["made"]) == RFC_9106_LOW_MEMORY
    assert seen["verifies"] and not seen["made_needs_rehash"]
    # A hash made with the tests' parameters still verifies, and is upgraded to the
    # production parameters at the next sign-in (services.accounts.login.log_in).
    assert seen["cheap_verifies"] and seen["cheap_needs_rehash"]


def test_it_hashes_the_tests_passwords_cheaply_but_salted() -> None:
    assert passwords._hasher is TEST_HASHER
    made = passwords.hash_password("correct horse battery staple")
    assert extract_parameters(made).memory_cost < RFC_9106_LOW_MEMORY.memory_cost
    assert made != passwords.hash_password("correct horse battery staple")
    assert passwords.verify_password(made, "correct horse battery staple")
    assert not passwords.verify_password(None, "correct horse battery staple")
