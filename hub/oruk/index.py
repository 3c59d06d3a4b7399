"""An in-memory index of the published directory, for fast filtering and paging.

Building it costs a few column-only queries; it is cached per app and rebuilt
whenever the directory version changes (every write bumps it). Filtering then
runs in Python over plain tuples, so ``/services?page=1`` and a postcode search
over ten thousand services take milliseconds. Only the page asked for is then
loaded as full ORM objects and serialised.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from flask import Flask, current_app
from shapely.geometry import Point
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.oruk import ids
from hub.oruk.query import ListQuery
from hub.oruk.schedule import parse_opening_times
from services.areas import area_to_bng
from services.listings import Service, ServiceNeed, ServiceSchool
from services.locations import Location
from services.organisations import Organisation
from services.schools import School
from services.taxonomy import Need
from services.version import DirectoryVersion


@dataclass(frozen=True)
class SiteRow:
    """One place where a service is delivered: its venue or a school hub."""

    sal_id: str
    location_id: str
    easting: float
    northing: float
    days: frozenset[str]


@dataclass
class ServiceRow:
    """What filtering needs to know about one published service."""

    pk: int
    uuid: str
    name: str
    text: str
    min_age: int
    max_age: int
    need_codes: frozenset[str]
    days: frozenset[str]
    opens: time | None
    closes: time | None
    area: PreparedGeometry | None
    sites: list[SiteRow] = field(default_factory=list)


@dataclass
class DirectoryIndex:
    """Every published service in list order, with look-ups by public id."""

    services: list[ServiceRow]
    by_uuid: dict[str, ServiceRow]
    sal_by_id: dict[str, tuple[ServiceRow, SiteRow]]
    term_codes: dict[str, str]

    def term_code(self, text: str) -> str | None:
        """The need code for a term id (or a need code itself); None if unknown."""
        return self.term_codes.get(text) or self.term_codes.get(text.upper())


def _site_days(raw: Any) -> frozenset[str]:
    return frozenset(day for day in (raw or []) if isinstance(day, str))


def build_index(session: Session) -> DirectoryIndex:
    """Read the published directory (active services only) into a DirectoryIndex."""
    needs = {code: name for code, name in session.execute(select(Need.code, Need.name))}
    need_links: dict[int, set[str]] = {}
    for service_pk, code in session.execute(select(ServiceNeed.service_id, ServiceNeed.need_code)):
        need_links.setdefault(service_pk, set()).add(code)
    hubs: dict[int, list[tuple[str, float, float, Any]]] = {}
    hub_rows = session.execute(
        select(ServiceSchool.service_id, School.urn, Location.easting, Location.northing,
               ServiceSchool.days)
        .join(School, School.id == ServiceSchool.school_id)
        .join(Location, Location.id == School.location_id)
        .order_by(ServiceSchool.service_id, School.name, School.urn)
    )
    for service_pk, urn, easting, northing, days in hub_rows:
        hubs.setdefault(service_pk, []).append((urn, easting, northing, days))
    rows = session.execute(
        select(Service.id, Service.uuid, Service.name, Service.description, Service.min_age,
               Service.max_age, Service.opening_times, Service.service_area, Service.location_id,
               Location.easting, Location.northing, Organisation.name)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .outerjoin(Location, Location.id == Service.location_id)
        .where(Service.active.is_(True))
        .order_by(Service.name, Service.id)
    )
    services: list[ServiceRow] = []
    for (pk, uuid, name, description, min_age, max_age, opening, area, location_pk,
         easting, northing, organisation_name) in rows:
        codes = frozenset(need_links.get(pk, ()))
        hours = parse_opening_times(opening)
        sites: list[SiteRow] = []
        if location_pk is not None:
            location_id = ids.venue_location_id(location_pk)
            sites.append(SiteRow(ids.service_at_location_id(uuid, location_id), location_id,
                                 easting, northing, frozenset(hours.days)))
        hub_days: set[str] = set()
        for urn, hub_easting, hub_northing, days in hubs.get(pk, []):
            location_id = ids.school_location_id(urn)
            site_days = _site_days(days)
            hub_days |= site_days
            sites.append(SiteRow(ids.service_at_location_id(uuid, location_id), location_id,
                                 hub_easting, hub_northing, site_days))
        text = " ".join([name, description, organisation_name, *(needs.get(c, "") for c in codes)])
        services.append(ServiceRow(
            pk=pk, uuid=uuid, name=name, text=text.lower(), min_age=min_age, max_age=max_age,
            need_codes=codes, days=frozenset(hours.days) | hub_days, opens=hours.opens,
            closes=hours.closes, area=prep(area_to_bng(area)) if area else None, sites=sites,
        ))
    term_codes = {ids.term_id(code): code for code in needs}
    term_codes.update({code: code for code in needs})
    return DirectoryIndex(
        services=services,
        by_uuid={row.uuid: row for row in services},
        sal_by_id={site.sal_id: (row, site) for row in services for site in row.sites},
        term_codes=term_codes,
    )


_lock = threading.Lock()


def directory_index(session: Session, app: Flask | None = None) -> DirectoryIndex:
    """This app's index, rebuilt when the directory version has changed since it was built."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    stamp_row = session.execute(
        select(DirectoryVersion.version, DirectoryVersion.updated_at)
        .where(DirectoryVersion.id == 1)
    ).one_or_none()
    stamp: tuple[int, datetime | None] = (stamp_row[0], stamp_row[1]) if stamp_row else (0, None)
    cached = app.extensions.get("oruk_index")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        index = build_index(session)
        app.extensions["oruk_index"] = (stamp, index)
    return index


