"""``flask oruk import`` against feeds in the shapes real councils publish, served over
HTTP on localhost: each test checks the exact report and that nothing is half-written."""

from __future__ import annotations

import copy
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.listings import Service
from services.organisations import Organisation
from services.oruk import sources
from services.version import current_version
from tests.factories import Cast, login, make_service
from tests.local_http import JsonHandler, serving
from tests.services.oruk.spec import assert_valid, require_spec


def oruk1(ref: str, name: str, **fields: Any) -> dict[str, Any]:
    """An ORUK 1.0 service as council feeds publish it, with a term we map by name."""
    record: dict[str, Any] = {
        "id": ref, "name": name, "description": "Weekly course.", "status": "active",
        "url": "https://example.org/course", "email": "course@example.org",
        "organization": {"id": "org-1", "name": "Feed Council"},
        "eligibilitys": [{"eligibility": "Parents", "minimum_age": 0, "maximum_age": 16}],
        "service_taxonomys": [{"taxonomy": {"id": "t1", "name": "Parenting programmes"}}],
        "contacts": [{"phones": [{"number": "01204 111 222"}]}],
        "service_at_locations": [{"id": f"sal-{ref}", "location": {
            "name": "Town hall", "physical_addresses": [
                {"address_1": "Victoria Square", "city": "Bolton",
                 "postal_code": "BL1 1SE"}]}}],
    }
    record.update(fields)
    return record


class Council(JsonHandler):
    """An ORUK 1.0 API: pages of list items (id and name only) and a detail page each."""

    records: list[dict[str, Any]] = []
    per_page = 2
    ignores_page = False
    failing_pages: set[int] = set()
    missing_details: set[str] = set()
    queries: list[dict[str, str]] = []

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        self.queries.append(dict(urllib.parse.parse_qsl(parts.query)))
        if parts.path == "/api/services":
            number = int(dict(urllib.parse.parse_qsl(parts.query)).get("page", "1"))
            if number in self.failing_pages:
                self.reply_json(500, {"error": "boom"})
                return
            number = 1 if self.ignores_page else number
            start = (number - 1) * self.per_page
            items = [{"id": r["id"], "name": r["name"]}
                     for r in self.records[start:start + self.per_page]]
            total = max(1, -(-len(self.records) // self.per_page))
            self.reply_json(200, {"totalElements": len(self.records), "totalPages": total,
                                  "number": number, "first": number == 1,
                                  "last": number >= total, "content": items})
            return
        ref = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
        found = [r for r in self.records if r["id"] == ref]
        if not found or ref in self.missing_details:
            self.reply_json(404, {"error": "not found"})
            return
        self.reply_json(200, found[-1])


@pytest.fixture
def council(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[Council]]]:
    monkeypatch.setattr(sources, "RETRY_DELAYS", (0.0, 0.0))
    handler = type("Handler", (Council,), {"records": [], "failing_pages": set(),
                                           "missing_details": set(), "queries": []})
    with serving(handler) as url:
        yield f"{url}/api", handler


def run(app: Flask, url: str, *options: str) -> Result:
    return app.test_cli_runner().invoke(args=["oruk", "import", url, *options])


def counts(db: Session) -> tuple[int, int]:
    db.rollback()  # a fresh snapshot of what the command committed
    return (db.execute(select(func.count()).select_from(Service)).scalar_one(),
            db.execute(select(func.count()).select_from(Organisation)).scalar_one())


def by_name(db: Session, name: str) -> Service:
    db.rollback()
    return db.execute(select(Service).where(Service.name == name)).scalar_one()


def test_it_imports_a_paged_oruk_1_feed_and_cleans_html_domains_and_bad_values(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]],
        tmp_path: Path) -> None:
    url, feed = council
    feed.records = [
        oruk1("a", "Course A", description="<h4>Who&nbsp;it is for</h4><p>Parents &amp; "
              "carers<br>of <b>young</b> children</p><script>alert(1)</script>",
              url="www.example.org/a"),
        oruk1("b", "Course B", url="javascript:alert(1)", email="someone@example.org."),
        oruk1("c", "Course C", eligibilitys=[{"minimum_age": 1e999, "maximum_age": 99999}]),
    ]
    before = counts(db)
    version = current_version(db)
    result = run(app, url, "--report", str(tmp_path / "report.json"))
    assert result.exit_code == 0, result.output
    assert current_version(db) == version + 1  # once per import, not per record
    assert result.output.startswith(
        "created 3, updated 0, unchanged 0, withdrawn 0, skipped 0, organisations created 1, "
        "unmapped terms 0, warnings 4\n")
    assert counts(db) == (before[0] + 3, before[1] + 1)
    first = by_name(db, "Course A")
    assert first.description == "Who it is for\n\nParents & carers\nof young children"
    assert first.website == "https://www.example.org/a"
    second = by_name(db, "Course B")
    assert (second.website, second.contact_email) == ("", "")
    third = by_name(db, "Course C")
    assert (third.min_age, third.max_age) == (None, None)  # unusable: unknown, not 0-25
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["warnings"] == [
        "b 'Course B': email: not an email address, left out: 'someone@example.org.'",
        "b 'Course B': url: not a web address, left out: 'javascript:alert(1)'",
        "c 'Course C': minimum_age: not an age from 0 to 25, left out: inf",
        "c 'Course C': maximum_age: not an age from 0 to 25, left out: 99999",
    ]
    assert (report["created"], report["skipped"]) == (3, [])


