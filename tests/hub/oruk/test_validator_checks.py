"""The official ORUK validator's checks and the API details real clients trip on:
trailing slashes, preflights, per_page caps, modified_after and several term ids."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.settings import settings_of
from services.oruk import ids
from tests.factories import Cast
from tests.hub.oruk.conftest import PUBLIC_BASE_URL
from tests.services.oruk.directory import PREFIX, Directory, make_directory
from tests.services.oruk.spec import require_spec, upstream_service_validator


@pytest.fixture
def directory(db: Session, cast: Cast) -> Directory:
    return make_directory(db, cast)


def test_it_passes_the_upstream_service_schema_for_every_service_at_location_by_id(
        client: FlaskClient, directory: Directory) -> None:
    require_spec()
    page = client.get(f"{PREFIX}/service_at_locations?per_page=500").get_json()
    assert page["contents"]
    for item in page["contents"]:
        body = client.get(f"{PREFIX}/service_at_locations/{item['id']}").get_json()
        errors = [e.message for e in upstream_service_validator().iter_errors(body)]
        assert errors == []
        assert (body["name"], body["status"]) == (body["service"]["name"], "active")


@pytest.mark.parametrize("path", ["", "/", "/services", "/services/", "/taxonomies/",
                                  "/taxonomy_terms/", "/service_at_locations/"])
def test_it_answers_with_and_without_a_trailing_slash_without_redirecting(
        client: FlaskClient, directory: Directory, path: str) -> None:
    response = client.get(PREFIX + path)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_it_answers_a_preflight_with_the_methods_and_headers_allowed(
        client: FlaskClient) -> None:
    response = client.options(f"{PREFIX}/services", headers={
        "Origin": "https://validator.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept, x-requested-with"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "accept, x-requested-with"


def test_it_caps_per_page_and_says_so(client: FlaskClient, directory: Directory) -> None:
    response = client.get(f"{PREFIX}/services?per_page=501")
    assert response.status_code == 200
    assert response.headers["X-Per-Page-Maximum"] == "500"
    assert response.get_json()["total_items"] == 3


def test_it_filters_by_modified_after_and_refuses_a_bad_date(
        client: FlaskClient, directory: Directory) -> None:
    future = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = "2000-01-01T00:00:00+01:00"
    assert client.get(f"{PREFIX}/services?modified_after={future}").get_json()[
        "total_items"] == 0
    assert client.get(f"{PREFIX}/services?modified_after={past}").get_json()[
        "total_items"] == 3
    bad = client.get(f"{PREFIX}/services?modified_after=not-a-date")
    assert bad.status_code == 400
    assert bad.get_json()["parameter"] == "modified_after"


def test_it_reads_comma_separated_term_ids_as_any_of_them(
        client: FlaskClient, directory: Directory) -> None:
    both = f"{ids.term_id('PARENTING.PROG')}, {ids.term_id('MHW.ANX')}"
    names = sorted(item["name"] for item in client.get(
        f"{PREFIX}/services?taxonomy_term_id={both}").get_json()["contents"])
    assert names == ["Family support at school", "Young people's counselling"]


def test_it_takes_absolute_urls_from_public_base_url_never_the_host_header(
        app: Flask, client: FlaskClient) -> None:
    body = client.get(f"{PREFIX}/", headers={"Host": "evil.example"}).get_json()
    assert "evil.example" not in body["openapi_url"]
    assert settings_of(app).public_base_url == PUBLIC_BASE_URL
    assert body["openapi_url"] == f"{PUBLIC_BASE_URL}{PREFIX}/openapi.json"
