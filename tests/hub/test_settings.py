"""Settings: one typed, frozen object read once from the environment."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from hub.settings import _OVERRIDABLE, ConfigError, Settings

README = Path(__file__).resolve().parents[2] / "README.md"
# What production needs at the least (the public address is required since issue 14).
SECRET = {"SECRET_KEY": "s" * 32, "PUBLIC_BASE_URL": "https://familyhub.example.org"}


def test_it_reads_typed_values_from_the_environment() -> None:
    settings = Settings.from_environment({
        **SECRET, "LOGIN_MAX_FAILURES": "7", "ONLINE_GEOCODER": "yes",
        "ROUTING_WEIGHTS": '{"distance": 40}', "DATABASE_URL": "postgresql://u@h/db",
        "REFERRAL_STUCK_WORKING_DAYS": "3",
    })
    assert settings.login_max_failures == 7
    assert settings.online_geocoder is True
    assert settings.routing_weights == {"distance": 40}
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.referral_stuck_working_days == 3
    assert settings.session_cookie_secure is True  # outside demo mode


def test_it_cannot_be_changed_once_read() -> None:
    settings = Settings.from_environment(SECRET)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.login_max_failures = 1000  # type: ignore[misc]


@pytest.mark.parametrize(("name", "value"), [
    ("LOGIN_MAX_FAILURES", "five"),
    ("SESSION_LIFETIME_MINUTES", "1.5"),
    ("ROUTING_WEIGHTS", "[1, 2]"),
    ("ROUTING_WEIGHTS", "{not json"),
])
def test_it_refuses_a_malformed_value_by_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_environment({**SECRET, name: value})


def test_it_refuses_an_override_it_does_not_know() -> None:
    with pytest.raises(ConfigError, match="SQLALCHEMY_DATABASE_URI"):
        Settings.from_environment(SECRET, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_it_needs_a_secret_outside_demo_mode() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_environment({})


# Given only by code (tests, the browser journeys' app), never by an operator.
CODE_ONLY = {"CLOCK", "NOTIFY_TEMPLATES", "TESTING", "WTF_CSRF_ENABLED"}


@pytest.mark.parametrize("name", sorted(_OVERRIDABLE - CODE_ONLY))
def test_it_documents_every_variable_in_the_readme(name: str) -> None:
    table_rows = [line for line in README.read_text().splitlines() if line.startswith("| `")]
    assert any(re.search(rf"`{name}`", row) for row in table_rows), (
        f"{name} is read from the environment but not in the README's settings table")
