"""Saving a listing: the one write path for the provider pages, the importer and the demo."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from routing.engine.help import AUDIENCES, KINDS, LEVELS
from routing.gazetteer.lookup import OnlineGeocoder, geocode
from routing.geo import Place, PostcodeError, normalise_postcode, wgs84_to_bng
from routing.referrals.lifecycle import SYSTEM, Actor
from services.areas import AreaError, parse_area
from services.audit_trail import actor_label, audit_listing
from services.db import utcnow
from services.errors import InvalidInput
from services.listings import (
    DeliveryMode,
    ReferralRoute,
    Service,
    ServiceNeed,
    ServiceSchool,
)
from services.locations import place_location
from services.schools import School
from services.taxonomy import Need
from services.version import bump_version


@dataclass
class ServiceInput:
    name: str
    description: str
    need_codes: Sequence[str]
    # None, "" or empty: not stated by the provider (never filled in with a guess).
    min_age: int | None
    max_age: int | None
    eligibility: str = ""
    cost: str = ""
    # Working days to decide on an opened referral (None: not stated). Only a form that
    # asks for it sets it (``states_response_time``); imports keep what the provider said.
    response_working_days: int | None = None
    states_response_time: bool = False
    delivery_modes: Sequence[str] = ()
    languages: Sequence[str] = ()
    opening_times: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""
    referral_route: str = ReferralRoute.SYSTEM.value
    venue_address: str = ""
    venue_postcode: str = ""
    # None keeps the name the venue already has (the provider form does not ask for one).
    venue_name: str | None = None
    # WGS84 (latitude, longitude) of the venue when known (feeds): used instead of
    # the postcode's centre, so a postcode missing from the gazetteer still places it.
    venue_coordinates: tuple[float, float] | None = None
    hub_school_ids: Sequence[int] = ()
    # The weekdays at every hub, unless ``days_by_school`` gives a school its own.
    hub_days: Sequence[str] = ()
    days_by_school: Mapping[int, Sequence[str]] = field(default_factory=dict)
    service_area_name: str = ""
    service_area_text: str = ""
    # ``routing.engine.help`` codes; empty: not stated.
    help_kinds: Sequence[str] = ()
    audiences: Sequence[str] = ()
    need_level: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedInput:
    """A listing's input as :func:`check_service_input` accepted it."""

    codes: list[str]
    modes: list[str]
    kinds: list[str]
    audiences: list[str]
    area: dict[str, Any] | None
    place: Place | None


def check_service_input(
    session: Session,
    data: ServiceInput,
    online: OnlineGeocoder | None = None,
    *,
    known_needs: AbstractSet[str] | None = None,
    places: Callable[[str], Place] | None = None,
    needs_triage: bool = False,
) -> CheckedInput:
    """Check a listing's input as :func:`save_service` does, writing nothing.

    ``known_needs`` (every need code there is) and ``places`` (postcode to place,
    raising PostcodeError) let a caller checking many listings (an import) look
    each up once. ``needs_triage``: an import's service whose needs the coordinator
    has yet to assign (``services.triage``) may have none. Raises InvalidInput, keyed
    by form field.
    """
    errors: dict[str, str] = {}
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        errors["max_age"] = "Oldest age must be the same as or more than the youngest age"
    if data.min_age is not None and data.min_age < 0:
        errors["min_age"] = "Youngest age must be 0 or more"
    codes = sorted(set(data.need_codes))
    if known_needs is None:
        known = ({n.code for n in session.query(Need).filter(Need.code.in_(codes))}
                 if codes else set())
    else:
        known = set(codes) & known_needs
    if not codes and not needs_triage:
        errors["needs"] = "Choose at least one need"
    elif set(codes) - known:
        errors["needs"] = "Choose needs from the list"
    # No ways of delivery chosen: not stated.
    modes = sorted(set(data.delivery_modes))
    if any(mode not in DeliveryMode._value2member_map_ for mode in modes):
        errors["delivery_modes"] = "Choose ways of delivery from the list"
    kinds = [k for k in KINDS if k in data.help_kinds]
    if set(data.help_kinds) - set(KINDS):
        errors["help_kinds"] = "Choose kinds of help from the list"
    audiences = [a for a in AUDIENCES if a in data.audiences]
    if set(data.audiences) - set(AUDIENCES):
        errors["audiences"] = "Choose who the service is for from the list"
    if data.need_level and data.need_level not in LEVELS:
        errors["need_level"] = "Choose a level of need from the list"
    try:
        area = parse_area(data.service_area_text)
    except AreaError as error:
        errors["service_area"] = str(error)
        area = None
    place = None
    if data.venue_postcode.strip():
        try:
            if data.venue_coordinates is not None:
                latitude, longitude = data.venue_coordinates
                place = Place(normalise_postcode(data.venue_postcode), latitude, longitude,
                              *wgs84_to_bng(latitude, longitude))
            else:
                place = (places(data.venue_postcode) if places is not None
                         else geocode(session, data.venue_postcode, online))
        except PostcodeError as error:
            errors["venue_postcode"] = str(error)
    elif DeliveryMode.VENUE.value in modes:
        errors["venue_postcode"] = "Enter the venue's postcode, as the service runs at a venue"
    schools = ({s.id: s for s in session.query(School).filter(
        School.id.in_(data.hub_school_ids))} if data.hub_school_ids else {})
    if set(data.hub_school_ids) - set(schools):
        errors["hubs"] = "Choose schools from the list"
    if DeliveryMode.SCHOOL_HUB.value in modes and not data.hub_school_ids:
        errors["hubs"] = "Choose the school hubs where the service runs"
    if data.response_working_days is not None and not 0 <= data.response_working_days <= 60:
        errors["response_working_days"] = ("Enter a number of working days between 0 and 60")
    if errors:
        raise InvalidInput(errors)
    return CheckedInput(codes, modes, kinds, audiences, area, place)


