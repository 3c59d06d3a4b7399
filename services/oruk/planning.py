"""Planning an import: one feed record turned into what saving it would save, cleaned as
the provider form checks a listing, without touching the database."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from routing.geo import PostcodeError, normalise_postcode
from services.areas import AreaError, check_area
from services.listing_ops import ServiceInput
from services.listings import DeliveryMode, ReferralRoute
from services.oruk import cleaning, help_terms
from services.oruk.extras import service_extras
from services.oruk.mapping import TermMapper
from services.oruk.schedule import DAY_BY_RRULE, DAYS
from services.oruk.serialisers import LANGUAGE_CODES
from services.schools import School

LANGUAGE_BY_CODE = {code: name for name, code in LANGUAGE_CODES.items()}


class Skip(Exception):
    """This record cannot be imported; the message is the reason."""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _days(byday: Any) -> list[str]:
    found = {DAY_BY_RRULE.get(part.strip().upper()[:2]) for part in str(byday or "").split(",")}
    return [day for day in DAYS if day in found]


def _opening_times(record: Mapping[str, Any]) -> str:
    for schedule in record.get("schedules") or []:
        if isinstance(schedule, dict) and not schedule.get("service_at_location_id"):
            if _text(schedule.get("description")):
                return _text(schedule.get("description"))
            days = _days(schedule.get("byday"))
            opens, closes = _text(schedule.get("opens_at")), _text(schedule.get("closes_at"))
            parts = [", ".join(days), f"{opens[:5]} to {closes[:5]}" if opens and closes else ""]
            return " ".join(part for part in parts if part)
    return ""


@dataclass(frozen=True)
class Venue:
    """A feed location we keep as the service's venue."""

    address: str
    postcode: str
    name: Any
    # WGS84 (latitude, longitude) when the feed gives usable ones.
    coordinates: tuple[float, float] | None


def _coordinates(location: Mapping[str, Any]) -> tuple[float, float] | None:
    """The location's latitude and longitude when both are numbers inside Great Britain's
    rough bounds; the postcode places it otherwise."""
    try:
        latitude, longitude = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if 49.8 <= latitude <= 61.0 and -8.7 <= longitude <= 2.0:
        return latitude, longitude
    return None


@dataclass
class Planned:
    """A record turned into what we would save."""

    ref: str
    organisation: Mapping[str, Any]
    data: ServiceInput
    hub_days: dict[int, list[str]]
    capacity: dict[str, Any] | None
    active: bool
    warnings: list[str]
    extra: dict[str, Any] | None = None
    # No term mapped to a need: imported for the coordinator's triage.
    triage: bool = False
    # Terms of the record that map to none of our needs.
    unmapped: list[str] = field(default_factory=list)
    # The record's hash as read, and what cleaning it noted (``held``; stored on saving).
    record_hash: str | None = None
    notes: dict[str, Any] | None = None


