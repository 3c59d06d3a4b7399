"""Our models as ORUK 3.0 JSON (HSDS-UK-3.0), plus a few HSDS extensions.

The ORUK schemas do not forbid additional properties, so alongside the profile's
fields we publish, in HSDS's own spelling: ``eligibility_description`` and
``phones`` (HSDS 3.0), language ``name`` and ``code`` (HSDS 3.0) and
``service_capacity`` (HSDS 3.1). ``family_hub`` carries the fields Open Referral
has no place for (delivery modes, referral route, capacity detail) so that our
own export re-imports without loss.

Never published: contact person names, who updated capacity, user accounts,
inactive services. Team emails and phone numbers are public directory data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.listings import Service
from services.locations import Location
from services.organisations import Organisation, OrganisationKind
from services.oruk import help_terms, ids
from services.oruk.extras import publish_service_extras
from services.oruk.listing import Site
from services.oruk.schedule import RRULE_DAYS, parse_opening_times
from services.schools import School
from services.taxonomy import Need

TAXONOMY_NAME = "Family Hub needs"
TAXONOMY_DESCRIPTION = (
    "The needs taxonomy of Family Hub: two levels with stable codes, such as MHW "
    "(Mental health and wellbeing) and MHW.ANX (Anxiety and low mood)."
)
TAXONOMY_VERSION = "1"
LANGUAGE_CODES = {
    "English": "en", "Urdu": "ur", "Polish": "pl", "Gujarati": "gu", "Punjabi": "pa",
    "Arabic": "ar", "Bengali": "bn", "Romanian": "ro", "Somali": "so", "Welsh": "cy",
    "French": "fr", "Spanish": "es", "Portuguese": "pt", "Chinese": "zh", "Farsi": "fa",
    "Kurdish": "ku", "Pashto": "ps", "Tigrinya": "ti", "Ukrainian": "uk", "Russian": "ru",
    "British Sign Language": "bfi",
}


def timestamp(value: datetime | None) -> str | None:
    """Naive UTC as RFC 3339 (``2024-05-01T09:30:00Z``); None stays None."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"


