"""Import ORUK/HSDS services into the directory, idempotently.

Each record becomes a service through ``services.listing_ops.save_service``
(the same rules as the provider form). A record is matched to an earlier import
by its feed id (``oruk_source``) or, for our own export, by the service's UUID.
A record equal to what we hold is left alone, so importing twice changes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.geo import PostcodeError, normalise_postcode
from services.areas import AreaError, check_area
from services.capacity_ops import update_capacity
from services.errors import InvalidInput
from services.listing_ops import ServiceInput, save_service
from services.listings import DeliveryMode, ReferralRoute, Service
from services.organisations import ORGANISATION_KIND_LABELS, Organisation, OrganisationKind
from services.oruk import ids
from services.oruk.models import OrukSource
from services.oruk.schedule import DAY_BY_RRULE, DAYS
from services.oruk.serialisers import LANGUAGE_CODES
from services.schools import School
from services.taxonomy import Need

IMPORT_USER = "ORUK import"
KIND_BY_LABEL = {label.lower(): kind for kind, label in ORGANISATION_KIND_LABELS.items()}
LANGUAGE_BY_CODE = {code: name for name, code in LANGUAGE_CODES.items()}


class MappingError(ValueError):
    """The taxonomy mapping file cannot be used; the message says why."""


@dataclass
class ImportReport:
    """What an import did: counts, every skipped record with its reason, unmapped terms."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations_created: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unmapped_terms: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line of counts."""
        return (f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
                f"skipped {len(self.skipped)}, organisations created "
                f"{self.organisations_created}, unmapped terms {len(self.unmapped_terms)}")


class Skip(Exception):
    """This record cannot be imported; the message is the reason."""


def load_mapping(path: Path | None) -> dict[str, str]:
    """A term mapping from a JSON object ``{term id, code or name: need code}``.

    Raises MappingError for unreadable files or non-string values.
    """
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MappingError(f"Could not read the mapping {path}: {error}") from error
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise MappingError("The mapping must be a JSON object of strings to need codes")
    return {key.strip().casefold(): value.strip() for key, value in data.items()}


