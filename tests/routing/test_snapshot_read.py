"""The directory read: records built column by column from the rows, the services' needs
joined by the database, each field as the row-by-row forms give it."""

from __future__ import annotations

import gc
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from routing.snapshot import capacity_columns, capacity_fields, read_directory
from services.listings import Capacity, Service
from tests.factories import Cast, make_school, make_service


def test_it_builds_capacity_fields_column_wise_as_row_by_row() -> None:
    rows = [
        (True, 3, 0, 14, datetime(2026, 1, 2, 3, 4, 5)),
        (False, 0, 7, None, datetime(2025, 6, 1)),
        (None, None, None, None, None),  # a service with no capacity row
        (True, 0, 0, 0, datetime(2026, 1, 1)),
    ]
    columns = capacity_columns(*zip(*rows, strict=True))
    by_row = [capacity_fields(*row) for row in rows]
    assert [{name: list(values)[i] for name, values in columns.items()}
            for i in range(len(rows))] == by_row


def test_it_reads_an_empty_directory(db: Session) -> None:
    read = read_directory(db)
    assert read.snapshot.services == ()
    assert read.listings == {}


def test_it_reads_every_field_of_a_service_from_its_rows(db: Session, cast: Cast) -> None:
    area = {"type": "Polygon", "coordinates": [[[-2.6, 53.5], [-2.3, 53.5], [-2.3, 53.65],
                                                [-2.6, 53.65], [-2.6, 53.5]]]}
    first = make_school(db, name="Albert Street Primary")
    hubbed = make_service(db, cast.provider, needs=("MHW.ANX", "MHW", "PARENTING"), postcode=None,
                          hubs=(cast.school, first), hub_days=("Monday", "Friday"),
                          modes=("venue", "online"), area=area, kinds=("support",),
                          audiences=("child", "family"), level="early_help")
    plain = make_service(db, cast.provider, needs=("MHW",), free_places=0, waitlist=5,
                         typical_wait_days=None)
    bare = make_service(db, cast.provider, needs=(), accepting=True, free_places=4)
    db.execute(delete(Capacity).where(Capacity.service_id == bare.id))
    db.commit()

    read = read_directory(db)
    records = {record.id: record for record in read.snapshot.services}
    record = records[hubbed.id]
    assert record.need_codes == frozenset({"MHW", "MHW.ANX", "PARENTING"})
    assert record.delivery_modes == frozenset({"venue", "online"})
    assert record.languages == frozenset({"English"})
    assert record.venue is None
    assert [hub.school_name for hub in record.hubs] == sorted(
        [cast.school.name, "Albert Street Primary"])
    assert all(hub.days == ("Monday", "Friday") for hub in record.hubs)
    assert record.area_wkt is not None and record.area_wkt.startswith("POLYGON")
    assert (record.help_kinds, record.audiences, record.level) == (
        frozenset({"support"}), frozenset({"child", "family"}), "early_help")
    assert read.listings[hubbed.id].venue_location_id is None

    record = records[plain.id]
    assert record.need_codes == frozenset({"MHW"})
    assert record.venue is not None and record.hubs == () and record.area_wkt is None
    assert (record.accepting, record.free_places, record.waitlist_length,
            record.typical_wait_days) == (True, 0, 5, None)
    assert (record.help_kinds, record.audiences, record.level) == (frozenset(), frozenset(), "")
    listing = read.listings[plain.id]
    assert listing.venue_location_id == plain.location_id
    assert (listing.uuid, listing.description) == (plain.uuid, "Helps families.")
    assert listing.updated_at == plain.updated_at

    # No needs and no capacity row: matches nothing, takes no one.
    record = records[bare.id]
    assert record.need_codes == frozenset()
    assert (record.accepting, record.free_places, record.waitlist_length,
            record.capacity_updated_at) == (False, 0, 0, None)


def test_it_lists_services_by_id_whatever_order_the_rows_come_in(
        db: Session, cast: Cast) -> None:
    services = [make_service(db, cast.provider) for _ in range(6)]
    # An edited row moves to the end of a PostgreSQL table: the query has no ORDER BY.
    db.execute(update(Service).where(Service.id.in_([services[0].id, services[2].id]))
               .values(name=Service.name + " (edited)"))
    db.commit()
    ids = [record.id for record in read_directory(db).snapshot.services]
    assert ids == sorted(service.id for service in services)
    assert list(read_directory(db).listings) == ids


def test_it_moves_what_it_read_out_of_the_collectors_way(db: Session, cast: Cast) -> None:
    # A full collection would otherwise walk the whole read again while a search waits.
    make_service(db, cast.provider, name="Calm Minds")
    db.commit()
    read = read_directory(db)
    tracked = {id(o) for o in gc.get_objects()}  # the frozen generation is left out
    assert read.snapshot.services
    assert id(read.snapshot.services) not in tracked
    assert gc.get_freeze_count() > 0