class Planner:
    """Plans records for one import: ``terms`` maps their taxonomy, ``schools`` (by URN)
    are the hubs a record may name."""

    def __init__(self, terms: TermMapper, schools: Mapping[str, School]) -> None:
        self.terms = terms
        self.schools = schools
        self.direct: list[str] = []
        self.unmapped_terms: Counter[str] = Counter()

    def plan(self, ref: str, record: Mapping[str, Any], direct: list[str],
             unmapped_terms: Counter[str]) -> Planned:
        """What saving ``record`` would save. Warnings about places and areas left out go
        to ``direct`` (reported without the record's label); terms that map to no need
        are counted in ``unmapped_terms``. Raises Skip (the reason), or ValueError,
        TypeError and the like for a value no check foresaw (the record is skipped)."""
        self.direct, self.unmapped_terms = direct, unmapped_terms
        warnings: list[str] = []
        name = cleaning.one_line(record.get("name"), 10 * cleaning.NAME_MAX, "name", warnings)
        if not name:
            raise Skip("the record has no name")
        if len(name) > cleaning.NAME_MAX:
            raise Skip(f"the name is longer than {cleaning.NAME_MAX} characters")
        status = _text(record.get("status")).lower() or "active"
        organisation = record.get("organization")
        if not isinstance(organisation, dict) or not _text(organisation.get("name")):
            raise Skip("the record has no organisation")
        if status != "active":
            return Planned(ref, organisation, ServiceInput(name, "", [], 0, 0), {}, None,
                           False, warnings)
        codes, unmapped = self._needs(record)
        raw_extras = record.get("family_hub")
        extras: dict[str, Any] = raw_extras if isinstance(raw_extras, dict) else {}
        venue, hubs = self._places(record)
        # The ways the feed states (ours, else ORUK 1.0 ``attending_type``); none stated
        # stays unknown, never guessed from an address or a phone number.
        modes = [m for m in extras.get("delivery_modes") or []
                 if m in DeliveryMode._value2member_map_] or cleaning.attending_modes(
                     record.get("attending_type"), warnings)
        if "school_hub" in modes and not hubs:
            # The hub schools are not known here: their addresses are the venue.
            warnings.append("school hubs not known here; their address kept as the venue")
            modes = [m for m in modes if m != "school_hub"] + (
                ["venue"] if venue and "venue" not in modes else [])
        area_text, area_name = self._area(record, bool(extras))
        route = str(extras.get("referral_route") or "")
        min_age = cleaning.age(record.get("minimum_age"), "minimum_age", warnings)
        max_age = cleaning.age(record.get("maximum_age"), "maximum_age", warnings)
        if min_age is not None and max_age is not None and min_age > max_age:
            warnings.append(f"ages: youngest {min_age} is above oldest {max_age}, left out")
            min_age = max_age = None
        cost = cleaning.one_line(record.get("fees"), cleaning.COST_MAX, "fees", warnings)
        data = ServiceInput(
            name=name,
            description=cleaning.plain_text(record.get("description"), cleaning.DESCRIPTION_MAX,
                                            "description", warnings),
            need_codes=codes,
            # Missing or unusable ages, fees and languages stay unknown (None or empty).
            min_age=min_age,
            max_age=max_age,
            eligibility=cleaning.plain_text(record.get("eligibility_description"),
                                            cleaning.ELIGIBILITY_MAX, "eligibility", warnings),
            cost=cost or self._cost(record),
            delivery_modes=modes,
            languages=self._languages(record),
            opening_times=cleaning.plain_text(_opening_times(record), cleaning.OPENING_TIMES_MAX,
                                              "schedules", warnings),
            contact_email=cleaning.email(record.get("email"), "email", warnings),
            contact_phone=cleaning.one_line(self._phone(record), cleaning.PHONE_MAX, "phone",
                                            warnings),
            website=cleaning.url(record.get("url"), "url", warnings),
            referral_route=route if route in ReferralRoute._value2member_map_ else "self",
            venue_address=cleaning.one_line(venue.address, cleaning.ADDRESS_MAX, "address",
                                            warnings) if venue else "",
            venue_postcode=venue.postcode if venue else "",
            venue_name=cleaning.one_line(venue.name, cleaning.LOCATION_NAME_MAX, "location name",
                                         warnings) if venue else None,
            venue_coordinates=venue.coordinates if venue else None,
            hub_school_ids=sorted(hubs),
            hub_days=sorted({d for days in hubs.values() for d in days}, key=DAYS.index),
            service_area_name=area_name,
            service_area_text=area_text,
        )
        data.help_kinds, data.audiences, data.need_level = help_terms.read(record)
        capacity = extras.get("capacity") if isinstance(extras.get("capacity"), dict) else None
        return Planned(ref, organisation, data, hubs, capacity, True, warnings,
                       service_extras(record, warnings), triage=not codes, unmapped=unmapped)

    def _needs(self, record: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """The record's need codes, and its terms that map to none (counted)."""
        codes, unmapped = set(), []
        for attribute in record.get("attributes") or []:
            term = (attribute or {}).get("taxonomy_term") if isinstance(attribute, dict) else None
            if not isinstance(term, dict) or not term or help_terms.is_help_term(term):
                continue
            code = self.terms.code_for(term)
            if code:
                codes.add(code)
            else:
                unmapped.append(_text(term.get("name")) or str(term.get("id")))
        self.unmapped_terms.update(unmapped)
        return sorted(codes), unmapped

    def _places(self, record: Mapping[str, Any]
                ) -> tuple[Venue | None, dict[int, list[str]]]:
        sal_days: dict[str, list[str]] = {}
        for schedule in record.get("schedules") or []:
            if isinstance(schedule, dict) and schedule.get("service_at_location_id"):
                sal_days[str(schedule["service_at_location_id"])] = _days(schedule.get("byday"))
        venue: Venue | None = None
        hubs: dict[int, list[str]] = {}
        for sal in record.get("service_at_locations") or []:
            location = (sal or {}).get("location") if isinstance(sal, dict) else None
            if not isinstance(location, dict):
                continue
            if _text(location.get("external_identifier_type")).upper() == "URN":
                school = self.schools.get(_text(location.get("external_identifier")))
                if school is not None:
                    hubs[school.id] = sal_days.get(str(sal.get("id")), [])
                    continue
            if venue is None:
                venue = self._address(location)
        return venue, hubs

    def _address(self, location: Mapping[str, Any]) -> Venue | None:
        for address in location.get("addresses") or []:
            if not isinstance(address, dict):
                continue
            postcode = _text(address.get("postal_code"))
            try:
                normalise_postcode(postcode)
            except PostcodeError:
                self.direct.append(f"not a UK postcode, location left out: {postcode!r}")
                continue
            line = ", ".join(p for p in (_text(address.get("address_1")),
                                         _text(address.get("address_2")),
                                         _text(address.get("city"))) if p)
            return Venue(line, postcode, location.get("name"), _coordinates(location))
        return None

    def _area(self, record: Mapping[str, Any], ours: bool) -> tuple[str, str]:
        for area in record.get("service_areas") or []:
            if not isinstance(area, dict):
                continue
            raw = area.get("service_area") if ours else (
                area.get("service_area") or area.get("name"))
            name = cleaning.one_line(raw, cleaning.NAME_MAX, "service_area", [])
            text = ""
            if _text(area.get("extent_type")).lower() == "geojson" and area.get("extent"):
                try:
                    check_area(json.loads(area["extent"]))
                    text = area["extent"]
                except (ValueError, AreaError):
                    self.direct.append(f"{record.get('id')}: service area extent is "
                                                "not usable GeoJSON, left out")
            return text, name
        return "", ""

    @staticmethod
    def _phone(record: Mapping[str, Any]) -> str:
        for phone in record.get("phones") or []:
            if isinstance(phone, dict) and _text(phone.get("number")):
                return _text(phone.get("number"))[:50]
        return ""

    @staticmethod
    def _cost(record: Mapping[str, Any]) -> str:
        for option in record.get("cost_options") or []:
            if isinstance(option, dict) and _text(option.get("option")):
                return _text(option.get("option"))[:200]
        return ""

    @staticmethod
    def _languages(record: Mapping[str, Any]) -> list[str]:
        names = []
        for language in record.get("languages") or []:
            if isinstance(language, dict):
                name = _text(language.get("name")) or LANGUAGE_BY_CODE.get(
                    _text(language.get("code")), "")
                if name:
                    names.append(name)
        return names
