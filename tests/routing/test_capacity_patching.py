"""Capacity changes patched into the running snapshot and index, never rebuilding them;
structural changes rebuilt in the background while the old index keeps serving."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import create_app
from hub.caches import snapshot_cache
from hub.settings import settings_of
from routing.engine import DirectoryIndex, FamilyQuery, NeedRequest
from routing.referrals import capacity as places
from routing.referrals.history import measured_waits
from routing.snapshot import SnapshotCache, SnapshotEntry, read_directory
from services.capacity_ops import update_capacity
from services.db import utcnow
from services.listings import Service
from services.oruk.listing import build_listing_view, patch_listing_view
from services.version import CapacityChange
from tests.factories import Cast, make_service


def _directory(db: Session, cast: Cast) -> list[Service]:
    """A dozen services of every kind the index treats apart: with a venue, at school
    hubs, distance-free (online, or nowhere), with an area, several needs."""
    area = {"type": "Polygon", "coordinates": [[[-2.6, 53.5], [-2.3, 53.5], [-2.3, 53.65],
                                                [-2.6, 53.65], [-2.6, 53.5]]]}
    services = [
        make_service(db, cast.provider, needs=("MHW",), free_places=2,
                     kinds=("advice",), audiences=("parent",), level="universal"),
        make_service(db, cast.provider, needs=("MHW.ANX",), free_places=0, waitlist=4,
                     kinds=("treatment", "assessment"), audiences=("child",),
                     level="specialist"),
        make_service(db, cast.provider, needs=("MHW", "MHW.ANX"), hubs=(cast.school,),
                     kinds=("support",), audiences=("family", "child"), level="early_help"),
        make_service(db, cast.provider, needs=("MHW",), modes=("online",), postcode=None),
        make_service(db, cast.provider, needs=("MHW.ANX",), modes=("phone",), area=area),
        make_service(db, cast.provider, needs=("MHW",), postcode="BL3 5HH",
                     typical_wait_days=None, accepting=False),
        make_service(db, cast.provider, needs=("MHW",), hubs=(cast.school, cast.other_school),
                     postcode=None, free_places=1),
        make_service(db, cast.provider, needs=("MHW.ANX",), modes=("online",), postcode=None,
                     free_places=0, accepting=False),
        make_service(db, cast.provider, needs=("MHW",), min_age=11, updated_days_ago=120),
        make_service(db, cast.provider, needs=("MHW",), area=area, free_places=6,
                     kinds=("activities",), level="universal"),
        make_service(db, cast.provider, needs=("MHW.ANX",), postcode="BL1 4QF"),
        make_service(db, cast.provider, needs=("MHW",), modes=("phone",), postcode=None,
                     accepting=False),
    ]
    db.commit()
    return services


def _queries(entry: SnapshotEntry, cast: Cast, now: datetime) -> list[FamilyQuery]:
    home = next(s.venue for s in entry.read.snapshot.services if s.venue is not None)
    return [
        FamilyQuery(needs=(NeedRequest("MHW"),), now=now, home=home, max_distance_m=8000,
                    age=9, school_id=cast.school.id, limit_per_need=20, excluded_per_need=20),
        FamilyQuery(needs=(NeedRequest("MHW.ANX", 1), NeedRequest("MHW")), now=now, home=home,
                    max_distance_m=3000, age=12, require_accepting=False),
        FamilyQuery(needs=(NeedRequest("MHW"),), now=now, age=5, limit_per_need=20),
        # The kind of help, who it is for and how serious and urgent: the columns these
        # read must survive every patch.
        FamilyQuery(needs=(NeedRequest("MHW.ANX", 1, severity="high"),
                           NeedRequest("MHW", severity="early", kinds=frozenset({"advice"}),
                                       help_for="parent")),
                    now=now, home=home, max_distance_m=8000, require_accepting=False,
                    limit_per_need=20),
    ]


def _assert_ranks_as_fresh(db: Session, cache: SnapshotCache, cast: Cast,
                           now: datetime) -> SnapshotEntry:
    """The cache's patched entry holds what a fresh read holds and ranks as a fresh index."""
    entry = cache.get(db)
    fresh = read_directory(db, measured_waits)
    assert entry.read.snapshot.services == fresh.snapshot.services
    rebuilt = DirectoryIndex.build(fresh.snapshot)
    for query in _queries(entry, cast, now):
        assert entry.index().route(query) == rebuilt.route(query)
    listing, built = entry.view(build_listing_view, patch_listing_view), build_listing_view(fresh)
    assert (listing.rows, listing.by_uuid, listing.sal_by_id) == (
        built.rows, built.by_uuid, built.sal_by_id)
    return entry


Change = tuple[str, int, int, int, int | None]
changes = st.lists(st.tuples(
    st.sampled_from(["save", "take", "free", "wait+", "wait-"]),
    st.integers(0, 11), st.integers(0, 12), st.integers(0, 8),
    st.none() | st.integers(0, 120)), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(changes, min_size=1, max_size=3))
def test_it_ranks_exactly_as_a_fresh_index_after_any_capacity_changes(
        app: Flask, db: Session, cast: Cast, batches: list[list[Change]]) -> None:
    # One directory, one cache and one ``now`` for every example: the index is patched
    # again and again, and its per-``now`` caches must follow the changes.
    state = getattr(app, "_patching_state", None)
    if state is None:
        state = app._patching_state = (  # type: ignore[attr-defined]
            _directory(db, cast), SnapshotCache(measured_waits=measured_waits), utcnow())
        _assert_ranks_as_fresh(db, state[1], cast, state[2])
    services, cache, now = state
    for batch in batches:
        for kind, pick, free, waiting, days in batch:
            service = services[pick]
            if kind == "save":
                update_capacity(db, service, accepting=bool(free % 3), free_places=free,
                                waitlist_length=waiting, typical_wait_days=days,
                                user_id=None, user_name="Sam",
                                now=utcnow() - timedelta(days=days or 0))
            elif kind == "take":
                places.take_place(db, service.id)
            elif kind == "free":
                places.free_place(db, service.id)
            else:
                places.change_waitlist(db, service.id, +1 if kind == "wait+" else -1)
        db.commit()
        db.expire_all()
        _assert_ranks_as_fresh(db, cache, cast, now)
    assert cache.builds == 1


