"""Signing in and out, rate limiting, and what a signed-out cookie can do."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, Cast, login


def test_it_signs_in_with_the_right_password(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.staff)
    assert client.get("/search").status_code == 200


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(
    client: FlaskClient, cast: Cast
) -> None:
    response = client.post("/login", data={"email": cast.staff.email, "password": "nope"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "nope"})
    assert "Enter a correct email address and password" in unknown.get_data(as_text=True)


def test_it_keeps_the_typed_email_after_a_failed_sign_in(client: FlaskClient, cast: Cast) -> None:
    response = client.post("/login", data={"email": cast.staff.email, "password": "nope"})
    assert f'value="{cast.staff.email}"' in response.get_data(as_text=True)


def test_it_the_rate_limit_page_says_to_wait(client: FlaskClient, cast: Cast) -> None:
    for _ in range(5):
        client.post("/login", data={"email": cast.staff.email, "password": "wrong"})
    response = client.post("/login", data={"email": cast.staff.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_it_signing_out_makes_a_copied_cookie_useless(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    login(client, cast.staff)
    cookie = client.get_cookie("family_hub_session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("family_hub_session", cookie.value)
    assert copy.get("/search").status_code == 200
    client.post("/logout")
    response = copy.get("/search")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_it_pages_need_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/search")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_it_does_not_redirect_to_another_site_after_sign_in(
    client: FlaskClient, cast: Cast
) -> None:
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": cast.staff.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/search"
