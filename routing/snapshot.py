"""The one directory snapshot: read once per directory version, cached once per app,
patched in place with every capacity change.

Search, referral matching and the ORUK API all read the directory through this
module. ``read_directory`` reads every active service, the needs and the
schools (Core queries returning tuples, no ORM objects) into plain records; a
``SnapshotCache`` (the web layer keeps one per app, in ``app.extensions``) holds
that read together with every view derived from it: the engine's
``DirectoryIndex``, the small page lookups and any other view (the ORUK listing
view), each built the first time it is asked for and never twice for a version.

Before each use the cache reads the directory's position and the capacity
changes after the last one it has seen (``read_position``: one indexed query) and
patches the read and its views in place: capacity changes never rebuild. A
structural change (a new ``version``) is read and indexed by a background thread
while the old entry keeps serving, with capacity patches, until the swap.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from itertools import repeat, starmap
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Select, String, Text, cast, func, select
from sqlalchemy.orm import Session

from routing.engine import DirectoryIndex, DirectorySnapshot, HubRecord, ServiceRecord, Weights
from services.areas import area_to_bng
from services.db import utcnow
from services.listings import Capacity, ReferralRoute, Service, ServiceNeed, ServiceSchool
from services.locations import Location
from services.organisations import Organisation
from services.schools import School
from services.taxonomy import Need
from services.taxonomy_ops import NeedNode, choices_from_outline, outline_from_rows
from services.version import CapacityChange, DirectoryVersion

logger = logging.getLogger(__name__)

# Given the session and some service ids (None: every service), returns
# {service_id: median days from sending to acceptance} for those that have one.
MeasuredWaits = Callable[[Session, Collection[int] | None], dict[int, float]]
View = TypeVar("View")
Record = TypeVar("Record")


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """What the published listing shows of a service beyond the engine's ``ServiceRecord``."""

    id: int
    uuid: str
    description: str
    opening_times: str
    # The fees as the provider states them; None: not stated.
    cost: str | None
    # The venue's location row (its public id is derived from it); None without a venue.
    venue_location_id: int | None
    # Naive UTC: the API's ``modified_after`` filter.
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SchoolRecord:
    """A school, hub or not: for school choices and the public ids of hubs."""

    id: int
    name: str
    urn: str
    easting: float
    northing: float


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A need of the taxonomy, active or retired."""

    code: str
    parent_code: str | None
    name: str
    active: bool


@dataclass(frozen=True)
class DirectoryRead:
    """Everything read from the database for one directory version.

    ``snapshot`` is the engine's view of the active services; ``listings`` holds
    the same services' published fields by id; ``needs`` are in taxonomy order
    (position, then code) and ``schools`` by name.
    """

    snapshot: DirectorySnapshot
    listings: Mapping[int, ListingRecord]
    needs: tuple[NeedRecord, ...]
    schools: tuple[SchoolRecord, ...]
    # The last capacity change the read includes (``capacity_change.seq``).
    capacity_seq: int = 0

    @property
    def version(self) -> int:
        return self.snapshot.version


@dataclass(frozen=True)
class DirectoryLookups:
    """Small read-only lists every search page needs, for one directory version."""

    version: int
    needs: tuple[NeedNode, ...]
    need_choices: tuple[tuple[str, str], ...]
    need_names: dict[str, str]
    school_choices: tuple[tuple[str, str], ...]
    # Rendered page fragments (Markup) that depend only on this version and the
    # key's arguments (see hub.fragments); dropped with the rest when the version moves.
    fragments: dict[tuple[object, ...], object] = field(default_factory=dict, compare=False)


def service_places(
    venue: tuple[float, float] | None,
    hubs: Collection[tuple[SchoolRecord, list[str] | None]],
) -> tuple[tuple[float, float] | None, tuple[HubRecord, ...]]:
    """The places a service is delivered: its venue point, then its school hubs (each
    with its days) by school name and URN.

    The engine's record and the published listing both take a service's places
    from here, so they always agree on which places there are and their order.
    """
    if not hubs:
        return venue, ()
    ordered = sorted(hubs, key=lambda hub: (hub[0].name, hub[0].urn))
    return venue, tuple(
        HubRecord(school_id=school.id, school_name=school.name, easting=school.easting,
                  northing=school.northing, days=tuple(days or ()))
        for school, days in ordered
    )


@dataclass(frozen=True, slots=True)
class CapacityFigures:
    """A service's capacity row as committed (None fields: the service has no row)."""

    service_id: int
    accepting: bool | None
    free_places: int | None
    waitlist_length: int | None
    typical_wait_days: int | None
    updated_at: datetime | None

    def applied_to(self, record: ServiceRecord, measured_wait_days: float | None) -> ServiceRecord:
        """``record`` with these figures and this measured wait."""
        return replace(record, **self.fields(), measured_wait_days=measured_wait_days)

    def fields(self) -> dict[str, Any]:
        """The ``ServiceRecord`` fields these figures set."""
        return capacity_fields(self.accepting, self.free_places, self.waitlist_length,
                               self.typical_wait_days, self.updated_at)


