"""A NUL character in a form or query value is a 400, on every backend, never a 500."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import Cast, login


def test_it_refuses_a_nul_in_a_posted_field(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.staff)
    response = client.post("/search", data={"postcode": "BL1\x001SE", "needs": "MHW"})
    assert response.status_code == 400


def test_it_refuses_a_nul_in_a_query_string(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.coordinator)
    assert client.get("/referrals?status=sent%00").status_code == 400
    assert client.get("/api/oruk/v3/services?search=a%00b").status_code == 400