class TermMapper:
    """Maps a feed's taxonomy terms to our need codes: the mapping first, then defaults.

    Defaults: our own term ids, a term whose ``term``/``code`` is a need code, and
    a term whose name equals a need's name (ignoring case).
    """

    def __init__(self, session: Session, mapping: Mapping[str, str]) -> None:
        needs = list(session.execute(select(Need)).scalars())
        self.codes = {need.code for need in needs}
        self.by_name = {need.name.casefold(): need.code for need in needs}
        self.by_id = {ids.term_id(need.code): need.code for need in needs}
        unknown = sorted(set(mapping.values()) - self.codes)
        if unknown:
            raise MappingError(f"The mapping names unknown need codes: {', '.join(unknown)}")
        self.mapping = dict(mapping)

    def code_for(self, term: Mapping[str, Any]) -> str | None:
        """Our need code for ``term``, or None."""
        keys = [str(term.get(name) or "").strip() for name in ("id", "term", "code", "name")]
        for key in keys:
            if key and key.casefold() in self.mapping:
                return self.mapping[key.casefold()]
        term_id, term_code, code, name = keys
        if term_id in self.by_id:
            return self.by_id[term_id]
        for candidate in (term_code, code):
            if candidate.upper() in self.codes:
                return candidate.upper()
        return self.by_name.get(name.casefold()) if name else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _age(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


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


@dataclass
class Planned:
    """A record turned into what we would save."""

    ref: str
    organisation: Mapping[str, Any]
    data: ServiceInput
    hub_days: dict[int, list[str]]
    capacity: dict[str, Any] | None
    active: bool


class Importer:
    """Imports records into one session; call :meth:`run`, then commit."""

    def __init__(self, session: Session, mapping: Mapping[str, str] | None = None) -> None:
        self.session = session
        self.terms = TermMapper(session, mapping or {})
        self.report = ImportReport()
        self.schools = {s.urn: s for s in session.execute(select(School)).scalars()}

    def run(self, records: Iterable[Mapping[str, Any]]) -> ImportReport:
        """Import every record; skips are reported, never raised."""
        for record in records:
            ref = str(record.get("id") or "").strip()
            label = f"{ref or '(no id)'} {_text(record.get('name'))!r}"
            try:
                if not ref:
                    raise Skip("the record has no id")
                with self.session.begin_nested():
                    self._import(self._plan(ref, record))
            except Skip as reason:
                self.report.skipped.append((label, str(reason)))
            except InvalidInput as error:
                reasons = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
                self.report.skipped.append((label, reasons))
        return self.report

    # -- planning -------------------------------------------------------------------------

    def _plan(self, ref: str, record: Mapping[str, Any]) -> Planned:
        name = _text(record.get("name"))
        if not name:
            raise Skip("the record has no name")
        status = _text(record.get("status")).lower() or "active"
        organisation = record.get("organization")
        if not isinstance(organisation, dict) or not _text(organisation.get("name")):
            raise Skip("the record has no organisation")
        codes = self._needs(record)
        if not codes:
            raise Skip("none of its taxonomy terms maps to one of our needs")
        raw_extras = record.get("family_hub")
        extras: dict[str, Any] = raw_extras if isinstance(raw_extras, dict) else {}
        venue, hubs = self._places(record)
        modes = [m for m in extras.get("delivery_modes") or []
                 if m in DeliveryMode._value2member_map_]
        if not modes:
            modes = (["venue"] if venue else []) + (["school_hub"] if hubs else [])
            modes = modes or (["phone"] if self._phone(record) else ["online"])
        area_text, area_name = self._area(record, bool(extras))
        route = str(extras.get("referral_route") or "")
        data = ServiceInput(
            name=name,
            description=_text(record.get("description")),
            need_codes=codes,
            min_age=_age(record.get("minimum_age"), 0),
            max_age=_age(record.get("maximum_age"), 25),
            eligibility=_text(record.get("eligibility_description")),
            cost=_text(record.get("fees")) or self._cost(record),
            delivery_modes=modes,
            languages=self._languages(record),
            opening_times=_opening_times(record),
            contact_email=_text(record.get("email")),
            contact_phone=self._phone(record),
            website=_text(record.get("url")),
            referral_route=route if route in ReferralRoute._value2member_map_ else "self",
            venue_address=venue[0] if venue else "",
            venue_postcode=venue[1] if venue else "",
            hub_school_ids=sorted(hubs),
            hub_days=sorted({d for days in hubs.values() for d in days}, key=DAYS.index),
            service_area_name=area_name,
            service_area_text=area_text,
        )
        capacity = extras.get("capacity") if isinstance(extras.get("capacity"), dict) else None
        return Planned(ref, organisation, data, hubs, capacity, status == "active")

    def _needs(self, record: Mapping[str, Any]) -> list[str]:
        codes = set()
        for attribute in record.get("attributes") or []:
            term = (attribute or {}).get("taxonomy_term") if isinstance(attribute, dict) else None
            if not isinstance(term, dict) or not term:
                continue
            code = self.terms.code_for(term)
            if code:
                codes.add(code)
            else:
                self.report.unmapped_terms[_text(term.get("name")) or str(term.get("id"))] += 1
        return sorted(codes)

    def _places(self, record: Mapping[str, Any]
                ) -> tuple[tuple[str, str] | None, dict[int, list[str]]]:
        sal_days: dict[str, list[str]] = {}
        for schedule in record.get("schedules") or []:
            if isinstance(schedule, dict) and schedule.get("service_at_location_id"):
                sal_days[str(schedule["service_at_location_id"])] = _days(schedule.get("byday"))
        venue: tuple[str, str] | None = None
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

    def _address(self, location: Mapping[str, Any]) -> tuple[str, str] | None:
        for address in location.get("addresses") or []:
            if not isinstance(address, dict):
                continue
            postcode = _text(address.get("postal_code"))
            try:
                normalise_postcode(postcode)
            except PostcodeError:
                self.report.warnings.append(f"not a UK postcode, location left out: {postcode!r}")
                continue
            line = ", ".join(p for p in (_text(address.get("address_1")),
                                         _text(address.get("address_2")),
                                         _text(address.get("city"))) if p)
            return line, postcode
        return None

    def _area(self, record: Mapping[str, Any], ours: bool) -> tuple[str, str]:
        for area in record.get("service_areas") or []:
            if not isinstance(area, dict):
                continue
            name = _text(area.get("service_area")) if ours else (
                _text(area.get("service_area")) or _text(area.get("name")))
            text = ""
            if _text(area.get("extent_type")).lower() == "geojson" and area.get("extent"):
                try:
                    check_area(json.loads(area["extent"]))
                    text = area["extent"]
                except (ValueError, AreaError):
                    self.report.warnings.append(f"{record.get('id')}: service area extent is "
                                                "not usable GeoJSON, left out")
            return text, name[:200]
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
        return "Free"

    @staticmethod
    def _languages(record: Mapping[str, Any]) -> list[str]:
        names = []
        for language in record.get("languages") or []:
            if isinstance(language, dict):
                name = _text(language.get("name")) or LANGUAGE_BY_CODE.get(
                    _text(language.get("code")), "")
                if name:
                    names.append(name)
        return names or ["English"]

    # -- saving -----------------------------------------------------------------------------

    def _organisation(self, data: Mapping[str, Any]) -> Organisation:
        name = _text(data.get("name"))[:200]
        found = self.session.execute(
            select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
        if found is not None:
            return found
        kind = KIND_BY_LABEL.get(_text(data.get("description")).lower(),
                                 OrganisationKind.VOLUNTARY)
        organisation = Organisation(name=name, kind=kind,
                                    website=_text(data.get("website")) or None,
                                    email=_text(data.get("email")) or None)
        self.session.add(organisation)
        self.session.flush()
        self.report.organisations_created += 1
        return organisation

    def _existing(self, ref: str) -> Service | None:
        link = self.session.get(OrukSource, ref)
        if link is not None:
            return self.session.get(Service, link.service_id)
        return self.session.execute(
            select(Service).where(Service.uuid == ref)).scalar_one_or_none()

    def _import(self, plan: Planned) -> None:
        if not plan.active:
            raise Skip("the record's status is not active")
        service = self._existing(plan.ref)
        organisation = self._organisation(plan.organisation)
        if service is not None and self._same(service, organisation, plan):
            self.report.unchanged += 1
            return
        created = service is None
        service = save_service(self.session, service, organisation.id, plan.data)
        service.organisation_id = organisation.id
        service.active = True
        if created and ids.is_uuid(plan.ref) and self.session.execute(
                select(Service.id).where(Service.uuid == plan.ref)).first() is None:
            service.uuid = plan.ref
        self.session.flush()
        if service.uuid != plan.ref and self.session.get(OrukSource, plan.ref) is None:
            self.session.add(OrukSource(source_ref=plan.ref, service_id=service.id))
        for hub in service.hubs:
            hub.days = plan.hub_days.get(hub.school_id, [])
        if plan.capacity is not None:
            self._save_capacity(service, plan.capacity)
        self.session.flush()
        if created:
            self.report.created += 1
        else:
            self.report.updated += 1

    def _save_capacity(self, service: Service, capacity: Mapping[str, Any]) -> None:
        updated = None
        if capacity.get("updated"):
            try:
                updated = datetime.fromisoformat(str(capacity["updated"]).replace("Z", "+00:00"))
                updated = updated.replace(tzinfo=None)
            except ValueError:
                updated = None
        wait = capacity.get("typical_wait_days")
        update_capacity(
            self.session, service,
            accepting=bool(capacity.get("accepting", True)),
            free_places=_age(capacity.get("free_places"), 0),
            waitlist_length=_age(capacity.get("waitlist_length"), 0),
            typical_wait_days=None if wait is None else _age(wait, 0),
            user_id=None, user_name=IMPORT_USER, now=updated,
        )

    def _same(self, service: Service, organisation: Organisation, plan: Planned) -> bool:
        """Whether saving ``plan`` would change nothing we hold."""
        data = plan.data
        try:
            postcode = normalise_postcode(data.venue_postcode) if data.venue_postcode else ""
            text = data.service_area_text
            area = check_area(json.loads(text)) if text else None
        except (PostcodeError, ValueError, AreaError):
            return False
        location = service.location
        held_hubs = {hub.school_id: list(hub.days or []) for hub in service.hubs}
        held = (
            service.organisation_id, service.active, service.name, service.description,
            service.need_codes, service.min_age, service.max_age, service.eligibility,
            service.cost, sorted(service.delivery_modes or []), list(service.languages or []),
            service.opening_times, service.contact_email, service.contact_phone,
            service.website, service.referral_route.value,
            (location.address, location.postcode) if location else None,
            held_hubs, service.service_area, service.service_area_name,
        )
        wanted = (
            organisation.id, True, data.name.strip(), data.description.strip(),
            sorted(set(data.need_codes)), data.min_age, data.max_age, data.eligibility.strip(),
            data.cost.strip() or "Free", sorted(set(data.delivery_modes)), list(data.languages),
            data.opening_times.strip(), data.contact_email, data.contact_phone, data.website,
            data.referral_route, (data.venue_address.strip(), postcode) if postcode else None,
            plan.hub_days, area, data.service_area_name.strip(),
        )
        if held != wanted:
            return False
        if plan.capacity is None:
            return True
        capacity = service.capacity
        if capacity is None:
            return False
        wait = plan.capacity.get("typical_wait_days")
        return (capacity.accepting, capacity.free_places, capacity.waitlist_length,
                capacity.typical_wait_days) == (
            bool(plan.capacity.get("accepting", True)),
            _age(plan.capacity.get("free_places"), 0),
            _age(plan.capacity.get("waitlist_length"), 0),
            None if wait is None else _age(wait, 0))


def import_records(session: Session, records: Iterable[Mapping[str, Any]],
                   mapping: Mapping[str, str] | None = None) -> ImportReport:
    """Import ``records`` (ORUK 3.0-shaped dicts) in ``session``; the caller commits.

    Raises MappingError when the mapping names need codes we do not have.
    """
    return Importer(session, mapping).run(records)