def capacity_fields(accepting: bool | None, free_places: int | None,
                    waitlist_length: int | None, typical_wait_days: int | None,
                    updated_at: datetime | None) -> dict[str, Any]:
    """The ``ServiceRecord`` fields of a capacity row (all None: the service has none,
    so it is not accepting and has no places)."""
    return {
        "accepting": bool(accepting),
        "free_places": free_places or 0,
        "waitlist_length": waitlist_length or 0,
        "typical_wait_days": typical_wait_days,
        "capacity_updated_at": updated_at,
    }


def capacity_columns(accepting: Sequence[bool | None], free_places: Sequence[int | None],
                     waitlist_length: Sequence[int | None],
                     typical_wait_days: Sequence[int | None],
                     updated_at: Sequence[datetime | None]) -> dict[str, Sequence[Any]]:
    """``capacity_fields`` over columns of capacity rows (the read builds its records
    column-wise): the same field values, row by row (tested equal)."""
    return {
        "accepting": list(map(bool, accepting)),
        "free_places": [places or 0 for places in free_places],
        "waitlist_length": [length or 0 for length in waitlist_length],
        "typical_wait_days": typical_wait_days,
        "capacity_updated_at": updated_at,
    }


@dataclass(frozen=True, slots=True)
class DirectoryPosition:
    """Where the directory stands: its structural version, its last capacity change, and
    the figures of every service changed after the position a reader had seen."""

    version: int
    capacity_seq: int
    changed: tuple[CapacityFigures, ...]
    # False when changes the reader has not seen were pruned from the log: read again.
    complete: bool = True


def position_columns() -> tuple[Any, Any]:
    """The directory's ``version`` and ``capacity_seq`` as two scalar subqueries (NULL
    when the row does not exist), for another statement to carry: a request's first
    read can then bring the position along, and ``SnapshotCache.get`` needs no read of
    its own when nothing changed since its entry (the usual case)."""
    return (
        select(DirectoryVersion.version).where(DirectoryVersion.id == 1).scalar_subquery(),
        select(DirectoryVersion.capacity_seq).where(DirectoryVersion.id == 1)
        .scalar_subquery(),
    )


_CAPACITY_COLUMNS = (Capacity.service_id, Capacity.accepting, Capacity.free_places,
                     Capacity.waitlist_length, Capacity.typical_wait_days, Capacity.updated_at)


def read_position(session: Session, seen_seq: int | None) -> DirectoryPosition:
    """The directory's position and the capacity changes after ``seen_seq`` (None: none
    wanted), in one query: a primary-key read joined to a range of the change log's
    primary key. Each changed service appears once, with its figures as committed.
    """
    query = select(DirectoryVersion.version, DirectoryVersion.capacity_seq).where(
        DirectoryVersion.id == 1)
    if seen_seq is None:
        row = session.execute(query).one_or_none()
        return DirectoryPosition(row[0], row[1], ()) if row else DirectoryPosition(0, 0, ())
    rows = session.execute(
        select(DirectoryVersion.version, DirectoryVersion.capacity_seq, CapacityChange.seq,
               *_CAPACITY_COLUMNS)
        .select_from(DirectoryVersion)
        .outerjoin(CapacityChange, CapacityChange.seq > seen_seq)
        .outerjoin(Capacity, Capacity.service_id == CapacityChange.service_id)
        .where(DirectoryVersion.id == 1)
        .order_by(CapacityChange.seq)
    ).all()
    if not rows:
        return DirectoryPosition(0, 0, ())
    # The last change of each service wins; all of them carry the committed figures.
    figures = {row[3]: CapacityFigures(*row[3:]) for row in rows if row[3] is not None}
    version, capacity_seq, first = rows[0][:3]
    # The log has no gaps: a first row past the next number means rows were pruned.
    complete = capacity_seq <= seen_seq or first == seen_seq + 1
    return DirectoryPosition(version, capacity_seq, tuple(figures.values()), complete)


