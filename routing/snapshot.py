"""Directory snapshot for the routing engine, and a per-process cache of its index.

The engine works on plain records; this module is the one place that reads
them from the database. Each web worker keeps one built index and checks the
directory version (one primary-key read) before every use, so a capacity
change in any worker is seen by all of them on their next request.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from routing.engine import DirectoryIndex, DirectorySnapshot, HubRecord, ServiceRecord, Weights
from services.areas import area_to_bng
from services.db import utcnow
from services.listings import Service, ServiceSchool
from services.schools import School
from services.taxonomy import Need
from services.version import current_version

# Given the session, returns {service_id: median days from sending to acceptance}.
MeasuredWaits = Callable[[Session], dict[int, float]]


def build_snapshot(
    session: Session, measured_waits: MeasuredWaits | None = None
) -> DirectorySnapshot:
    """Read every active service into plain records (one query per table)."""
    version = current_version(session)
    need_parents = dict(session.execute(select(Need.code, Need.parent_code)).all())
    services = list(
        session.execute(
            select(Service)
            .where(Service.active.is_(True))
            .options(
                selectinload(Service.need_links),
                selectinload(Service.capacity),
                selectinload(Service.location),
                selectinload(Service.organisation),
            )
        ).scalars()
    )
    hubs: dict[int, list[HubRecord]] = defaultdict(list)
    rows = session.execute(
        select(ServiceSchool, School)
        .join(School, ServiceSchool.school_id == School.id)
        .options(selectinload(School.location))
    )
    for link, school in rows:
        hubs[link.service_id].append(
            HubRecord(
                school_id=school.id,
                school_name=school.name,
                easting=school.location.easting,
                northing=school.location.northing,
                days=tuple(link.days or ()),
            )
        )
    waits = measured_waits(session) if measured_waits else {}
    area_wkt_cache: dict[str, str] = {}
    records = []
    for service in services:
        capacity = service.capacity
        area_wkt = None
        if service.service_area:
            key = repr(service.service_area)
            if key not in area_wkt_cache:
                area_wkt_cache[key] = area_to_bng(service.service_area).wkt
            area_wkt = area_wkt_cache[key]
        venue = (
            (service.location.easting, service.location.northing) if service.location else None
        )
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
                hubs=tuple(sorted(hubs.get(service.id, ()), key=lambda h: h.school_id)),
                area_wkt=area_wkt,
                area_name=service.service_area_name or "",
            )
        )
    return DirectorySnapshot(
        version=version,
        services=tuple(records),
        need_parents=need_parents,
        taken_at=utcnow(),
    )


class IndexCache:
    """Holds one built index per process and rebuilds it when the directory changes.

    Stored on the Flask app (``app.extensions``), not in a module global, so
    each app (and each test) has its own.
    """

    def __init__(
        self, weights: Weights | None = None, measured_waits: MeasuredWaits | None = None
    ) -> None:
        self._weights = weights
        self._measured_waits = measured_waits
        self._index: DirectoryIndex | None = None
        self._lock = threading.Lock()
        self.built_at: datetime | None = None

    def get(self, session: Session, version: int | None = None) -> DirectoryIndex:
        """The index for the directory's current version, rebuilt if it is stale.

        ``version`` is that version when the caller has just read it in this
        transaction; otherwise it is read here.
        """
        if version is None:
            version = current_version(session)
        index = self._index
        if index is not None and index.version == version:
            return index
        with self._lock:
            if self._index is None or self._index.version != version:
                snapshot = build_snapshot(session, self._measured_waits)
                self._index = DirectoryIndex.build(snapshot, self._weights)
                self.built_at = utcnow()
            return self._index
