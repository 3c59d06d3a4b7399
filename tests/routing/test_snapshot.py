"""The one directory snapshot: read once per version, every view derived from that read."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable, Collection

from flask import Flask
from sqlalchemy.orm import Session

from hub.caches import snapshot_cache
from routing.snapshot import DirectoryRead, SnapshotCache
from services.capacity_ops import update_capacity
from services.oruk.listing import build_listing_view
from tests.factories import Cast, make_school, make_service

THREADS = 8


def _counting_waits(
        counter: list[int]) -> Callable[[Session, Collection[int] | None], dict[int, float]]:
    """Measured waits that count the whole directory reads and widen the race window."""

    def waits(_session: Session, service_ids: Collection[int] | None) -> dict[int, float]:
        if service_ids is None:
            counter.append(1)
            time.sleep(0.05)
        return {}

    return waits


def _in_threads(app: Flask, work: Callable[[Session], object]) -> list[object]:
    """``work`` run by THREADS threads at once, each with its own app context and session."""
    from hub.extensions import db as handle

    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS
    errors: list[BaseException] = []

    def run(slot: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                results[slot] = work(handle.session)  # type: ignore[arg-type]
                handle.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_it_reads_a_version_once_however_many_requests_ask_at_once(
        app: Flask, db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=2)
    db.commit()
    reads: list[int] = []
    cache = SnapshotCache(measured_waits=_counting_waits(reads))
    entries = _in_threads(app, cache.get)
    assert len(reads) == 1
    assert all(entry is entries[0] for entry in entries)
    update_capacity(db, service, accepting=True, free_places=6, waitlist_length=0,
                    typical_wait_days=None, user_id=cast.worker.id, user_name="Sam")
    db.commit()
    patched = _in_threads(app, cache.get)
    # A capacity change patches the entry in place: no second read.
    assert len(reads) == 1
    assert all(entry is entries[0] for entry in patched)
    record = entries[0].index().service(service.id)  # type: ignore[attr-defined]
    assert record is not None and record.free_places == 6
    make_service(db, cast.provider, name="Another")
    db.commit()
    after = _in_threads(app, cache.get)
    assert len(reads) == 2
    assert all(entry is after[0] for entry in after)
    assert after[0] is not entries[0]


def test_it_builds_each_view_of_a_version_once_under_concurrent_requests(
        app: Flask, db: Session, cast: Cast) -> None:
    make_service(db, cast.provider)
    db.commit()
    entry = SnapshotCache().get(db)
    builds: list[int] = []

    def slow_view(read: DirectoryRead) -> int:
        builds.append(1)
        time.sleep(0.05)
        return read.version

    results = _in_threads(app, lambda _session: (entry.view(slow_view), entry.index()))
    assert builds == [1]
    assert len({id(index) for _version, index in results}) == 1  # type: ignore[misc]


def test_it_derives_the_engine_index_the_listing_and_the_lookups_from_one_read(
        app: Flask, db: Session, cast: Cast) -> None:
    school = make_school(db, "Unlinked Primary", "BL3 5HH")
    service = make_service(db, cast.provider, name="Shared reading", needs=("MHW.ANX",),
                           hubs=(cast.other_school, cast.school))
    db.commit()
    reads: list[int] = []
    counted = SnapshotCache(measured_waits=_counting_waits(reads)).get(db)
    index, listing, lookups = counted.index(), counted.view(build_listing_view), counted.lookups
    assert len(reads) == 1
    record = index.service(service.id)
    assert record is not None
    row = listing.by_uuid[service.uuid]
    assert row.service is record
    # One list of places, venue first, then hubs by school name.
    assert [site.school_id for site in row.sites] == [None, cast.school.id, cast.other_school.id]
    assert [hub.school_id for hub in record.hubs] == [cast.school.id, cast.other_school.id]
    assert (str(school.id), "Unlinked Primary") in lookups.school_choices
    assert lookups.need_names["MHW.ANX"] == "Anxiety and low mood"
    assert snapshot_cache(app).get(db).read.snapshot.services == counted.read.snapshot.services


def test_it_frees_a_replaced_entry_without_the_cyclic_collector(
        db: Session, cast: Cast) -> None:
    # A read is frozen out of the collector's way (gc.freeze): a replaced entry held
    # in a reference cycle would then never be freed, a whole directory per version.
    make_service(db, cast.provider, name="Calm Minds")
    db.commit()
    entry = SnapshotCache().get(db)
    entry.index()
    entry.view(build_listing_view)
    assert entry.lookups is not None
    gone = weakref.ref(entry)
    read = weakref.ref(entry.read)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del entry
        assert gone() is None
        assert read() is None
    finally:
        if enabled:
            gc.enable()
