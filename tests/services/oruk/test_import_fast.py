"""The import's fast paths: new services written as plain rows, unchanged records known
by their hash and fingerprint; both give exactly what saving one by one gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from services.listings import Service
from services.locations import Location
from services.oruk.importer import Importer, import_records
from services.oruk.models import OrukSource
from tests.factories import Cast

UUID_REF = "6f1c9a52-7d3e-4b7a-9f55-2b1d8c0e4a10"


def records() -> Iterator[dict[str, Any]]:
    """Records in the shapes the importer meets: HTML, bare domains, bad values, a venue
    by postcode and one by coordinates, extras, no taxonomy, a UUID id."""
    organisation = {"id": "org-1", "name": "Feed charity", "website": "feed.example.org"}
    yield {"id": "feed-1", "name": "Drop-in advice",
           "description": "<p>Weekly&nbsp;drop-in.</p><ul><li>Debt</li></ul>",
           "status": "active", "url": "www.example.org/advice", "email": "advice@example.org.",
           "minimum_age": 0, "maximum_age": 99999, "fees": "Free",
           "organization": organisation,
           "attributes": [{"taxonomy_term": {"code": "MHW"}},
                          {"taxonomy_term": {"id": "x1", "name": "Unknown term"}}],
           "languages": [{"name": "English"}, {"code": "pl"}],
           "accreditations": "<b>Quality mark</b>", "assured_date": "2025-01-02",
           "service_at_locations": [{"id": "sal-1", "location": {
               "name": "Town hall", "addresses": [{"address_1": "Victoria Square",
                                                   "city": "Bolton",
                                                   "postal_code": "BL1 1SE"}]}}]}
    yield {"id": "feed-2", "name": "Parenting course", "status": "active",
           "organization": organisation, "attributes": [{"taxonomy_term": {"code": "MHW"}}],
           "service_at_locations": [{"id": "sal-2", "location": {
               "latitude": 53.5785, "longitude": -2.4299, "addresses": [
                   {"address_1": "1 Market Street", "postal_code": "ZZ99 9ZZ"}]}}]}
    yield {"id": "feed-3", "name": "Family support without terms", "status": "active",
           "description": "Help at home.", "organization": {"name": "Second charity"}}
    yield {"id": UUID_REF, "name": "Counselling", "status": "active",
           "organization": organisation, "attributes": [{"taxonomy_term": {"code": "MHW"}}],
           "attending_type": "Online, phone"}


def rows(db: Session, source: str) -> list[tuple[Any, ...]]:
    """What an import of ``source`` holds, without row ids, UUIDs and organisations."""
    db.expire_all()
    held = []
    for link, service in db.execute(
            select(OrukSource, Service).join(Service, Service.id == OrukSource.service_id)
            .where(OrukSource.source == source).order_by(OrukSource.source_ref)):
        location: Location | None = service.location
        held.append((
            link.source_ref, link.record_hash, link.fingerprint, link.notes, service.name,
            service.description, service.min_age, service.max_age, service.eligibility,
            service.cost, service.delivery_modes, service.languages, service.opening_times,
            service.contact_name, service.contact_email, service.contact_phone,
            service.website, service.referral_route, service.service_area,
            service.service_area_name, service.active, service.help_kinds, service.audiences,
            service.need_level, service.oruk_extra, service.needs_triage, service.need_codes,
            (location.name, location.address, location.postcode, location.latitude,
             location.longitude, location.easting, location.northing) if location else None))
    return held


def created_audits(db: Session) -> int:
    return db.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "service",
        AuditEvent.action == "service_created")).scalar_one()


def test_it_writes_the_same_services_in_bulk_as_one_by_one(
        db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = import_records(db, records(), "bulk")
    db.commit()
    audited = created_audits(db)
    # As if the database refused each chunk's insert: every record saved one by one.
    monkeypatch.setattr(Importer, "_insert_new", lambda self, new: False)
    one = import_records(db, records(), "one")
    db.commit()
    # Each creation audited, as the flush hook audits a service saved one by one.
    assert created_audits(db) == 2 * audited == 8
    assert (bulk.created, bulk.skipped, bulk.needs_not_assigned) == (4, [], 1)
    assert (one.created, one.skipped, one.needs_not_assigned) == (4, [], 1)
    assert one.warnings == bulk.warnings
    assert one.unmapped_terms == bulk.unmapped_terms == {"Unknown term": 1}
    assert rows(db, "one") == rows(db, "bulk")
    held = rows(db, "bulk")
    assert all(row[1] and row[2] for row in held)  # hash and fingerprint stored
    assert db.execute(select(Service.uuid).where(Service.name == "Counselling")
                      .order_by(Service.id)).scalars().first() == UUID_REF


def test_it_knows_unchanged_records_without_cleaning_them_again(
        db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    import_records(db, records(), "feed")
    db.commit()
    planned: list[str] = []
    plan = Importer._plan

    def counting(self: Importer, ref: str, *args: Any) -> Any:
        planned.append(ref)
        return plan(self, ref, *args)

    monkeypatch.setattr(Importer, "_plan", counting)
    fast = import_records(db, records(), "feed")
    db.commit()
    assert (fast.created, fast.updated, fast.unchanged, planned) == (0, 0, 4, [])
    # Compared in full (as before the hashes), the report is the same, warnings included.
    monkeypatch.setattr(Importer, "_still_unchanged", lambda self, *args: False)
    full = import_records(db, records(), "feed")
    db.rollback()
    assert len(planned) == 4
    assert full.as_json() == fast.as_json()
    assert fast.warnings and fast.unmapped_terms == {"Unknown term": 1}
    assert fast.needs_not_assigned == 1


def test_it_notices_a_change_here_to_a_record_the_feed_did_not_change(
        db: Session, cast: Cast) -> None:
    import_records(db, records(), "feed")
    db.commit()
    changed = db.execute(select(OrukSource.service_id).where(
        OrukSource.source_ref == "feed-2")).scalar_one()
    db.execute(update(Service).where(Service.id == changed).values(name="Renamed here"))
    db.execute(update(Location).where(Location.id == select(Service.location_id).where(
        Service.id == changed).scalar_subquery()).values(latitude=50.0))
    db.commit()
    report = import_records(db, records(), "feed")
    db.commit()
    assert (report.updated, report.unchanged) == (1, 3)
    service = db.get(Service, changed)
    assert service is not None and service.name == "Parenting course"
    assert service.location is not None and round(service.location.latitude, 4) == 53.5785
    # Saved again, its fingerprint is stored again: the next import finds it unchanged.
    assert import_records(db, records(), "feed").unchanged == 4


def test_it_plans_records_again_when_the_mapping_changes(db: Session, cast: Cast) -> None:
    import_records(db, records(), "feed")
    db.commit()
    report = import_records(db, records(), "feed", mapping={"unknown term": "MHW"})
    db.commit()
    # The record whose unknown term now maps keeps the same need (MHW), so it is
    # unchanged, but it was cleaned again: its unmapped term is no longer reported.
    assert report.unchanged == 4 and report.unmapped_terms == {}
