"""The read operations behind the ORUK API: each returns JSON-ready data.

The list and service operations take the ``ListingView`` of the directory's
current version (``services.oruk.listing``). They raise
:class:`services.oruk.query.QueryError` for bad parameters and :class:`NotFound`
for unknown ids; the web layer maps those to 400 and 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from routing.gazetteer.lookup import geocode
from routing.geo import PostcodeError
from services.listings import Service, ServiceSchool
from services.oruk import ids, serialisers
from services.oruk.listing import ListingView, Point, find_services, find_sites
from services.oruk.query import ListQuery, QueryError, parse_list_query, parse_page_query
from services.schools import School
from services.taxonomy import Need

HSDS_VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/"


class NotFound(LookupError):
    """No published record has this id."""


def api_info(openapi_url: str) -> dict[str, Any]:
    """The ``GET /`` answer."""
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}


def _origin(session: Session, query: ListQuery) -> Point | None:
    if query.postcode is None:
        return None
    try:
        place = geocode(session, query.postcode)
    except PostcodeError as error:
        raise QueryError("postcode", str(error)) from None
    return (place.easting, place.northing)


def load_services(session: Session, pks: Sequence[int]) -> dict[int, Service]:
    """The services with these ids, with everything the serialisers read, by id."""
    if not pks:
        return {}
    rows = session.execute(
        select(Service)
        .where(Service.id.in_(list(pks)))
        .options(
            selectinload(Service.organisation),
            selectinload(Service.location),
            selectinload(Service.needs),
            selectinload(Service.capacity),
            selectinload(Service.hubs).selectinload(ServiceSchool.school)
            .selectinload(School.location),
        )
    ).scalars()
    return {service.id: service for service in rows}


def list_services(session: Session, view: ListingView, args: Mapping[str, str]) -> dict[str, Any]:
    """``GET /services``: a page of services. Raises QueryError."""
    query = parse_list_query(args)
    found = find_services(view, query, _origin(session, query))
    window = serialisers.Window(query.page, query.per_page, len(found))
    chosen = found[window.start:window.stop]
    loaded = load_services(session, [row.pk for row in chosen])
    return serialisers.page(window, [serialisers.service_list_item(loaded[row.pk])
                                     for row in chosen])


def get_service(session: Session, view: ListingView, service_id: str) -> dict[str, Any]:
    """``GET /services/{id}``: one fully nested service. Raises NotFound."""
    row = view.by_uuid.get(service_id)
    if row is None:
        raise NotFound(service_id)
    return serialisers.service_full(load_services(session, [row.pk])[row.pk], row.sites)


def list_service_at_locations(session: Session, view: ListingView,
                              args: Mapping[str, str]) -> dict[str, Any]:
    """``GET /service_at_locations``: a page of services at locations. Raises QueryError."""
    query = parse_list_query(args)
    found = find_sites(view, query, _origin(session, query))
    window = serialisers.Window(query.page, query.per_page, len(found))
    chosen = found[window.start:window.stop]
    loaded = load_services(session, sorted({row.pk for row, _site in chosen}))
    return serialisers.page(window, [serialisers.service_at_location_item(loaded[row.pk], site)
                                     for row, site in chosen])


def get_service_at_location(session: Session, view: ListingView, sal_id: str) -> dict[str, Any]:
    """``GET /service_at_locations/{id}``: one service at a location. Raises NotFound."""
    pair = view.sal_by_id.get(sal_id)
    if pair is None:
        raise NotFound(sal_id)
    row, site = pair
    return serialisers.service_at_location_item(load_services(session, [row.pk])[row.pk], site)


def _terms(session: Session, include_inactive: bool = False) -> list[Need]:
    """Needs in taxonomy order: each top-level need, then its children."""
    needs = list(session.execute(select(Need)).scalars())
    if not include_inactive:
        needs = [need for need in needs if need.active]
    parents = {need.code: need for need in needs if need.parent_code is None}

    def key(need: Need) -> tuple[int, str, int, int, str]:
        parent = parents.get(need.parent_code or need.code)
        top = (parent.position, parent.code) if parent else (10_000, need.parent_code or "")
        own = (1, need.position) if need.parent_code else (0, 0)
        return (top[0], top[1], *own, need.code)

    return sorted(needs, key=key)


def list_taxonomies(session: Session, args: Mapping[str, str]) -> dict[str, Any]:
    """``GET /taxonomies``: our one taxonomy. Raises QueryError."""
    query = parse_page_query(args)
    everything = [serialisers.taxonomy()]
    window = serialisers.Window(query.page, query.per_page, len(everything))
    return serialisers.page(window, everything[window.start:window.stop])


def get_taxonomy(session: Session, taxonomy_id: str) -> dict[str, Any]:
    """``GET /taxonomies/{id}``, with its terms nested. Raises NotFound."""
    if taxonomy_id != ids.taxonomy_id():
        raise NotFound(taxonomy_id)
    return serialisers.taxonomy(_terms(session))


def list_taxonomy_terms(session: Session, args: Mapping[str, str]) -> dict[str, Any]:
    """``GET /taxonomy_terms``: a page of needs. Raises QueryError."""
    query = parse_page_query(args)
    terms = _terms(session)
    window = serialisers.Window(query.page, query.per_page, len(terms))
    return serialisers.page(window, [serialisers.taxonomy_term(need)
                                     for need in terms[window.start:window.stop]])


def get_taxonomy_term(session: Session, term_id: str) -> dict[str, Any]:
    """``GET /taxonomy_terms/{id}``, also for retired needs. Raises NotFound."""
    for need in _terms(session, include_inactive=True):
        if ids.term_id(need.code) == term_id:
            return serialisers.taxonomy_term(need)
    raise NotFound(term_id)
