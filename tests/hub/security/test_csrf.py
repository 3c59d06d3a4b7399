"""Every POST route refuses a request without a valid CSRF token.

Routes come from ``app.url_map``, so a form another engineer adds later is
covered too. The only CSRF-exempt views are the read-only public API, and
none of them may accept a POST.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.settings import Settings
from services.db import Base
from tests.factories import Cast
from tests.hub.security.support import (
    World,
    build_world,
    csrf_token_from,
    is_csrf_exempt,
    iter_rules,
    methods,
    sign_in,
    strict_app,
    urls_for,
)

ROLES = ["anonymous", "coordinator", "staff", "dsl", "manager", "worker"]
# Blueprints allowed to skip CSRF: read-only, cookie-less, public.
READ_ONLY_EXEMPT_BLUEPRINTS = {"oruk"}
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def world(db: Session, cast: Cast) -> World:
    return build_world(db, cast)


@pytest.fixture
def strict(app: Flask) -> Flask:
    return strict_app(app)


def _row_counts(db: Session) -> dict[str, int]:
    db.rollback()
    return {
        table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def test_it_production_settings_keep_csrf_protection_on() -> None:
    settings = Settings.from_environment(overrides={
        "SECRET_KEY": "x" * 32, "PUBLIC_BASE_URL": "https://familyhub.example.org",
    }).flask_config()
    assert settings.get("WTF_CSRF_ENABLED", True) is True
    assert settings.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert set(settings.get("WTF_CSRF_METHODS", UNSAFE_METHODS)) >= set(UNSAFE_METHODS)


def test_it_every_post_route_can_be_reached_with_test_data(strict: Flask, world: World) -> None:
    unfilled = [
        r.endpoint for r in iter_rules(strict, "POST") if urls_for(strict, r, world) is None
    ]
    assert not unfilled, f"teach build_world the arguments of {unfilled}"


@pytest.mark.parametrize("role", ROLES)
def test_it_every_post_route_refuses_a_request_without_a_valid_csrf_token(
    strict: Flask, db: Session, world: World, role: str
) -> None:
    client = strict.test_client()
    if role != "anonymous":
        sign_in(client, getattr(world.cast, role))
    before = _row_counts(db)
    accepted = []
    for rule in iter_rules(strict, "POST"):
        if is_csrf_exempt(strict, rule):
            continue
        for url in urls_for(strict, rule, world) or []:
            for data in ({}, {"csrf_token": "forged"}):
                response = client.post(url, data=data)
                if response.status_code != 400:
                    accepted.append(f"{url} {data or 'no token'}: {response.status_code}")
    assert not accepted, "POST accepted without a valid CSRF token:\n" + "\n".join(accepted)
    assert _row_counts(db) == before, "a refused POST changed the database"


def test_it_a_post_with_the_session_token_is_let_through(strict: Flask, cast: Cast) -> None:
    """The control for the test above: it is the token, not the route, that fails."""
    client = strict.test_client()
    sign_in(client, cast.staff)
    token = csrf_token_from(client.get("/search").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_it_only_the_read_only_api_is_csrf_exempt_and_it_accepts_no_writes(
    strict: Flask, world: World
) -> None:
    client = strict.test_client()
    sign_in(client, world.cast.coordinator)
    exempt = [r for r in strict.url_map.iter_rules() if is_csrf_exempt(strict, r)]
    blueprints = {r.endpoint.rpartition(".")[0] for r in exempt}
    assert blueprints <= READ_ONLY_EXEMPT_BLUEPRINTS
    accepted = []
    for rule in exempt:
        for method in set(UNSAFE_METHODS) & methods(rule):
            for url in urls_for(strict, rule, world) or []:
                response = client.open(url, method=method, data={"x": "1"})
                if response.status_code < 400:
                    accepted.append(f"{method} {url}: {response.status_code}")
    assert not accepted, "a CSRF-exempt route accepted a write:\n" + "\n".join(accepted)
