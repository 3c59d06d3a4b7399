"""Absolute URLs come from PUBLIC_BASE_URL (in demo mode, the configured host and
port), never from the request's Host header, which a client chooses."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from hub import create_app
from hub.settings import ConfigError, Settings
from tests.conftest import _base_config
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import sent_referral

BASE = "https://familyhub.example.org"
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def _app(database_url: str) -> Flask:
    return create_app({**_base_config(database_url), "PUBLIC_BASE_URL": BASE + "/"})


def test_it_writes_the_apis_addresses_from_the_setting_not_the_host_header(
    database_url: str, app: Flask
) -> None:
    client = _app(database_url).test_client()
    body = client.get("/api/oruk/v3/", headers=EVIL).get_json()
    assert body["openapi_url"] == f"{BASE}/api/oruk/v3/openapi.json"
    spec = client.get("/api/oruk/v3/openapi.json", headers=EVIL).get_data(as_text=True)
    assert "evil.example" not in spec and BASE in spec


def test_it_gives_staff_a_progress_link_on_the_public_address(
    database_url: str, app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    staff = _app(database_url).test_client()
    # Every request of this client names the attacker's host (cookies follow it).
    staff.environ_base["HTTP_HOST"] = "evil.example"
    login(staff, cast.staff)
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    key = re.search(r'name="issue_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    shown = staff.post(f"/referrals/children/{referral.child_id}/progress-link",
                       data={"issue_key": key, "referrals": [str(referral.id)]},
                       headers={"X-Forwarded-Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in shown
    assert re.search(re.escape(BASE) + r"/progress/[A-Za-z0-9_-]{40,}", shown)


def test_it_needs_the_public_address_outside_demo_mode() -> None:
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        Settings.from_environment({"SECRET_KEY": "s" * 32})


@pytest.mark.parametrize("value", ["familyhub.example.org", "javascript:alert(1)",
                                   "https://", "https://hub.example/?next=x",
                                   "ftp://hub.example"])
def test_it_refuses_a_malformed_public_address(value: str) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        Settings.from_environment({"SECRET_KEY": "s" * 32, "PUBLIC_BASE_URL": value})


def test_it_links_to_the_configured_host_and_port_in_demo_mode() -> None:
    demo = Settings.from_environment({"FAMILY_HUB_DEMO": "1", "SECRET_KEY": "s" * 32,
                                      "PORT": "8000"})
    assert demo.public_base_url == "http://127.0.0.1:8000"
    given = Settings.from_environment({"SECRET_KEY": "s" * 32,
                                       "PUBLIC_BASE_URL": "https://hub.example/fh/"})
    assert given.public_base_url == "https://hub.example/fh"