def test_it_exits_with_an_error_and_writes_nothing_when_no_record_imports(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Course A", organization={"id": "o"}),
                    oruk1("b", "Course B", organization=None)]
    before = counts(db)
    result = run(app, url)
    assert result.exit_code == 1
    assert "created 0, updated 0, unchanged 0, withdrawn 0, skipped 2," in result.output
    assert "skipped a 'Course A': the record has no organisation" in result.output
    assert "No record was imported." in result.output
    assert counts(db) == before


def test_it_imports_a_council_feed_without_taxonomy_for_the_coordinators_triage(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Autism parent group", service_taxonomys=[],
                          description="<p>A monthly group for parents of autistic children.</p>"),
                    oruk1("b", "Course B", service_taxonomys=[])]
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "created 2, updated 0, unchanged 0, withdrawn 0, skipped 0, organisations created 1, "
        "unmapped terms 0, warnings 0")
    assert "2 services have needs not yet assigned" in result.output
    services = {s.name: s for s in db.execute(select(Service)).scalars()
                if s.name in ("Autism parent group", "Course B")}
    assert all(s.needs_triage and s.need_codes == [] for s in services.values())
    # Again: nothing changes, and both still wait.
    again = run(app, url)
    assert again.output.splitlines()[0].startswith("created 0, updated 0, unchanged 2,")
    assert "2 services have needs not yet assigned" in again.output


def test_it_rolls_everything_back_on_a_500_mid_feed(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1(str(n), f"Course {n}") for n in range(6)]
    feed.failing_pages = {3}
    before = counts(db)
    result = run(app, url)
    assert result.exit_code == 1
    assert "HTTP 500 (after 3 attempts). Nothing was imported." in result.output
    assert counts(db) == before


