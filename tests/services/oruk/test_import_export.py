"""Import and export: round trips, idempotence, feeds over HTTP, examples and the CLI."""

from __future__ import annotations

import copy
import json
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.hub_links import agree_hub
from services.listings import Service, ServiceSchool
from services.organisations import Organisation
from services.oruk.exporter import export_directory, write_json, write_tabular
from services.oruk.importer import MappingError, import_records, load_mapping
from services.oruk.sources import read_json_file, read_source, read_tabular
from tests.factories import Cast
from tests.local_http import JsonHandler, serving
from tests.routing.referrals.helpers import actor
from tests.services.oruk.directory import PREFIX, Directory, make_directory
from tests.services.oruk.spec import HSDS, ORUK, require_spec

VOLATILE = {"id", "location_id", "service_at_location_id", "last_modified", "link_id",
            "exported_at"}


def comparable(data: Any) -> Any:
    """The export without ids derived from database row ids and timestamps of the write."""
    if isinstance(data, dict):
        return {k: comparable(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [comparable(v) for v in data]
    return data


def delete_services(db: Session) -> None:
    """Leave the database as a fresh one would be for an import of our export: no
    services, and our organisations' names and UUIDs free (imports never join ours)."""
    for service in db.execute(select(Service)).scalars():
        db.delete(service)
    for organisation in db.execute(select(Organisation)).scalars():
        organisation.name = f"Earlier {organisation.name}"
        organisation.uuid = str(uuid.uuid4())
    db.commit()


@pytest.fixture
def directory(db: Session, cast: Cast) -> Directory:
    return make_directory(db, cast)


def test_it_round_trips_our_json_export_through_the_importer_without_loss(
        db: Session, directory: Directory, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    assert write_json(db, path) == 3
    before = json.loads(path.read_text())
    delete_services(db)
    # Our own export: the schools agreed to host what it lists at them.
    report = import_records(db, read_source(str(path)), str(path), agree_hubs=True)
    db.commit()
    assert (report.created, report.skipped, report.unmapped_terms) == (3, [], {})
    after = export_directory(db)
    assert [s["id"] for s in after["services"]] == [s["id"] for s in before["services"]]
    assert comparable(after["services"]) == comparable(before["services"])


def test_it_round_trips_our_tabular_export_through_the_importer_without_loss(
        db: Session, directory: Directory, tmp_path: Path) -> None:
    before = export_directory(db)
    assert write_tabular(db, tmp_path / "csv") == 3
    assert (tmp_path / "csv" / "datapackage.json").is_file()
    delete_services(db)
    report = import_records(db, read_tabular(tmp_path / "csv"), "csv", agree_hubs=True)
    db.commit()
    assert (report.created, report.skipped) == (3, [])
    assert comparable(export_directory(db)["services"]) == comparable(before["services"])


def test_it_imports_a_feeds_school_hubs_as_requests_until_the_school_agrees(
        db: Session, directory: Directory, cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    write_json(db, path)
    before = json.loads(path.read_text())
    delete_services(db)
    import_records(db, read_source(str(path)), "a council feed")
    db.commit()
    links = db.execute(select(ServiceSchool)).scalars().all()
    assert links and not any(link.agreed for link in links)
    published = [s["service_at_locations"] for s in export_directory(db)["services"]]
    assert published != [s["service_at_locations"] for s in before["services"]]
    for link in links:
        agree_hub(db, link, actor(cast.staff), utcnow())
    db.commit()
    assert comparable(export_directory(db)["services"]) == comparable(before["services"])


def test_it_changes_nothing_on_a_second_import_and_updates_a_changed_record(
        db: Session, directory: Directory, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    write_json(db, path)
    delete_services(db)
    first = import_records(db, read_json_file(path), "export")
    db.commit()
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    stamps = {s.uuid: s.updated_at for s in db.execute(select(Service)).scalars()}
    again = import_records(db, read_json_file(path), "export")
    db.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert {s.uuid: s.updated_at for s in db.execute(select(Service)).scalars()} == stamps
    data = json.loads(path.read_text())
    data["services"][0]["name"] = "Renamed service"
    path.write_text(json.dumps(data))
    changed = import_records(db, read_json_file(path), "export")
    db.commit()
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert db.execute(select(Service).where(Service.name == "Renamed service")).scalar_one()


class FeedHandler(JsonHandler):
    """Serves pre-rendered JSON by path, and pages of services by ``page``."""

    pages: dict[int, Any] = {}
    documents: dict[str, Any] = {}
    requests: list[str] = []

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        self.requests.append(self.path)
        if parts.path.endswith("/services"):
            number = int(dict(urllib.parse.parse_qsl(parts.query)).get("page", "1"))
            body = self.pages.get(number, {"contents": [], "last_page": True})
        elif parts.path in self.documents:
            body = self.documents[parts.path]
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.reply_json(200, body)


@pytest.fixture
def feed_server() -> Iterator[tuple[str, type[FeedHandler]]]:
    handler = type("Handler", (FeedHandler,), {"pages": {}, "documents": {}, "requests": []})
    with serving(handler) as url:
        yield f"{url}/api", handler


def test_it_follows_a_live_oruk_3_feed_page_by_page(
        client: FlaskClient, db: Session, directory: Directory,
        feed_server: tuple[str, type[FeedHandler]]) -> None:
    url, handler = feed_server
    for number in (1, 2):
        handler.pages[number] = client.get(f"{PREFIX}/services?per_page=2&page={number}").json
    for item in client.get(f"{PREFIX}/services").json["contents"]:
        handler.documents[f"/api/services/{item['id']}"] = client.get(
            f"{PREFIX}/services/{item['id']}").json
    delete_services(db)
    report = import_records(db, read_source(url), url)
    db.commit()
    assert (report.created, report.skipped) == (3, [])
    assert [r.split("?")[0] for r in handler.requests].count("/api/services") == 2


def test_it_imports_a_live_oruk_1_feed_with_its_paged_shape(
        db: Session, cast: Cast, feed_server: tuple[str, type[FeedHandler]]) -> None:
    url, handler = feed_server
    service = {
        "id": "legacy-1", "name": "Legacy parenting course", "description": "Weekly course.",
        "status": "active", "url": "https://example.org/course",
        "organization": {"id": "o1", "name": "Legacy Council", "description": "A council"},
        "eligibilitys": [{"eligibility": "Parents", "minimum_age": 0, "maximum_age": 16}],
        "service_taxonomys": [{"taxonomy": {"id": "t1", "name": "Parenting programmes",
                                            "vocabulary": "Local"}},
                              {"taxonomy": {"id": "t2", "name": "Unheard of term"}}],
        "contacts": [{"name": "A Person", "phones": [{"number": "01204 111 222"}]}],
        "languages": [{"language": "English"}, {"language": "Polish"}],
        "service_at_locations": [{"id": "sal1", "location": {
            "name": "Town hall", "physical_addresses": [
                {"address_1": "Victoria Square", "city": "Bolton", "postal_code": "BL1 1SE"}]}}],
        "regular_schedules": [{"byday": "MO", "opens_at": "10:00", "closes_at": "12:00"}],
    }
    second = {**copy.deepcopy(service), "id": "legacy-2", "name": "Second course"}
    handler.pages[1] = {"totalElements": 2, "totalPages": 2, "number": 1, "size": 1,
                        "first": True, "last": False, "content": [service]}
    handler.pages[2] = {"totalElements": 2, "totalPages": 2, "number": 2, "size": 1,
                        "first": False, "last": True, "content": [second]}
    report = import_records(db, read_source(url), url)
    db.commit()
    assert (report.created, report.skipped) == (2, [])
    assert report.unmapped_terms == {"Unheard of term": 2}
    imported = db.execute(select(Service).where(Service.name == "Second course")).scalar_one()
    assert imported.need_codes == ["PARENTING.PROG"]
    assert imported.location is not None and imported.location.postcode == "BL1 1SE"
    assert imported.contact_phone == "01204 111 222"
    assert imported.contact_name == ""  # no personal names are taken in
    assert imported.organisation.name == "Legacy Council"
    again = import_records(db, read_source(url), url)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_it_imports_the_oruk_example_for_triage_then_maps_it_with_a_mapping_file(
        db: Session, cast: Cast, tmp_path: Path) -> None:
    require_spec()
    example = ORUK / "examples" / "service_full.json"
    report = import_records(db, read_source(str(example)), "example")
    assert (report.created, report.needs_not_assigned, report.skipped) == (1, 1, [])
    assert report.unmapped_terms == {"name": 1}
    service = db.execute(select(Service).where(Service.name == "Community Counselling")
                         ).scalar_one()
    assert service.needs_triage and service.need_codes == []
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({"name": "MHW"}))
    mapped = import_records(db, read_source(str(example)), "example",
                            load_mapping(mapping_file))
    db.commit()
    assert (mapped.updated, mapped.needs_not_assigned) == (1, 0), mapped.skipped
    assert any("ABC 1234" in warning for warning in mapped.warnings)
    db.refresh(service)
    assert (service.needs_triage, service.need_codes) == (False, ["MHW"])
    assert service.uuid == "ac148810-d857-441c-9679-408f346de14b"
    assert service.organisation.name == "Example Organization Inc."


def test_it_imports_the_oruk_example_list_and_the_hsds_csv_package_for_triage(
        db: Session, cast: Cast) -> None:
    require_spec()
    listed = import_records(db, read_source(str(ORUK / "examples" / "service_list.json")),
                            "list")
    assert (listed.created, listed.needs_not_assigned, listed.skipped) == (1, 1, [])
    tabular = import_records(db, read_source(str(HSDS / "examples" / "csv")), "csv")
    assert (tabular.created, tabular.needs_not_assigned, tabular.skipped) == (1, 1, [])


def test_it_refuses_a_mapping_to_an_unknown_need_code(
        db: Session, cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"anything": "NOPE"}))
    with pytest.raises(MappingError):
        import_records(db, [], "feed", load_mapping(path))


def test_it_keeps_a_hub_service_as_a_venue_service_where_its_schools_are_unknown(
        db: Session, directory: Directory, tmp_path: Path) -> None:
    data = export_directory(db)
    for service in data["services"]:
        for sal in service.get("service_at_locations", []):
            if sal["location"].get("external_identifier_type") == "URN":
                sal["location"]["external_identifier"] = "999999"  # a school not held here
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data))
    delete_services(db)
    report = import_records(db, read_source(str(path)), "other instance")
    db.commit()
    assert (report.created, report.skipped) == (3, [])
    uuid_ = directory.family_support.uuid
    assert report.warnings == [f"{uuid_} 'Family support at school': school hubs not known "
                               "here; their address kept as the venue"]
    imported = db.execute(select(Service).where(Service.name == "Family support at school")
                          ).scalar_one()
    assert imported.delivery_modes == ["venue"] and imported.hubs == []
    assert imported.location is not None
    assert imported.location.postcode == directory.cast.school.location.postcode