# Need codes are letters, digits and dots (``services.taxonomy_ops.add_need``), never a
# space: the database joins each service's codes with one, and the read splits them.
_NEED_SEPARATOR = " "

# The services query's columns, in order: a listing's fields, its venue, its needs (one
# string) and its capacity row. JSON and enum columns come as text, so that each distinct
# value is decoded once.
_SERVICE_COLUMNS = (
    "id", "uuid", "name", "organisation_id", "organisation_name", "min_age", "max_age",
    "delivery_modes", "languages", "referral_route", "service_area", "area_name",
    "description", "opening_times", "cost", "location_id", "updated_at", "easting", "northing",
    "help_kinds", "audiences", "level", "need_codes",
    "accepting", "free_places", "waitlist_length", "typical_wait_days", "capacity_updated_at",
)


def _services_query() -> Select[*tuple[Any, ...]]:
    """Every active, triaged service with its organisation's name, venue, needs (joined by
    the database into one string per service) and capacity: one row each, in no order."""
    needs = (
        select(ServiceNeed.service_id,
               func.aggregate_strings(ServiceNeed.need_code, _NEED_SEPARATOR).label("codes"))
        .group_by(ServiceNeed.service_id)
        .subquery()
    )
    return (
        select(Service.id, Service.uuid, Service.name, Service.organisation_id,
               Organisation.name, Service.min_age, Service.max_age,
               cast(Service.delivery_modes, Text), cast(Service.languages, Text),
               cast(Service.referral_route, String), cast(Service.service_area, Text),
               Service.service_area_name, Service.description, Service.opening_times,
               Service.cost, Service.location_id, Service.updated_at, Location.easting,
               Location.northing,
               cast(Service.help_kinds, Text), cast(Service.audiences, Text),
               Service.need_level, needs.c.codes, *_CAPACITY_COLUMNS[1:])
        .join(Organisation, Organisation.id == Service.organisation_id)
        .outerjoin(Location, Location.id == Service.location_id)
        .outerjoin(needs, needs.c.service_id == Service.id)
        .outerjoin(Capacity, Capacity.service_id == Service.id)
        # Needs not yet assigned (an import's triage): not routable, not published.
        .where(Service.active.is_(True), Service.needs_triage.is_(False))
        # No ORDER BY: PostgreSQL would sort these wide rows after its hash joins (on
        # disk at 100,000 services); the read sorts them, nearly in order, by id.
    )


def _decoded(column: Sequence[Any], decode: Callable[[Any], Any]) -> list[Any]:
    """``decode`` of every value of ``column``, called once per distinct value: services
    share a few dozen sets of modes and languages, sets of needs and areas."""
    table = {raw: decode(raw) for raw in set(column)}
    return list(map(table.__getitem__, column))


def _string_set(raw: str | None) -> frozenset[str]:
    """A JSON list of strings as a set (none: empty)."""
    return frozenset((json.loads(raw) if raw else None) or ())


def _area_wkt(raw: str | None) -> str | None:
    """A service area's GeoJSON as British National Grid WKT (none: None)."""
    return area_to_bng(json.loads(raw)).wkt if raw and raw != "null" else None


def _need_set(raw: str | None) -> frozenset[str]:
    return frozenset(raw.split(_NEED_SEPARATOR)) if raw else frozenset()


def _records(record: type[Record], columns: Mapping[str, Sequence[Any]]) -> list[Record]:
    """One ``record`` per row of ``columns`` (named for the record's fields): built
    column-wise, positionally, with no per-row Python."""
    return list(map(record, *(columns[each.name] for each in fields(record))))  # type: ignore[arg-type]


def _read_hubs(run: Callable[..., Any], schools: Sequence[SchoolRecord]
               ) -> dict[int, tuple[HubRecord, ...]]:
    """The agreed school hubs of every service that has any, in ``service_places`` order."""
    school_by_id = {school.id: school for school in schools}
    days_of: dict[str | None, list[str] | None] = {}
    links: dict[int, list[tuple[SchoolRecord, list[str] | None]]] = defaultdict(list)
    for service_id, school_id, days in run(
        select(ServiceSchool.service_id, ServiceSchool.school_id,
               cast(ServiceSchool.days, Text))
        # A hub the school has not agreed to is only a request: it earns no at-school
        # points and is not published.
        .where(ServiceSchool.agreed_at.is_not(None))
    ):
        if days not in days_of:
            days_of[days] = json.loads(days) if days else None
        links[service_id].append((school_by_id[school_id], days_of[days]))
    return {service_id: service_places(None, hubs)[1] for service_id, hubs in links.items()}