def save_service(
    session: Session,
    service: Service | None,
    organisation_id: int,
    data: ServiceInput,
    online: OnlineGeocoder | None = None,
    bump: bool = True,
    *,
    actor: Actor = SYSTEM,
    agree_hubs: bool = False,
    now: datetime | None = None,
    needs_triage: bool = False,
) -> Service:
    """Create a service (``service`` None) or update one, for ``organisation_id``.

    A school hub newly listed is only requested (shown as such, not counted by the
    routing engine) until the school agrees (``hub_links.agree_hub``), unless
    ``agree_hubs`` says ``actor`` agrees for the school (the coordinator, the demo
    data). Hubs already listed keep their agreement; each school keeps its own days
    unless ``days_by_school`` or ``hub_days`` says otherwise. Hub requests, agreements
    and removals are audited.

    Raises InvalidInput, keyed by form field, for an inverted age range,
    unknown needs or schools, invalid GeoJSON or a postcode we cannot place.
    ``bump=False`` leaves the directory version to the caller (an import bumps it
    once, at the end, instead of holding its row for every record).
    """
    checked = check_service_input(session, data, online, needs_triage=needs_triage)
    codes, modes, kinds, audiences = checked.codes, checked.modes, checked.kinds, checked.audiences
    area, place = checked.area, checked.place

    if service is None:
        service = Service(organisation_id=organisation_id)
        session.add(service)
    service.name = data.name.strip()
    service.description = data.description.strip()
    service.min_age = data.min_age
    service.max_age = data.max_age
    service.eligibility = data.eligibility.strip()
    # Blank ages, cost, ways or languages mean "not stated": never filled in with a guess.
    service.cost = data.cost.strip() or None
    if data.states_response_time:
        service.response_working_days = data.response_working_days
    service.delivery_modes = modes
    service.languages = [lang.strip() for lang in data.languages if lang.strip()]
    service.opening_times = data.opening_times.strip()
    service.contact_name = data.contact_name.strip()
    service.contact_email = data.contact_email.strip()
    service.contact_phone = data.contact_phone.strip()
    service.website = data.website.strip()
    service.referral_route = ReferralRoute(data.referral_route)
    service.service_area = area
    service.service_area_name = data.service_area_name.strip()
    service.help_kinds = kinds
    service.audiences = audiences
    service.need_level = data.need_level
    if place is not None:
        name = service.location.name if service.location is not None else None
        if data.venue_name is not None:
            name = data.venue_name.strip() or None
        service.location = place_location(
            place, address=data.venue_address, name=name, location=service.location
        )
    else:
        service.location = None
    service.need_links = [ServiceNeed(need_code=code) for code in codes]
    # Not routable until the coordinator confirms its needs (``services.triage``).
    service.needs_triage = needs_triage and not codes
    now = now or utcnow()
    existing = {hub.school_id: hub for hub in service.hubs}
    wanted = sorted(set(data.hub_school_ids))
    added = [ServiceSchool(school_id=school_id, requested_at=now,
                           requested_by_name=actor_label(actor))
             for school_id in wanted if school_id not in existing]
    for hub in added:
        if agree_hubs:
            hub.agreed_at = now
            hub.agreed_by_name = actor_label(actor)
    removed = sorted(set(existing) - set(wanted))
    service.hubs = [existing.get(school_id) or next(h for h in added if h.school_id == school_id)
                    for school_id in wanted]
    for hub in service.hubs:
        hub.days = list(data.days_by_school.get(hub.school_id, data.hub_days))
    if added or removed:
        session.flush()  # a new service's id, for the audit
        for hub in added:
            audit_listing(session, actor, "hub_agreed" if hub.agreed else "hub_requested",
                          service.id, now, hub.school_id)
        for school_id in removed:
            audit_listing(session, actor, "hub_removed", service.id, now, school_id)
    if bump:
        bump_version(session)
    return service
