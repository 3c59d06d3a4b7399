"""Security headers, caching and CSRF on forms."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub import create_app
from hub.settings import settings_of
from tests.factories import PASSWORD, Cast, login


def test_it_every_response_carries_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cache-Control"] == "no-store"


def test_it_signed_in_pages_are_never_cached(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.staff)
    assert client.get("/search").headers["Cache-Control"] == "no-store"


def test_it_session_cookie_is_http_only_and_same_site(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/login", data={"email": cast.staff.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_it_a_form_posted_without_a_csrf_token_is_refused(app: Flask, cast: Cast) -> None:
    strict = create_app(settings_of(app).replace(wtf_csrf_enabled=True))
    client = strict.test_client()
    response = client.post("/login", data={"email": cast.staff.email, "password": PASSWORD})
    assert response.status_code == 400


def test_it_production_refuses_to_start_without_a_secret_key(monkeypatch: object) -> None:
    import pytest

    from hub.settings import ConfigError

    mp = pytest.MonkeyPatch()
    mp.delenv("SECRET_KEY", raising=False)
    mp.delenv("FAMILY_HUB_DEMO", raising=False)
    try:
        with pytest.raises(ConfigError):
            create_app()
    finally:
        mp.undo()


def test_it_notify_needs_the_sites_public_address_for_its_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Otherwise links in emails would come from the Host header, which a client chooses.
    from hub.settings import ConfigError, Settings

    monkeypatch.setenv("NOTIFY_API_KEY", "key")
    monkeypatch.setenv("NOTIFY_TEMPLATE_REFERRAL_SENT", "template-id")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        Settings.from_environment(overrides={"SECRET_KEY": "s" * 32})
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://hub.example.test")
    settings = Settings.from_environment(overrides={"SECRET_KEY": "s" * 32})
    assert settings.notify_templates == {"referral_sent": "template-id"}
    assert settings.public_base_url == "https://hub.example.test"