def _prune(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values: the schemas type them (uri, email) and "" is not valid."""
    return {key: value for key, value in data.items() if value not in (None, "")}


# --- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Which slice of a result list a page shows."""

    page: int
    per_page: int
    total: int

    @property
    def total_pages(self) -> int:
        """At least 1: page 1 always exists, even when empty."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def stop(self) -> int:
        return min(self.total, self.start + self.per_page)


def page(window: Window, contents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ORUK ``Page`` shape around ``contents``."""
    return {
        "total_items": window.total,
        "total_pages": window.total_pages,
        "page_number": window.page,
        "size": len(contents),
        "first_page": window.page == 1,
        "last_page": window.page >= window.total_pages,
        "empty": len(contents) == 0,
        "contents": list(contents),
    }


# --- taxonomy --------------------------------------------------------------------------------


def taxonomy(terms: Sequence[Need] | None = None) -> dict[str, Any]:
    """Our needs taxonomy; with ``terms`` given, they are nested as ``taxonomy_terms``."""
    data: dict[str, Any] = {
        "id": ids.taxonomy_id(),
        "name": TAXONOMY_NAME,
        "description": TAXONOMY_DESCRIPTION,
        "version": TAXONOMY_VERSION,
    }
    if terms is not None:
        data["taxonomy_terms"] = [taxonomy_term(need) for need in terms]
    return data


def taxonomy_term(need: Need) -> dict[str, Any]:
    """One need as a taxonomy term; ``term`` is its stable code."""
    return _prune({
        "id": ids.term_id(need.code),
        "name": need.name,
        "description": need.description or need.name,
        "parent_id": ids.term_id(need.parent_code) if need.parent_code else None,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": ids.taxonomy_id(),
        "term": need.code,
        "code": need.code,
    })


# --- organisations and locations -------------------------------------------------------------


def organisation(org: Organisation) -> dict[str, Any]:
    """An organisation; its kind is published as the description."""
    return _prune({
        "id": org.uuid,
        "name": org.name,
        "description": OrganisationKind(org.kind).label,
        "email": org.email,
        "website": org.website,
        **(org.oruk_extra or {}),
    })


def split_address(address: str) -> tuple[str, str]:
    """``"1 High Street, Bolton"`` -> (``"1 High Street"``, ``"Bolton"``)."""
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    if len(parts) < 2:
        return (parts[0] if parts else "", "")
    return ", ".join(parts[:-1]), parts[-1]


def _address(location_id: str, location: Location) -> dict[str, Any]:
    line, city = split_address(location.address)
    return {
        "id": ids.derive("address", location_id),
        "location_id": location_id,
        "address_1": line or location.postcode,
        "city": city,
        "state_province": "England",
        "postal_code": location.postcode,
        "country": "GB",
        "address_type": "physical",
    }


def venue_location(location: Location) -> dict[str, Any]:
    """A service's own venue."""
    location_id = ids.venue_location_id(location.id)
    return _prune({
        "id": location_id,
        "location_type": "physical",
        "name": location.name,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "addresses": [_address(location_id, location)],
    })


def school_location(school: School) -> dict[str, Any]:
    """A school hub, identified by its URN."""
    location_id = ids.school_location_id(school.urn)
    return {
        "id": location_id,
        "location_type": "physical",
        "name": school.name,
        "description": f"{school.name}, a {school.phase.label.lower()} school family hub.",
        "latitude": school.location.latitude,
        "longitude": school.location.longitude,
        "external_identifier": school.urn,
        "external_identifier_type": "URN",
        "addresses": [_address(location_id, school.location)],
    }


def site_location(service: Service, site: Site) -> dict[str, Any]:
    """The published location of one of the service's sites (its venue or a school hub).

    Raises LookupError when the site is not one of this service's places.
    """
    if site.school_id is None:
        if service.location is None:
            raise LookupError(site.sal_id)
        return venue_location(service.location)
    for hub in service.hubs:
        if hub.school_id == site.school_id:
            return school_location(hub.school)
    raise LookupError(site.sal_id)


# --- services --------------------------------------------------------------------------------


def _service_core(service: Service) -> dict[str, Any]:
    """The one-to-one fields (the ``service_list`` shape)."""
    extra = {k: v for k, v in (service.oruk_extra or {}).items() if k != "funding"}
    return _prune({
        **extra,
        "id": service.uuid,
        "organization_id": service.organisation.uuid,
        "name": service.name,
        "description": service.description,
        "url": service.website,
        "email": service.contact_email,
        "status": "active" if service.active else "inactive",
        "fees": service.cost,
        "minimum_age": service.min_age,
        "maximum_age": service.max_age,
        "last_modified": timestamp(service.updated_at),
        "eligibility_description": service.eligibility,
    })


def service_list_item(service: Service) -> dict[str, Any]:
    """A service as listed by ``/services``: one-to-one fields and its organisation."""
    data = _service_core(service)
    data["organization"] = organisation(service.organisation)
    return data


def _schedules(service: Service, sites: Sequence[Site]) -> list[dict[str, Any]]:
    schedules: list[dict[str, Any]] = []
    hours = parse_opening_times(service.opening_times)
    if service.opening_times.strip():
        schedules.append(_prune({
            "id": ids.derive("schedule", service.uuid),
            "service_id": service.uuid,
            "freq": "WEEKLY" if hours.days else None,
            "byday": hours.byday,
            "opens_at": hours.opens.isoformat() if hours.opens else None,
            "closes_at": hours.closes.isoformat() if hours.closes else None,
            "description": service.opening_times,
        }))
    for site in sites:
        if site.school_id is None or not site.days:
            continue
        schedules.append({
            "id": ids.derive("schedule", site.sal_id),
            "service_at_location_id": site.sal_id,
            "freq": "WEEKLY",
            "byday": ",".join(RRULE_DAYS[d] for d in site.days if d in RRULE_DAYS),
            "description": f"At {site_location(service, site)['name']} on "
                           f"{', '.join(site.days)}.",
        })
    return schedules


def _service_areas(service: Service) -> list[dict[str, Any]]:
    if service.service_area is None and not service.service_area_name:
        return []
    return [_prune({
        "id": ids.derive("service_area", service.uuid),
        "service_id": service.uuid,
        "name": service.service_area_name or "Service area",
        "service_area": service.service_area_name,  # empty (so left out) when unnamed
        "extent": json.dumps(service.service_area) if service.service_area else None,
        "extent_type": "geojson" if service.service_area else None,
    })]


def _capacity(service: Service) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    capacity = service.capacity
    if capacity is None:
        return [], None
    updated = timestamp(capacity.updated_at)
    state = "Accepting referrals" if capacity.accepting else "Not accepting referrals"
    wait = (f"; typical wait {capacity.typical_wait_days} days"
            if capacity.typical_wait_days is not None else "")
    published = [
        {
            "id": ids.derive("service_capacity", service.uuid, "places"),
            "service_id": service.uuid,
            "unit": {"id": ids.derive("unit", "places"), "name": "Places",
                     "identifier": "places"},
            "available": capacity.free_places,
            "description": f"{state}; {capacity.free_places} free places{wait}.",
            "updated": updated,
        },
        {
            "id": ids.derive("service_capacity", service.uuid, "waitlist"),
            "service_id": service.uuid,
            "unit": {"id": ids.derive("unit", "waitlist"), "name": "Families on the wait-list",
                     "identifier": "waitlist"},
            "available": capacity.waitlist_length,
            "updated": updated,
        },
    ]
    detail = {
        "accepting": capacity.accepting,
        "free_places": capacity.free_places,
        "waitlist_length": capacity.waitlist_length,
        "typical_wait_days": capacity.typical_wait_days,
        "updated": updated,
    }
    return published, detail


def _attributes(service: Service) -> list[dict[str, Any]]:
    return [*_need_attributes(service), *help_terms.attributes(
        service.uuid, service.help_kinds or [], service.audiences or [])]


def _need_attributes(service: Service) -> list[dict[str, Any]]:
    return [
        {
            "id": ids.derive("attribute", service.uuid, need.code),
            "link_id": service.uuid,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": ids.term_id(need.code),
            "taxonomy_term": taxonomy_term(need),
        }
        for need in service.needs
    ]


def service_full(service: Service, sites: Sequence[Site]) -> dict[str, Any]:
    """A fully nested service (``/services/{id}`` and the export); ``sites`` are its
    places from the listing view."""
    data = _service_core(service)
    data["organization"] = organisation(service.organisation)
    data["schedules"] = _schedules(service, sites)
    data["service_areas"] = _service_areas(service)
    data["service_at_locations"] = [
        {"id": site.sal_id, "service_id": service.uuid, "location_id": site.location_id,
         "location": site_location(service, site)}
        for site in sites
    ]
    # Facts the provider has not stated (languages, fees, ways of delivery, and the
    # ages in ``_service_core``) are omitted, never published as a guess or as "none".
    if service.languages:
        data["languages"] = [
            _prune({"id": ids.derive("language", service.uuid, name),
                    "service_id": service.uuid, "name": name,
                    "code": LANGUAGE_CODES.get(name)})
            for name in service.languages
        ]
    if service.cost:
        data["cost_options"] = [{
            "id": ids.derive("cost_option", service.uuid),
            "service_id": service.uuid,
            "option": service.cost,
            **({"amount": 0} if service.cost.strip().lower() == "free" else {}),
        }]
    data["funding"] = []
    publish_service_extras(service.uuid, service.oruk_extra, data)
    # Contacts would name people: we publish the team's email (above) and phone only.
    data["contacts"] = []
    data["phones"] = [{
        "id": ids.derive("phone", service.uuid),
        "service_id": service.uuid,
        "number": service.contact_phone,
    }] if service.contact_phone else []
    data["attributes"] = _attributes(service)
    data["service_capacity"], capacity = _capacity(service)
    data["family_hub"] = _prune({
        "delivery_modes": list(service.delivery_modes or []) or None,
        "referral_route": str(service.referral_route.value),
        "capacity": capacity,
        **help_terms.extension(service.help_kinds or [], service.audiences or [],
                               service.need_level or ""),
    })
    return data


def service_at_location_item(service: Service, site: Site) -> dict[str, Any]:
    """A service at a location: the location in full and the service's one-to-one fields.

    The service's ``name`` and ``status`` are repeated at the top level: the
    upstream OpenAPI points ``/service_at_locations/{id}`` at the service schema,
    which requires them, and the official validator checks against it.
    """
    return {
        "id": site.sal_id,
        "name": service.name,
        "status": "active" if service.active else "inactive",
        "service_id": service.uuid,
        "location_id": site.location_id,
        "location": site_location(service, site),
        "service": service_list_item(service),
    }
