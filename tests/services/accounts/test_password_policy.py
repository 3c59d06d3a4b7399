"""The password policy: long enough, and not common or guessable."""

from __future__ import annotations

import pytest

from services.accounts.password_policy import password_problem


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "password1234", "qwertyuiop12", "123456789012", "letmein12345",
    "familyhub2024",
])
def test_it_refuses_common_and_guessable_passwords(password: str) -> None:
    assert password_problem(password) is not None


def test_it_refuses_a_password_made_of_the_persons_own_details() -> None:
    assert password_problem("jess.rowley.tonge", ["jess.rowley@tonge.example"]) is not None


def test_it_accepts_random_words() -> None:
    assert password_problem("correct horse battery staple") is None
    assert password_problem("plum kettle orbit marsh") is None


def test_it_refuses_short_and_overlong_passwords() -> None:
    assert "12 characters" in (password_problem("Xq7#pL2!") or "")
    assert "200 characters" in (password_problem("plum kettle " * 20) or "")
