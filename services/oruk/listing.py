"""The published directory as the ORUK API filters and pages it: the ``ListingView``.

It is derived from the one directory snapshot (``routing.snapshot``), once per
directory version, and answers with the search page's own rules:

- needs: the engine's ``Taxonomy.matching_codes`` and need rule, so a service
  declaring ``MHW`` is found for ``MHW.ANX`` (a parent meets a child request), a
  request for ``MHW`` finds its children, and siblings never match;
- places: the venue and school hubs of the engine's ``ServiceRecord``
  (``routing.snapshot.service_places``), distances by the engine's ``distance_m``;
- areas: the engine's ``AreaCatalogue`` (prepared shapely polygons on the British
  National Grid; a point on the boundary counts as inside).

Filtering runs in Python over these plain records, so ``/services?page=1`` and a
postcode search over ten thousand services take milliseconds; only the page asked
for is then loaded as full ORM objects and serialised.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import time

from routing.engine import ServiceRecord
from routing.engine.areas import AreaCatalogue
from routing.engine.rules import NeedRule, distance_m
from routing.engine.taxonomy import Taxonomy
from routing.snapshot import DirectoryRead, ListingRecord
from services.oruk import ids
from services.oruk.query import ListQuery
from services.oruk.schedule import parse_opening_times

Point = tuple[float, float]  # British National Grid metres


@dataclass(frozen=True, slots=True)
class Site:
    """One place where a published service runs: its venue or a school hub."""

    sal_id: str
    location_id: str
    easting: float
    northing: float
    days: tuple[str, ...]
    school_id: int | None  # None for the service's own venue


@dataclass(frozen=True, slots=True)
class ListingRow:
    """What filtering needs to know about one published service."""

    service: ServiceRecord
    listing: ListingRecord
    text: str  # lower-case words searched by ``search``
    days: frozenset[str]
    opens: time | None
    closes: time | None
    area_slot: int  # in the view's area catalogue; 0 for no area
    sites: tuple[Site, ...]

    @property
    def pk(self) -> int:
        return self.service.id

    @property
    def uuid(self) -> str:
        return self.listing.uuid


@dataclass(frozen=True)
class ListingView:
    """Every published service in list order (by name), with look-ups by public id."""

    rows: tuple[ListingRow, ...]
    by_uuid: dict[str, ListingRow]
    sal_by_id: dict[str, tuple[ListingRow, Site]]
    term_codes: dict[str, str]
    taxonomy: Taxonomy
    areas: AreaCatalogue

    def term_code(self, text: str) -> str | None:
        """The need code for a term id (or a need code itself); None if unknown."""
        return self.term_codes.get(text) or self.term_codes.get(text.upper())


def _sites(service: ServiceRecord, listing: ListingRecord, urns: dict[int, str],
           venue_days: tuple[str, ...]) -> tuple[Site, ...]:
    found: list[Site] = []
    if service.venue is not None and listing.venue_location_id is not None:
        location_id = ids.venue_location_id(listing.venue_location_id)
        found.append(Site(ids.service_at_location_id(listing.uuid, location_id), location_id,
                          service.venue[0], service.venue[1], venue_days, None))
    for hub in service.hubs:
        location_id = ids.school_location_id(urns[hub.school_id])
        found.append(Site(ids.service_at_location_id(listing.uuid, location_id), location_id,
                          hub.easting, hub.northing, hub.days, hub.school_id))
    return tuple(found)


def build_listing_view(read: DirectoryRead) -> ListingView:
    """The listing view of one directory read (active services only)."""
    need_names = {need.code: need.name for need in read.needs}
    urns = {school.id: school.urn for school in read.schools}
    areas = AreaCatalogue(s.area_wkt for s in read.snapshot.services if s.area_wkt is not None)
    rows = []
    for service in sorted(read.snapshot.services, key=lambda s: (s.name, s.id)):
        listing = read.listings[service.id]
        hours = parse_opening_times(listing.opening_times)
        sites = _sites(service, listing, urns, hours.days)
        hub_days = {day for hub in service.hubs for day in hub.days}
        text = " ".join([service.name, listing.description, service.organisation_name,
                         *(need_names.get(code, "") for code in sorted(service.need_codes))])
        rows.append(ListingRow(
            service=service, listing=listing, text=text.lower(),
            days=frozenset(hours.days) | hub_days, opens=hours.opens, closes=hours.closes,
            area_slot=areas.slot(service.area_wkt), sites=sites,
        ))
    term_codes = {ids.term_id(need.code): need.code for need in read.needs}
    term_codes.update({need.code: need.code for need in read.needs})
    return ListingView(
        rows=tuple(rows),
        by_uuid={row.uuid: row for row in rows},
        sal_by_id={site.sal_id: (row, site) for row in rows for site in row.sites},
        term_codes=term_codes,
        taxonomy=Taxonomy(read.snapshot.need_parents),
        areas=areas,
    )


def patch_listing_view(view: ListingView, changed: Sequence[ServiceRecord]) -> ListingView:
    """``view`` with the new records of services whose capacity figures changed (the
    listing's order, places and filters do not depend on them)."""
    new = {service.id: service for service in changed}
    rows = tuple(replace(row, service=new[row.pk]) if row.pk in new else row
                 for row in view.rows)
    by_uuid = dict(view.by_uuid)
    sal_by_id = dict(view.sal_by_id)
    for row in rows:
        if row.pk in new:
            by_uuid[row.uuid] = row
            sal_by_id.update((site.sal_id, (row, site)) for site in row.sites)
    return replace(view, rows=rows, by_uuid=by_uuid, sal_by_id=sal_by_id)


Test = Callable[[ListingRow], bool]


def _filter(view: ListingView, query: ListQuery, origin: Point | None) -> Test | None:
    """One test for every filter the query sets (AND); None when it sets none.

    Only the filters given are tested, so an unfiltered page costs no test per row.
    """
    tests: list[Test] = []
    if query.search:
        words = query.search.lower().split()
        tests.append(lambda row: all(word in row.text for word in words))
    if query.taxonomy_term_id is not None:
        # Comma-separated ids mean any of them.
        codes: frozenset[str] = frozenset()
        for term_id in query.taxonomy_term_ids:
            code = view.term_code(term_id)
            codes |= view.taxonomy.matching_codes(code) if code else frozenset()
        tests.append(lambda row: NeedRule.meets(row.service, codes))
    if query.modified_after is not None:
        after = query.modified_after
        tests.append(lambda row: row.listing.updated_at > after)
    if query.taxonomy_id is not None:
        ours = query.taxonomy_id == ids.taxonomy_id()
        tests.append(lambda row: ours and bool(row.service.need_codes))
    if query.minimum_age is not None:
        youngest = query.minimum_age
        # An age not stated is not known to fit: such services are left out.
        tests.append(lambda row: row.service.min_age is not None
                     and row.service.min_age >= youngest)
    if query.maximum_age is not None:
        oldest = query.maximum_age
        tests.append(lambda row: row.service.max_age is not None
                     and row.service.max_age <= oldest)
    if query.day is not None:
        day = query.day
        tests.append(lambda row: day in row.days)
    if query.start_time is not None:
        start = query.start_time
        tests.append(lambda row: row.opens is not None and row.opens >= start)
    if query.end_time is not None:
        end = query.end_time
        tests.append(lambda row: row.closes is not None and row.closes <= end)
    if origin is not None:
        # A postcode must lie inside the service's area, if it has one (slot 0, no
        # area, holds every point).
        slots = frozenset((0, *view.areas.slots_containing(origin)))
        tests.append(lambda row: row.area_slot in slots)
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda row: all(test(row) for test in tests)


def find_services(view: ListingView, query: ListQuery, origin: Point | None) -> list[ListingRow]:
    """Services matching every filter (AND): by name, or nearest first with ``proximity``."""
    matches = _filter(view, query, origin)
    if origin is None or query.proximity is None:
        return [row for row in view.rows if matches is None or matches(row)]
    scored = []
    for row in view.rows:
        distance = distance_m(row.service, origin)
        if (distance is not None and distance <= query.proximity
                and (matches is None or matches(row))):
            scored.append((distance, row.service.name, row.pk, row))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored]


def find_sites(view: ListingView, query: ListQuery,
               origin: Point | None) -> list[tuple[ListingRow, Site]]:
    """Services at locations matching every filter; ``day`` and ``proximity`` apply per site."""
    matches = _filter(view, query, origin)
    found: list[tuple[float, ListingRow, Site]] = []
    for row in view.rows:
        if not row.sites or (matches is not None and not matches(row)):
            continue
        for site in row.sites:
            if query.day is not None and query.day not in site.days:
                continue
            distance = 0.0
            if origin is not None:
                dx, dy = site.easting - origin[0], site.northing - origin[1]
                distance = math.sqrt(dx * dx + dy * dy)
            if query.proximity is not None and distance > query.proximity:
                continue
            found.append((distance, row, site))
    if query.proximity is not None:
        found.sort(key=lambda item: item[0])
    return [(row, site) for _distance, row, site in found]