def read_directory(
    session: Session, measured_waits: MeasuredWaits | None = None
) -> DirectoryRead:
    """Read every active service, every need and every school into plain records.

    Core queries returning tuples, no ORM objects, the services' needs joined in by the
    database; records are built column by column from the rows, each JSON value decoded
    once. The position is read first, so figures committed during the read are at worst
    read again as changes later (they carry the committed figures, so reading one twice
    is harmless).
    """
    with _collection_paused_then_frozen():
        return _read_directory(session, measured_waits)


@contextmanager
def _collection_paused_then_frozen() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs, then move every object
    alive into the collector's permanent generation (``gc.freeze``).

    A read makes hundreds of thousands of objects that hold no cycles (rows, records,
    tuples); every full collection while they pile up would walk them all again, a
    third of the read's time at 100,000 services. Afterwards they live as long as the
    directory version, and every full collection would walk them again while a search
    waits: 50 to 70 ms, once in about a hundred searches at 10,000 services (p99 search
    75 ms on an idle machine, 16 ms frozen). Frozen objects are still freed when
    nothing refers to them (the records hold no cycles), so a replaced read goes as
    before; only garbage in a cycle made during the read is never collected, a few
    objects per directory version, and a collection first (of what is not frozen
    yet, a few milliseconds) frees what is already garbage, so it is not frozen. A
    collection made meanwhile in another thread is merely put off; the collector is
    re-enabled only if it was on.
    """
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _read_directory(session: Session, measured_waits: MeasuredWaits | None) -> DirectoryRead:
    position = read_position(session, None)
    # Core execution on the session's connection: rows as tuples, no ORM loading.
    run = session.connection().execute
    needs = tuple(starmap(NeedRecord, run(
        select(Need.code, Need.parent_code, Need.name, Need.active)
        .order_by(Need.position, Need.code))))
    schools = tuple(starmap(SchoolRecord, run(
        select(School.id, School.name, School.urn, Location.easting, Location.northing)
        .join(Location, Location.id == School.location_id)
        .order_by(School.name, School.id))))
    hubs = _read_hubs(run, schools)
    waits = measured_waits(session, None) if measured_waits else {}
    # By id: linear, as the rows come nearly in order.
    rows = sorted(run(_services_query()).all(), key=itemgetter(0))
    # The rows turned into columns, named: each record field is then one pass over one.
    values = zip(*rows, strict=True) if rows else [()] * len(_SERVICE_COLUMNS)
    column = dict(zip(_SERVICE_COLUMNS, values, strict=True))
    ids = column["id"]
    venue_known = [easting is not None for easting in column["easting"]]
    routes = {route.value: route.takes_system_referrals for route in ReferralRoute}
    services = _records(ServiceRecord, {
        **column,
        **capacity_columns(column["accepting"], column["free_places"],
                           column["waitlist_length"], column["typical_wait_days"],
                           column["capacity_updated_at"]),
        "need_codes": _decoded(column["need_codes"], _need_set),
        "delivery_modes": _decoded(column["delivery_modes"], _string_set),
        "languages": _decoded(column["languages"], _string_set),
        "takes_system_referrals": list(map(routes.__getitem__, column["referral_route"])),
        "measured_wait_days": list(map(waits.get, ids)),
        "venue": [(easting, northing) if known else None for known, easting, northing
                  in zip(venue_known, column["easting"], column["northing"], strict=True)],
        "hubs": list(map(hubs.get, ids, repeat(()))),
        "area_wkt": _decoded(column["service_area"], _area_wkt),
        "area_name": [name or "" for name in column["area_name"]],
        "help_kinds": _decoded(column["help_kinds"], _string_set),
        "audiences": _decoded(column["audiences"], _string_set),
        "level": [level or "" for level in column["level"]],
    })
    listings = _records(ListingRecord, {
        **column,
        "description": [text or "" for text in column["description"]],
        "opening_times": [text or "" for text in column["opening_times"]],
        "cost": [cost or None for cost in column["cost"]],
        "venue_location_id": [location_id if known else None for known, location_id
                              in zip(venue_known, column["location_id"], strict=True)],
    })
    snapshot = DirectorySnapshot(
        version=position.version,
        services=tuple(services),
        need_parents={need.code: need.parent_code for need in needs},
        taken_at=utcnow(),
        need_names={need.code: need.name for need in needs},
    )
    return DirectoryRead(snapshot=snapshot, listings=dict(zip(ids, listings, strict=True)),
                         needs=needs, schools=schools, capacity_seq=position.capacity_seq)


def build_lookups(read: DirectoryRead) -> DirectoryLookups:
    """The search pages' lists for one directory read."""
    outline = outline_from_rows(
        (need.code, need.parent_code, need.name, need.active) for need in read.needs)
    return DirectoryLookups(
        version=read.version,
        needs=outline,
        need_choices=tuple(choices_from_outline(outline)),
        need_names={need.code: need.name for need in read.needs},
        school_choices=(
            ("", "Choose a school"),
            *((str(school.id), school.name) for school in read.schools),
        ),
    )


