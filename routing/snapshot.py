"""The one directory snapshot: read once per directory version, cached once per app.

Search, referral matching and the ORUK API all read the directory through this
module. ``read_directory`` reads every active service, the needs and the
schools (a few queries, no lazy loads) into plain records; a ``SnapshotCache``
(the web layer keeps one per app, in ``app.extensions``) holds that read for the
current version together with every view derived from it: the engine's
``DirectoryIndex``, the small page lookups and any other view (the ORUK listing
view), each built the first time it is asked for and never twice for a version.
Each web worker checks the directory version (one primary-key read) before use,
so a change made in any worker is seen by all of them on their next request.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from routing.engine import DirectoryIndex, DirectorySnapshot, HubRecord, ServiceRecord, Weights
from services.areas import area_to_bng
from services.db import utcnow
from services.listings import Service, ServiceSchool
from services.locations import Location
from services.schools import School
from services.taxonomy import Need
from services.taxonomy_ops import NeedNode, choices_from_outline, outline_from_rows
from services.version import current_version

# Given the session, returns {service_id: median days from sending to acceptance}.
MeasuredWaits = Callable[[Session], dict[int, float]]
View = TypeVar("View")


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """What the published listing shows of a service beyond the engine's ``ServiceRecord``."""

    id: int
    uuid: str
    description: str
    opening_times: str
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
    venue: Location | None,
    hubs: Iterable[tuple[SchoolRecord, list[str] | None]],
) -> tuple[tuple[float, float] | None, tuple[HubRecord, ...]]:
    """The places a service is delivered: its venue point, then its school hubs (each
    with its days) by school name and URN.

    The engine's record and the published listing both take a service's places
    from here, so they always agree on which places there are and their order.
    """
    point = (venue.easting, venue.northing) if venue is not None else None
    ordered = sorted(hubs, key=lambda hub: (hub[0].name, hub[0].urn))
    return point, tuple(
        HubRecord(school_id=school.id, school_name=school.name, easting=school.easting,
                  northing=school.northing, days=tuple(days or ()))
        for school, days in ordered
    )


def read_directory(
    session: Session, measured_waits: MeasuredWaits | None = None
) -> DirectoryRead:
    """Read every active service, every need and every school into plain records."""
    version = current_version(session)
    needs = tuple(
        NeedRecord(code, parent_code, name, active)
        for code, parent_code, name, active in session.execute(
            select(Need.code, Need.parent_code, Need.name, Need.active)
            .order_by(Need.position, Need.code)
        )
    )
    schools = tuple(
        SchoolRecord(id, name, urn, easting, northing)
        for id, name, urn, easting, northing in session.execute(
            select(School.id, School.name, School.urn, Location.easting, Location.northing)
            .join(Location, Location.id == School.location_id)
            .order_by(School.name, School.id)
        )
    )
    school_by_id = {school.id: school for school in schools}
    hub_links: dict[int, list[tuple[SchoolRecord, list[str] | None]]] = defaultdict(list)
    for service_id, school_id, days in session.execute(
        select(ServiceSchool.service_id, ServiceSchool.school_id, ServiceSchool.days)
    ):
        hub_links[service_id].append((school_by_id[school_id], days))
    services = session.execute(
        select(Service)
        .where(Service.active.is_(True))
        .options(
            selectinload(Service.need_links),
            selectinload(Service.capacity),
            selectinload(Service.location),
            selectinload(Service.organisation),
        )
    ).scalars()
    waits = measured_waits(session) if measured_waits else {}
    area_wkt_cache: dict[str, str] = {}
    records = []
    listings = {}
    for service in services:
        capacity = service.capacity
        area_wkt = None
        if service.service_area:
            key = repr(service.service_area)
            if key not in area_wkt_cache:
                area_wkt_cache[key] = area_to_bng(service.service_area).wkt
            area_wkt = area_wkt_cache[key]
        venue, hubs = service_places(service.location, hub_links.get(service.id, ()))
        records.append(
            ServiceRecord(
                id=service.id,
                name=service.name,
                organisation_id=service.organisation_id,
                organisation_name=service.organisation.name,
                need_codes=frozenset(link.need_code for link in service.need_links),
                min_age=service.min_age,
                max_age=service.max_age,
                delivery_modes=frozenset(service.delivery_modes or ()),
                languages=frozenset(service.languages or ()),
                takes_system_referrals=service.referral_route.takes_system_referrals,
                accepting=bool(capacity and capacity.accepting),
                free_places=capacity.free_places if capacity else 0,
                waitlist_length=capacity.waitlist_length if capacity else 0,
                typical_wait_days=capacity.typical_wait_days if capacity else None,
                measured_wait_days=waits.get(service.id),
                capacity_updated_at=capacity.updated_at if capacity else None,
                venue=venue,
                hubs=hubs,
                area_wkt=area_wkt,
                area_name=service.service_area_name or "",
            )
        )
        listings[service.id] = ListingRecord(
            id=service.id,
            uuid=service.uuid,
            description=service.description or "",
            opening_times=service.opening_times or "",
            venue_location_id=service.location_id if venue is not None else None,
            updated_at=service.updated_at,
        )
    snapshot = DirectorySnapshot(
        version=version,
        services=tuple(records),
        need_parents={need.code: need.parent_code for need in needs},
        taken_at=utcnow(),
    )
    return DirectoryRead(snapshot=snapshot, listings=listings, needs=needs, schools=schools)


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


class SnapshotEntry:
    """One directory version's read and the views derived from it, each built once.

    Thread-safe: views are built under the entry's lock, re-checked once it is
    held, so concurrent requests never build the same view twice.
    """

    def __init__(self, read: DirectoryRead, weights: Weights | None) -> None:
        self.read = read
        self._weights = weights
        self._views: dict[Callable[[DirectoryRead], Any], Any] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> int:
        return self.read.version

    def view(self, build: Callable[[DirectoryRead], View]) -> View:
        """The view ``build`` makes from this read, made on first use and then kept.

        ``build`` is the key, so pass the same function every time (a module-level
        function, as ``services.oruk.listing.build_listing_view``); it must not ask
        this entry for another view.
        """
        try:
            return self._views[build]
        except KeyError:
            pass
        with self._lock:
            if build not in self._views:
                self._views[build] = build(self.read)
            return self._views[build]

    def index(self) -> DirectoryIndex:
        """The routing engine's index over this read."""
        return self.view(self._build_index)

    @property
    def lookups(self) -> DirectoryLookups:
        """The search pages' lists for this version."""
        return self.view(build_lookups)

    def _build_index(self, read: DirectoryRead) -> DirectoryIndex:
        return DirectoryIndex.build(read.snapshot, self._weights)


class SnapshotCache:
    """Holds the snapshot of the directory's current version and re-reads it when the
    directory changes.

    Kept by the web layer on its app (``app.extensions``), not in a module global,
    so each app (and each test) has its own. The read is double-checked under a
    lock: concurrent requests never read the same version twice.
    """

    def __init__(
        self, weights: Weights | None = None, measured_waits: MeasuredWaits | None = None
    ) -> None:
        self._weights = weights
        self._measured_waits = measured_waits
        self._entry: SnapshotEntry | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> SnapshotEntry:
        """The entry for the directory's current version (one primary-key read), read
        again if it is stale."""
        version = current_version(session)
        entry = self._entry
        if entry is not None and entry.version == version:
            return entry
        with self._lock:
            entry = self._entry
            if entry is None or entry.version != version:
                entry = SnapshotEntry(read_directory(session, self._measured_waits),
                                      self._weights)
                self._entry = entry
            return entry