def _second_app(app: Flask) -> Iterator[Flask]:
    other = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": settings_of(app).database_url, "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False, "FAMILY_HUB_DEMO": False,
    })
    yield other
    with other.app_context():
        from hub.extensions import db as handle

        handle.engine.dispose()


@pytest.fixture
def other_app(app: Flask) -> Iterator[Flask]:
    """A second instance of the app on the same database (another worker or host)."""
    yield from _second_app(app)


def test_it_shows_a_change_committed_through_one_app_in_the_others_next_search(
        app: Flask, other_app: Flask, db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, needs=("MHW",), free_places=1)
    db.commit()
    query = FamilyQuery(needs=(NeedRequest("MHW"),), now=utcnow(), age=9)

    def search() -> tuple[int, int, bool]:
        """The other app's next search: (free places, builds, accepting) of the service."""
        from hub.extensions import db as handle

        with other_app.app_context():
            cache = snapshot_cache(other_app)
            result = cache.get(handle.session).index().route(query)  # type: ignore[arg-type]
            handle.session.remove()
        match = next(m for m in result.needs[0].matches if m.service.id == service.id)
        return match.service.free_places, cache.builds, match.service.accepting

    assert search() == (1, 1, True)
    # The last place taken (an acceptance) through the first app.
    assert places.take_place(db, service.id)
    db.commit()
    assert search() == (0, 1, True)
    update_capacity(db, service, accepting=True, free_places=5, waitlist_length=0,
                    typical_wait_days=3, user_id=cast.worker.id, user_name="Sam")
    db.commit()
    assert search() == (5, 1, True)
    update_capacity(db, service, accepting=False, free_places=5, waitlist_length=0,
                    typical_wait_days=3, user_id=cast.worker.id, user_name="Sam")
    db.commit()
    with pytest.raises(StopIteration):  # no longer accepting: not a match
        search()


def test_it_swaps_in_a_structural_change_without_blocking_a_concurrent_search(
        app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.extensions import db as handle

    built_in: list[str] = []
    build = DirectoryIndex.build

    def counted(*args: object, **kwargs: object) -> DirectoryIndex:
        built_in.append(threading.current_thread().name)
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DirectoryIndex, "build", counted)

    service = make_service(db, cast.provider, needs=("MHW",), free_places=2)
    db.commit()
    release = threading.Event()
    reading = threading.Event()
    background = []

    def waits(session: Session, ids: Collection[int] | None) -> dict[int, float]:
        if ids is None and threading.current_thread() is not threading.main_thread():
            background.append(1)
            reading.set()
            assert release.wait(10)
        return measured_waits(session, ids)

    engine = handle.engine
    cache = SnapshotCache(measured_waits=waits, open_session=lambda: Session(engine))
    old = cache.get(db)
    old.view(build_listing_view, patch_listing_view)
    old.index()
    added = make_service(db, cast.provider, needs=("MHW",), name="Newly listed")
    db.commit()
    query = FamilyQuery(needs=(NeedRequest("MHW"),), now=utcnow(), age=9)
    # The structural change starts a rebuild, blocked in its read: the search is not.
    assert cache.get(db) is old
    assert reading.wait(10)
    assert old.index().service(added.id) is None
    # Capacity changes still reach the old index while the new one is being built.
    update_capacity(db, service, accepting=True, free_places=7, waitlist_length=0,
                    typical_wait_days=None, user_id=None, user_name="Sam")
    db.commit()
    during = cache.get(db)
    assert during is old
    ranked = {m.service.id: m.service.free_places
              for m in during.index().route(query).needs[0].matches}
    assert ranked == {service.id: 7}
    release.set()
    cache.wait_for_rebuild(10)
    after = cache.get(db)
    assert after is not old
    ranked = {m.service.id: m.service.free_places
              for m in after.index().route(query).needs[0].matches}
    assert ranked == {service.id: 7, added.id: 3}
    assert background == [1]
    assert cache.builds == 2
    # The new index (and the listing view) were made in the background, not on request.
    assert built_in == ["MainThread", "directory-rebuild"]
    assert after.built_views() == [(build_listing_view, patch_listing_view)]


def test_it_reads_again_when_changes_it_had_not_seen_were_pruned(
        db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    import services.version as version

    monkeypatch.setattr(version, "PRUNE_EVERY", 2)
    monkeypatch.setattr(version, "KEEP_CHANGES", 2)
    service = make_service(db, cast.provider, free_places=2)
    db.commit()
    cache = SnapshotCache(measured_waits=measured_waits)
    cache.get(db)
    for places_free in range(3, 9):
        update_capacity(db, service, accepting=True, free_places=places_free,
                        waitlist_length=0, typical_wait_days=None, user_id=None,
                        user_name="Sam")
        db.commit()
    # Six changes, pruned to the last two: this worker's next ones are gone.
    assert len(db.execute(select(CapacityChange.seq)).all()) <= 3
    record = cache.get(db).index().service(service.id)
    assert record is not None
    assert (record.free_places, cache.builds) == (8, 2)