# Brings a view up to date with new capacity figures (the changed services' new records).
Patch = Callable[[View, Sequence[ServiceRecord]], View]


def _unchanged(view: View, _changed: Sequence[ServiceRecord]) -> View:
    """The patch of a view that reads no service record."""
    return view


class SnapshotEntry:
    """One directory version's read and the views derived from it, each built once, and
    kept up to date with capacity changes.

    Thread-safe: views are built and patched under the entry's lock, re-checked once
    it is held, so concurrent requests never build the same view twice.
    """

    def __init__(self, read: DirectoryRead, weights: Weights | None) -> None:
        self.read = read
        self._weights = weights
        # The index's builder: a partial, not a bound method, so the entry holds no
        # reference cycle and is freed as soon as it is replaced (its read is frozen
        # out of the cyclic collector's sight, see read_directory).
        self._index_builder = functools.partial(_build_index, weights=weights)
        self._views: dict[Callable[[DirectoryRead], Any], Any] = {}
        self._patches: dict[Callable[[DirectoryRead], Any], Callable[..., Any]] = {
            build_lookups: _unchanged}
        self._rows: dict[int, int] | None = None  # service id -> position in the read
        self._lock = threading.Lock()

    @property
    def version(self) -> int:
        return self.read.version

    @property
    def capacity_seq(self) -> int:
        """The last capacity change applied to this entry."""
        return self.read.capacity_seq

    def view(self, build: Callable[[DirectoryRead], View],
             patch: Patch[View] | None = None) -> View:
        """The view ``build`` makes from this read, made on first use and then kept.

        ``build`` is the key, so pass the same function every time (a module-level
        function, as ``services.oruk.listing.build_listing_view``); it must not ask
        this entry for another view. ``patch`` brings the view up to date when
        capacity figures change; a view without one is dropped then and built again
        from the patched read when next asked for.
        """
        try:
            return self._views[build]
        except KeyError:
            pass
        with self._lock:
            if build not in self._views:
                self._views[build] = build(self.read)
                if patch is not None:
                    self._patches[build] = patch
            return self._views[build]

    def index(self) -> DirectoryIndex:
        """The routing engine's index over this read."""
        return self.view(self._index_builder, _patch_index)

    @property
    def lookups(self) -> DirectoryLookups:
        """The search pages' lists for this version."""
        return self.view(build_lookups)

    def built_views(self) -> list[tuple[Callable[[DirectoryRead], Any], Any]]:
        """(builder, patch) of each view made so far but the index (its builder is this
        entry's own): a rebuild warms the same ones."""
        return [(build, self._patches.get(build)) for build in list(self._views)
                if build != self._index_builder]

    def patch_capacity(self, position: DirectoryPosition,
                       measured_waits: Mapping[int, float]) -> None:
        """Apply the capacity figures of ``position`` to the read and every view, unless
        this entry has already seen that position or a later one."""
        with self._lock:
            if position.capacity_seq <= self.read.capacity_seq:
                return
            services = self.read.snapshot.services
            rows = self._rows
            if rows is None:
                rows = self._rows = {s.id: i for i, s in enumerate(services)}
            changed = []
            patched = list(services)
            for figures in position.changed:
                row = rows.get(figures.service_id)
                if row is not None:  # an inactive service: not in the directory
                    record = figures.applied_to(
                        services[row], measured_waits.get(figures.service_id))
                    patched[row] = record
                    changed.append(record)
            snapshot = replace(self.read.snapshot, services=tuple(patched))
            self.read = replace(self.read, snapshot=snapshot, capacity_seq=position.capacity_seq)
            for build in list(self._views):
                patch = self._patches.get(build)
                if patch is None:
                    del self._views[build]
                elif changed:
                    self._views[build] = patch(self._views[build], changed)