@dataclass(frozen=True)
class Origin:
    """The point a postcode search measures from, in BNG metres."""

    easting: float
    northing: float

    def distance(self, easting: float, northing: float) -> float:
        """Straight-line distance in metres."""
        return math.hypot(easting - self.easting, northing - self.northing)


def _matches(row: ServiceRow, query: ListQuery, index: DirectoryIndex,
             origin: Origin | None) -> bool:
    if query.search and not all(word in row.text for word in query.search.lower().split()):
        return False
    if query.taxonomy_term_id is not None:
        code = index.term_code(query.taxonomy_term_id)
        if code is None or not any(c == code or c.startswith(code + ".")
                                   for c in row.need_codes):
            return False
    if query.taxonomy_id is not None and (
            query.taxonomy_id != ids.taxonomy_id() or not row.need_codes):
        return False
    if query.minimum_age is not None and row.min_age < query.minimum_age:
        return False
    if query.maximum_age is not None and row.max_age > query.maximum_age:
        return False
    if query.day is not None and query.day not in row.days:
        return False
    if query.start_time is not None and (row.opens is None or row.opens < query.start_time):
        return False
    if query.end_time is not None and (row.closes is None or row.closes > query.end_time):
        return False
    # A postcode must lie inside the service's area, if it has one.
    return origin is None or row.area is None or bool(
        row.area.contains(Point(origin.easting, origin.northing)))


def find_services(index: DirectoryIndex, query: ListQuery,
                  origin: Origin | None) -> list[ServiceRow]:
    """Services matching every filter (AND): by name, or nearest first with ``proximity``."""
    if origin is None or query.proximity is None:
        return [row for row in index.services if _matches(row, query, index, origin)]
    # Distance first (cheap, squared metres), then the other filters on what is near.
    limit = query.proximity * query.proximity
    x, y = origin.easting, origin.northing
    scored = []
    for row in index.services:
        nearest = math.inf
        for site in row.sites:
            squared = (site.easting - x) ** 2 + (site.northing - y) ** 2
            nearest = min(nearest, squared)
        if nearest <= limit and _matches(row, query, index, origin):
            scored.append((nearest, row.name, row.pk, row))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored]


def find_sites(index: DirectoryIndex, query: ListQuery,
               origin: Origin | None) -> list[tuple[ServiceRow, SiteRow]]:
    """Services at locations matching every filter; ``day`` and ``proximity`` apply per site."""
    found: list[tuple[float, ServiceRow, SiteRow]] = []
    for row in index.services:
        if not row.sites or not _matches(row, query, index, origin):
            continue
        for site in row.sites:
            if query.day is not None and query.day not in site.days:
                continue
            distance = origin.distance(site.easting, site.northing) if origin else 0.0
            if query.proximity is not None and distance > query.proximity:
                continue
            found.append((distance, row, site))
    if query.proximity is not None:
        found.sort(key=lambda item: item[0])
    return [(row, site) for _distance, row, site in found]