def test_it_saves_nothing_on_a_dry_run(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Course A"), oruk1("b", "Course B")]
    before = counts(db)
    result = run(app, url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("dry run, nothing saved: created 2, updated 0")
    assert counts(db) == before


def test_it_skips_a_record_whose_detail_page_is_missing_and_reports_duplicates(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Course A"), oruk1("b", "Course B"),
                    oruk1("c", "Course C"), oruk1("a", "Course A again")]
    feed.missing_details = {"b"}
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "created 2, updated 0, unchanged 0, withdrawn 0, skipped 2," in result.output
    # Both list items named "a" fetch the same detail page (the later record's).
    assert "skipped a 'Course A again': duplicate id in the feed; the first record with it " \
           "was kept" in result.output
    assert "skipped b 'Course B': its detail page answered 404 Not Found" in result.output
    assert by_name(db, "Course A again").name == "Course A again"
    again = run(app, url)
    assert "created 0, updated 0, unchanged 2, withdrawn 0, skipped 2," in again.output


def test_it_stops_when_the_server_ignores_page_and_withdraws_nothing(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1(str(n), f"Course {n}") for n in range(6)]
    assert run(app, url).exit_code == 0
    feed.ignores_page = True
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "created 0, updated 0, unchanged 2, withdrawn 0, skipped 0," in result.output
    assert "warning: page 2 repeats an earlier page" in result.output


def test_it_withdraws_services_gone_from_the_feed_or_inactive_and_brings_them_back(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Course A"), oruk1("b", "Course B"), oruk1("c", "Course C")]
    assert run(app, url).exit_code == 0
    feed.records = [oruk1("a", "Course A"), oruk1("b", "Course B", status="inactive")]
    result = run(app, url)
    assert "created 0, updated 0, unchanged 1, withdrawn 2, skipped 0," in result.output
    assert (by_name(db, "Course B").active, by_name(db, "Course C").active) == (False, False)
    feed.records = [oruk1("a", "Course A"), oruk1("b", "Course B"), oruk1("c", "Course C")]
    result = run(app, url)
    assert "created 0, updated 2, unchanged 1, withdrawn 0, skipped 0," in result.output
    assert by_name(db, "Course C").active


def test_it_never_takes_over_our_service_or_organisation_with_a_hostile_id(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    ours = make_service(db, cast.provider, name="Our counselling")
    ours.contact_email = "ours@example.nhs.uk"
    db.commit()
    hostile = oruk1(ours.uuid, "Renamed by a feed", email="attacker@example.org",
                    organization={"id": cast.provider.uuid, "name": cast.provider.name})
    feed.records = [hostile]
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "created 1, updated 0, unchanged 0, withdrawn 0, skipped 0, organisations " \
           "created 1," in result.output
    db.rollback()
    kept = db.get(Service, ours.id)
    assert kept is not None
    assert (kept.name, kept.contact_email, kept.organisation_id) == (
        "Our counselling", "ours@example.nhs.uk", cast.provider.id)
    imported = by_name(db, "Renamed by a feed")
    assert imported.uuid != ours.uuid
    assert imported.organisation_id != cast.provider.id
    assert imported.organisation.uuid != cast.provider.uuid
    assert imported.organisation.name == f"{cast.provider.name} (127.0.0.1)"


def test_it_keeps_two_sources_with_the_same_ids_apart(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Course A")]
    assert run(app, url, "--source-name", "north").exit_code == 0
    feed.records = [oruk1("a", "Other council's course")]
    result = run(app, url, "--source-name", "south")
    assert "created 1, updated 0" in result.output
    assert by_name(db, "Course A").active and by_name(db, "Other council's course").active


def test_it_skips_one_unsaveable_record_and_keeps_the_rest(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    long_name = oruk1("long", "x" * 300)
    bad_postcode = oruk1("far", "Far away", service_at_locations=[{"id": "s", "location": {
        "physical_addresses": [{"address_1": "1 Road", "postal_code": "ZZ99 9ZZ"}]}}])
    feed.records = [long_name, copy.deepcopy(oruk1("ok", "Fine course")), bad_postcode]
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "created 1, updated 0, unchanged 0, withdrawn 0, skipped 2," in result.output
    assert "the name is longer than 200 characters" in result.output
    assert by_name(db, "Fine course").active


def test_it_places_a_venue_by_the_feeds_coordinates_and_keeps_its_name(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    # M1 1AE is not in the test gazetteer (only BL is): the coordinates place it.
    feed.records = [oruk1("m", "Manchester course", service_at_locations=[
        {"id": "s", "location": {"name": "Central Library", "latitude": 53.4780,
                                 "longitude": -2.2445, "physical_addresses": [
                                     {"address_1": "St Peter's Square", "city": "Manchester",
                                      "postal_code": "M1 1AE"}]}}])]
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "created 1, updated 0, unchanged 0, withdrawn 0, skipped 0," in result.output
    location = by_name(db, "Manchester course").location
    assert location is not None
    assert (location.name, location.postcode, location.latitude) == (
        "Central Library", "M1 1AE", 53.4780)
    assert 383_000 < location.easting < 385_000 and 397_000 < location.northing < 399_000
    assert "unchanged 1," in run(app, url).output


def test_it_keeps_the_oruk_fields_it_does_not_use_and_publishes_them_back(
        app: Flask, db: Session, client: FlaskClient, cast: Cast,
        council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1(
        "k", "Kept course", accreditations="<p>Ofsted registered</p>",
        assured_date="2024-03-01", assurer_email="assurer@example.org", alert="Closed in August",
        fundings=[{"source": "Council grant"}],
        organization={"id": "org-k", "name": "Kept Charity", "logo": "www.example.org/l.png",
                      "uri": "javascript:alert(1)"})]
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "warning: k 'Kept course': uri: not a web address, left out: " \
           "'javascript:alert(1)'" in result.output
    service = by_name(db, "Kept course")
    body = client.get(f"/api/oruk/v3/services/{service.uuid}").get_json()
    assert (body["accreditations"], body["assured_date"], body["assurer_email"],
            body["alert"]) == ("Ofsted registered", "2024-03-01", "assurer@example.org",
                               "Closed in August")
    assert [f["source"] for f in body["funding"]] == ["Council grant"]
    assert body["organization"]["logo"] == "https://www.example.org/l.png"
    assert "uri" not in body["organization"]
    assert "unchanged 1," in run(app, url).output


def test_it_asks_for_changes_only_with_modified_after_and_withdraws_nothing(
        app: Flask, db: Session, cast: Cast, council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [oruk1("a", "Course A"), oruk1("b", "Course B")]
    assert run(app, url).exit_code == 0
    feed.records = [oruk1("b", "Course B renamed")]
    feed.queries.clear()
    result = run(app, url, "--modified-after", "2025-01-31T09:00:00")
    assert result.exit_code == 0, result.output
    assert "created 0, updated 1, unchanged 0, withdrawn 0, skipped 0," in result.output
    assert feed.queries[0]["modified_after"] == "2025-01-31T09:00:00Z"
    assert by_name(db, "Course A").active


def test_it_keeps_fees_ages_languages_and_ways_unknown_when_the_feed_does_not_state_them(
        app: Flask, db: Session, client: FlaskClient, cast: Cast,
        council: tuple[str, type[Council]]) -> None:
    url, feed = council
    feed.records = [
        oruk1("u", "Unstated course", eligibilitys=[]),
        oruk1("s", "Stated course", fees="£5 a session", attending_type="venue",
              languages=[{"language": "Polish"}]),
    ]
    result = run(app, url)
    assert result.exit_code == 0, result.output
    unknown = by_name(db, "Unstated course")
    # Never invented: no "Free", no 0-25, no English, no "online".
    assert (unknown.min_age, unknown.max_age, unknown.cost, unknown.languages,
            unknown.delivery_modes) == (None, None, None, [], [])
    stated = by_name(db, "Stated course")
    assert (stated.min_age, stated.max_age, stated.cost, stated.languages,
            stated.delivery_modes) == (0, 16, "£5 a session", ["Polish"], ["venue"])
    # The API omits what is not stated, and still passes the official schemas.
    body = client.get(f"/api/oruk/v3/services/{unknown.uuid}").get_json()
    for key in ("fees", "minimum_age", "maximum_age", "languages", "cost_options"):
        assert key not in body, key
    assert "delivery_modes" not in body.get("family_hub", {})
    listed = client.get("/api/oruk/v3/services?per_page=500").get_json()
    item = next(i for i in listed["contents"] if i["id"] == unknown.uuid)
    assert not {"fees", "minimum_age", "maximum_age"} & set(item)
    require_spec()
    assert_valid("/services/{id}", body)
    assert_valid("/services", listed)
    # The service page says "Not stated" for each.
    login(client, cast.coordinator)
    page = client.get(f"/services/{unknown.id}").get_data(as_text=True)
    for label in ("Ages", "Cost", "Delivered", "Languages"):
        assert re.search(label + r"\s*</dt>\s*<dd[^>]*>\s*Not stated\s*</dd>", page), label
    # Unknown stays unknown on the next import: nothing changed.
    assert "unchanged 2," in run(app, url).output
