"""The ORUK 3.0 read API: shapes, filters, paging, errors and privacy."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from services.oruk import ids
from tests.factories import Cast
from tests.hub.oruk.conftest import PUBLIC_BASE_URL
from tests.services.oruk.directory import PREFIX, Directory, make_directory, make_many
from tests.services.oruk.spec import assert_valid, require_spec


def get(client: FlaskClient, path: str, status: int = 200) -> Any:
    response = client.get(PREFIX + path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    return response.get_json()


def names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["contents"]]


@pytest.fixture
def directory(db: Session, cast: Cast) -> Directory:
    return make_directory(db, cast)


def test_it_names_the_version_the_profile_and_the_openapi_url_at_the_root(
        client: FlaskClient) -> None:
    body = get(client, "/")
    assert body["version"] == "HSDS-UK-3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith("/api/oruk/v3/openapi.json")
    assert body["openapi_url"].startswith(PUBLIC_BASE_URL + "/")
    document = client.get(body["openapi_url"].replace(PUBLIC_BASE_URL, "")).get_json()
    assert document["openapi"].startswith("3.0")
    assert set(document["paths"]) >= {"/services", "/service_at_locations/{id}",
                                      "/taxonomy_terms/{id}"}


def test_it_serves_a_public_govuk_docs_page_listing_every_operation(
        client: FlaskClient) -> None:
    response = client.get(PREFIX + "/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-template" in html
    for path in ("/services", "/service_at_locations/{id}", "/taxonomies", "proximity"):
        assert path in html


def test_it_answers_every_operation_with_json_valid_against_the_oruk_schemas(
        client: FlaskClient, directory: Directory) -> None:
    require_spec()
    services = get(client, "/services")
    assert_valid("/services", services)
    for item in services["contents"]:
        assert_valid("/services/{id}", get(client, f"/services/{item['id']}"))
    sals = get(client, "/service_at_locations")
    assert_valid("/service_at_locations", sals)
    assert sals["total_items"] == 3
    for item in sals["contents"]:
        assert_valid("/service_at_locations/{id}",
                     get(client, f"/service_at_locations/{item['id']}"))
    taxonomies = get(client, "/taxonomies")
    assert_valid("/taxonomies", taxonomies)
    taxonomy = get(client, f"/taxonomies/{taxonomies['contents'][0]['id']}")
    assert_valid("/taxonomies/{id}", taxonomy)
    terms = get(client, "/taxonomy_terms?per_page=500")
    assert_valid("/taxonomy_terms", terms)
    assert len(taxonomy["taxonomy_terms"]) == terms["total_items"]
    for term in terms["contents"][:5]:
        assert_valid("/taxonomy_terms/{id}", get(client, f"/taxonomy_terms/{term['id']}"))
    assert_valid("/", get(client, "/"))


def test_it_pages_a_large_directory_consistently_with_valid_pages(
        client: FlaskClient, db: Session, cast: Cast) -> None:
    require_spec()
    make_many(db, cast.provider, 45)
    seen: list[str] = []
    for number in (1, 2, 3, 4, 5):
        body = get(client, f"/services?per_page=10&page={number}")
        assert_valid("/services", body)
        assert body["total_items"] == 45
        assert body["total_pages"] == 5
        assert body["page_number"] == number
        assert body["size"] == len(body["contents"]) == (10 if number < 5 else 5)
        assert body["first_page"] is (number == 1)
        assert body["last_page"] is (number == 5)
        assert body["empty"] is False
        seen.extend(item["id"] for item in body["contents"])
    assert len(set(seen)) == 45
    beyond = get(client, "/services?per_page=10&page=6")
    assert beyond["empty"] is True and beyond["size"] == 0 and beyond["last_page"] is True
    sal_pages = []
    for number in (1, 2, 3):
        body = get(client, f"/service_at_locations?per_page=20&page={number}")
        assert_valid("/service_at_locations", body)
        sal_pages.append(body)
    total = sal_pages[0]["total_items"]
    assert total == 45 + 9  # every venue, plus nine services also at the school hub
    assert sal_pages[0]["total_pages"] == math.ceil(total / 20)
    assert [p["size"] for p in sal_pages] == [20, 20, 14]


def test_it_answers_an_empty_directory_with_one_empty_first_and_last_page(
        client: FlaskClient) -> None:
    body = get(client, "/services")
    assert body == {"total_items": 0, "total_pages": 1, "page_number": 1, "size": 0,
                    "first_page": True, "last_page": True, "empty": True, "contents": []}


@pytest.mark.parametrize(("query", "expected"), [
    ("search=counselling", ["Young people's counselling"]),
    ("search=FAMILY%20school", ["Family support at school"]),
    ("search=anxiety", ["Young people's counselling"]),
    ("taxonomy_term_id=MHW", ["Parents' helpline", "Young people's counselling"]),
    (f"taxonomy_term_id={ids.term_id('MHW.ANX')}", ["Young people's counselling"]),
    (f"taxonomy_term_id={ids.term_id('PARENTING')}", ["Family support at school"]),
    (f"taxonomy_id={ids.taxonomy_id()}",
     ["Family support at school", "Parents' helpline", "Young people's counselling"]),
    (f"taxonomy_id={ids.derive('other')}", []),
    ("minimum_age=5", ["Young people's counselling"]),
    ("maximum_age=11", ["Family support at school"]),
    ("minimum_age=0&maximum_age=18", ["Family support at school", "Young people's counselling"]),
    ("day=Thursday", ["Family support at school", "Young people's counselling"]),
    ("day=SA", []),
    ("start_time=09:30", ["Family support at school"]),
    ("end_time=17:00", ["Family support at school", "Young people's counselling"]),
    ("end_time=13:00", ["Family support at school"]),
    ("postcode=BL1%201SE&proximity=1000", ["Young people's counselling"]),
    ("postcode=BL1%201SE&proximity=50000",
     ["Young people's counselling", "Family support at school"]),
    ("postcode=bl11se", ["Family support at school", "Parents' helpline",
                         "Young people's counselling"]),
    ("taxonomy_term_id=MHW&day=Monday&postcode=BL1%201SE&proximity=5000",
     ["Young people's counselling"]),
    ("search=helpline&day=Monday", []),
])
def test_it_combines_service_filters_with_and(
        client: FlaskClient, directory: Directory, query: str, expected: list[str]) -> None:
    assert names(get(client, f"/services?{query}")) == expected


def test_it_hides_a_service_from_a_postcode_outside_its_area(
        client: FlaskClient, directory: Directory, db: Session) -> None:
    from routing.gazetteer.models import GazetteerPostcode

    far = db.query(GazetteerPostcode).filter(GazetteerPostcode.northing > 420_000).first()
    if far is None:
        pytest.skip("no BL postcode far enough north in the gazetteer")
    found = names(get(client, f"/services?postcode={far.postcode}"))
    assert "Young people's counselling" not in found
    assert "Parents' helpline" in found


def test_it_filters_service_at_locations_by_day_and_proximity_per_location(
        client: FlaskClient, directory: Directory) -> None:
    tuesday = get(client, "/service_at_locations?day=TU")
    locations = sorted(item["location"].get("name", "") for item in tuesday["contents"])
    assert "Castle Hill Primary School" in locations
    near = get(client, "/service_at_locations?postcode=BL2%202JU&proximity=300")
    assert [item["location"]["name"] for item in near["contents"]] == [
        "Castle Hill Primary School"]
    assert near["contents"][0]["location"]["external_identifier_type"] == "URN"


@pytest.mark.parametrize("query", [
    "page=0", "page=abc", "per_page=0", "per_page=10000000", "minimum_age=old",
    "modified_after=not-a-date", "modified_after=0001-01-01T00:00:00%2B14:00",
    "page=99999999999999999999",
    "maximum_age=-1", "day=Funday", "start_time=25:00", "end_time=noon-ish",
    "proximity=100", "postcode=NOTAPOSTCODE", "postcode=BL1%201SE&proximity=far",
    "postcode=BT1%201AA", "minimum_age=nan",
])
def test_it_answers_bad_parameters_with_a_400_json_error(client: FlaskClient, query: str) -> None:
    body = get(client, f"/services?{query}", status=400)
    assert body["status"] == 400 and body["message"] and body["parameter"]
    assert get(client, f"/service_at_locations?{query}", status=400)["status"] == 400


@pytest.mark.parametrize("path", [
    "/services/not-an-id", f"/services/{ids.derive('nothing')}",
    "/service_at_locations/x", "/taxonomies/x", "/taxonomy_terms/x", "/no_such_thing",
])
def test_it_answers_unknown_ids_with_a_404_json_error(client: FlaskClient, path: str) -> None:
    assert get(client, path, status=404)["status"] == 404


def test_it_does_not_publish_inactive_services(
        client: FlaskClient, directory: Directory) -> None:
    assert "Closed group" not in names(get(client, "/services"))
    get(client, f"/services/{directory.retired.uuid}", status=404)


def test_it_publishes_no_personal_data(client: FlaskClient, directory: Directory) -> None:
    bodies = [get(client, f"/services/{directory.counselling.uuid}"),
              get(client, "/service_at_locations"), get(client, "/services")]
    text = json.dumps(bodies)
    assert "Alex Private-Person" not in text
    assert "Test team" not in text  # who last updated capacity
    assert "@example.test" not in text  # user accounts
    full = bodies[0]
    assert full["contacts"] == []
    assert full["email"] == "counselling@example.nhs.uk"
    assert full["phones"][0]["number"] == "01204 000 100"


def test_it_derives_stable_uuids_from_our_keys(
        client: FlaskClient, directory: Directory) -> None:
    full = get(client, f"/services/{directory.family_support.uuid}")
    again = get(client, f"/services/{directory.family_support.uuid}")
    assert full["service_at_locations"] == again["service_at_locations"]
    urns = {sal["location"]["external_identifier"] for sal in full["service_at_locations"]}
    assert {ids.school_location_id(urn) for urn in urns} == {
        sal["location_id"] for sal in full["service_at_locations"]}
    assert full["attributes"][0]["taxonomy_term_id"] == ids.term_id("PARENTING.PROG")
    assert full["organization_id"] == directory.cast.other_provider.uuid
    schedule_days = {s["byday"] for s in full["schedules"] if "service_at_location_id" in s}
    assert schedule_days == {"TU,TH"}


def test_it_publishes_capacity_in_the_hsds_3_1_service_capacity_style(
        client: FlaskClient, directory: Directory) -> None:
    full = get(client, f"/services/{directory.counselling.uuid}")
    places = next(c for c in full["service_capacity"] if c["unit"]["identifier"] == "places")
    assert places["available"] == 3
    assert places["updated"].endswith("Z")
    assert full["family_hub"]["capacity"]["accepting"] is True
    assert full["family_hub"]["delivery_modes"] == ["venue"]


def test_it_nests_child_taxonomy_terms_under_their_parents(
        client: FlaskClient, directory: Directory) -> None:
    term = get(client, f"/taxonomy_terms/{ids.term_id('MHW.ANX')}")
    assert term["parent_id"] == ids.term_id("MHW")
    assert term["taxonomy_id"] == ids.taxonomy_id()
    assert term["term"] == "MHW.ANX"