def _build_index(read: DirectoryRead, weights: Weights | None) -> DirectoryIndex:
    return DirectoryIndex.build(read.snapshot, weights)


def _patch_index(index: DirectoryIndex, changed: Sequence[ServiceRecord]) -> DirectoryIndex:
    index.apply_capacity(changed)
    return index


# Opens a session of its own for a background rebuild (a context manager closing it).
OpenSession = Callable[[], AbstractContextManager[Session]]


class SnapshotCache:
    """Holds the snapshot of the directory's current version, patched with every
    capacity change, and rebuilds it in the background after a structural change.

    Kept by the web layer on its app (``app.extensions``), not in a module global,
    so each app (and each test) has its own. Only the first read blocks a request
    (double-checked under a lock: concurrent requests never read it twice). After
    a structural change the old entry keeps serving, with capacity patches, while
    a thread reads and indexes the new version, then swaps it in. Without
    ``open_session`` the rebuild happens inline, in the request that notices it.
    """

    def __init__(
        self, weights: Weights | None = None, measured_waits: MeasuredWaits | None = None,
        open_session: OpenSession | None = None,
    ) -> None:
        self._weights = weights
        self._measured_waits = measured_waits
        self._open_session = open_session
        self._entry: SnapshotEntry | None = None
        self._lock = threading.Lock()
        self._rebuild: threading.Thread | None = None
        # How many times a directory was read and entries made: the tests count them.
        self.builds = 0

    def get(self, session: Session,
            known: tuple[int | None, int | None] | None = None) -> SnapshotEntry:
        """The entry for the directory's current position (one indexed read), with every
        committed capacity change applied; read again inline only when there is none yet
        (or without ``open_session``).

        ``known`` is (version, capacity_seq) as the caller read them a moment ago in
        this session (``position_columns``): when the entry stands there already, it
        is returned without a read; otherwise the position is read as usual.
        """
        entry = self._first(session)
        if known is not None and known == (entry.version, entry.capacity_seq):
            return entry
        # A rebuild may swap the entry while it is being patched: patch the new one too.
        while True:
            position = read_position(session, entry.capacity_seq)
            if position.version != entry.version or not position.complete:
                if self._open_session is None:
                    entry = self._replace(entry, session)
                    continue
                self._start_rebuild(entry, self._open_session)
            if position.capacity_seq > entry.capacity_seq:
                ids = [figures.service_id for figures in position.changed]
                waits = self._measured_waits(session, ids) if self._measured_waits else {}
                entry.patch_capacity(position, waits)
            current = self._first(session)
            if current is entry:
                return entry
            entry = current

    def _first(self, session: Session) -> SnapshotEntry:
        """The current entry, read now if there is none yet."""
        entry = self._entry
        if entry is None:
            with self._lock:
                entry = self._entry
                if entry is None:
                    entry = self._entry = self._read(session)
        return entry

    def _replace(self, stale: SnapshotEntry, session: Session) -> SnapshotEntry:
        """Read the directory again inline, unless another request already has."""
        with self._lock:
            entry = self._entry
            if entry is stale or entry is None:
                entry = self._entry = self._read(session)
            return entry

    def wait_for_rebuild(self, timeout: float | None = None) -> None:
        """Block until a background rebuild under way has swapped its entry in."""
        thread = self._rebuild
        if thread is not None:
            thread.join(timeout)

    def _read(self, session: Session) -> SnapshotEntry:
        self.builds += 1
        waits = self._measured_waits
        return SnapshotEntry(read_directory(session, waits), self._weights)

    def _start_rebuild(self, stale: SnapshotEntry, open_session: OpenSession) -> None:
        with self._lock:
            if self._rebuild is not None and self._rebuild.is_alive():
                return
            thread = threading.Thread(target=self._rebuild_from, args=(stale, open_session),
                                      name="directory-rebuild", daemon=True)
            self._rebuild = thread
            thread.start()

    def _rebuild_from(self, stale: SnapshotEntry, open_session: OpenSession) -> None:
        """Read and index the new version in this thread, warm the views the stale
        entry had, then swap. A failure is logged; the next request tries again."""
        try:
            with open_session() as session:
                fresh = self._read(session)
                fresh.index()
                for build, patch in stale.built_views():
                    fresh.view(build, patch)
            with self._lock:
                if self._entry is stale:
                    self._entry = fresh
        except Exception:
            logger.exception("directory rebuild failed; the old snapshot keeps serving")
