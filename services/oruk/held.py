"""What earlier imports of a source hold, read as plain rows, and the one comparison
an import makes with it.

An imported service is unchanged when what the feed's record would save equals what
we hold (:func:`wanted_key` against :func:`held_key`). Each write stores beside the
record's source link a hash of the record as read (``record_hash``, with the import's
context: mapping, needs, schools, the cleaning code) and a fingerprint of what it
saved (``fingerprint``). When a record's hash and the fingerprint of what we hold
both match, the record would plan the same as last time and we hold what that plan
saved: it is unchanged without cleaning it again (one comparison, no ORM objects).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

from routing.geo import PostcodeError, normalise_postcode
from services.areas import AreaError, check_area
from services.listing_ops import ServiceInput
from services.listings import Capacity, Service, ServiceNeed, ServiceSchool
from services.locations import Location
from services.oruk.models import OrukSource


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def digest(data: bytes) -> str:
    """A short, collision-safe digest (128-bit BLAKE2b, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def record_hash(record: Mapping[str, Any], context: str) -> str:
    """The record as read, in one canonical form, hashed with the import's context."""
    try:
        data = _canonical(record)
    except (TypeError, ValueError):
        data = json.dumps(record, sort_keys=True, default=str).encode()
    return digest(data + context.encode())


@dataclass(frozen=True)
class Held:
    """One imported service as we hold it: the columns the comparison reads."""

    service_id: int
    record_hash: str | None
    fingerprint: str | None
    notes: dict[str, Any] | None
    organisation_id: int
    active: bool
    needs_triage: bool
    values: tuple[Any, ...]
    location: tuple[str, str, str | None, float, float] | None
    capacity: tuple[bool, int, int, int | None] | None
    need_codes: list[str]
    hubs: dict[int, list[str]]


# The service columns compared, in the order of ``values``.
_COLUMNS = (Service.name, Service.description, Service.min_age, Service.max_age,
            Service.eligibility, Service.cost, Service.delivery_modes, Service.languages,
            Service.opening_times, Service.contact_email, Service.contact_phone,
            Service.website, Service.referral_route, Service.service_area,
            Service.service_area_name, Service.help_kinds, Service.audiences,
            Service.need_level, Service.oruk_extra)
# JSON columns are read as their text and parsed by orjson (several times faster than
# the result processing they would get otherwise; the values are the same).
_JSON = frozenset(index for index, column in enumerate(_COLUMNS)
                  if isinstance(column.type, JSON))


def _selected(column: Any) -> Any:
    return cast(column, Text) if isinstance(column.type, JSON) else column


def _parsed(index: int, value: Any) -> Any:
    if index not in _JSON or value is None:
        return value
    return orjson.loads(value)


def load_held(session: Session, source: str, refs: list[str],
              among: Any) -> dict[str, Held]:
    """What earlier imports of ``source`` made of these record ids, by record id: three
    queries of plain rows. ``among(column, values)`` is the dialect's ``IN``."""
    if not refs:
        return {}
    # Plain rows through the connection: no ORM result processing.
    connection = session.connection()
    rows = connection.execute(
        select(OrukSource.source_ref, OrukSource.record_hash, OrukSource.fingerprint,
               cast(OrukSource.notes, Text), Service.id, Service.organisation_id,
               Service.active, Service.needs_triage, *map(_selected, _COLUMNS),
               Location.address, Location.postcode, Location.name, Location.latitude,
               Location.longitude, Location.id,
               Capacity.accepting, Capacity.free_places, Capacity.waitlist_length,
               Capacity.typical_wait_days, Capacity.service_id)
        .join(Service, Service.id == OrukSource.service_id)
        .outerjoin(Location, Location.id == Service.location_id)
        .outerjoin(Capacity, Capacity.service_id == Service.id)
        .where(OrukSource.source == source, among(OrukSource.source_ref, refs))).all()
    if not rows:
        return {}
    ids = [row[4] for row in rows]
    needs: dict[int, list[str]] = {}
    hubs: dict[int, dict[int, list[str]]] = {}
    id_filter: ColumnElement[bool] = among(ServiceNeed.service_id, ids)
    for service_id, code in connection.execute(
            select(ServiceNeed.service_id, ServiceNeed.need_code).where(id_filter)):
        needs.setdefault(service_id, []).append(code)
    for service_id, school_id, days in connection.execute(
            select(ServiceSchool.service_id, ServiceSchool.school_id, ServiceSchool.days)
            .where(among(ServiceSchool.service_id, ids))):
        hubs.setdefault(service_id, {})[school_id] = list(days or [])
    count = len(_COLUMNS)
    held = {}
    for row in rows:
        values = row[8:8 + count]
        loc = row[8 + count:8 + count + 6]
        cap = row[8 + count + 6:]
        held[row[0]] = Held(
            service_id=row[4], record_hash=row[1], fingerprint=row[2],
            notes=orjson.loads(row[3]) if row[3] is not None else None,
            organisation_id=row[5], active=bool(row[6]), needs_triage=bool(row[7]),
            values=tuple(_parsed(index, value) for index, value in enumerate(values)),
            location=(loc[0], loc[1], loc[2], loc[3], loc[4]) if loc[5] is not None else None,
            capacity=(bool(cap[0]), cap[1], cap[2], cap[3]) if cap[4] is not None else None,
            need_codes=sorted(needs.get(row[4], [])),
            hubs=hubs.get(row[4], {}))
    return held


def _hub_items(hubs: Mapping[int, Iterable[str]]) -> list[tuple[int, list[str]]]:
    return sorted((school_id, list(days)) for school_id, days in hubs.items())


def held_key(held: Held, coordinates: bool, capacity: bool) -> tuple[Any, ...]:
    """What we hold, in the form :func:`wanted_key` gives what a record would save
    (the organisation is compared apart: it is the one this source's import made).
    ``coordinates``: the record places its venue by coordinates (compared then);
    ``capacity``: the record states capacity figures (compared then)."""
    (name, description, min_age, max_age, eligibility, cost, modes, languages, opening,
     email, phone, website, route, area, area_name, kinds, audiences, level,
     extra) = held.values
    location = held.location
    return (
        held.active, name, description, held.need_codes, min_age,
        max_age, eligibility, cost or "", sorted(modes or []), list(languages or []),
        opening, email, phone, website, getattr(route, "value", route),
        (location[0], location[1], location[2],
         (round(location[3], 6), round(location[4], 6)) if coordinates else None)
        if location else None,
        _hub_items(held.hubs), area, area_name, list(kinds or []), list(audiences or []),
        level, extra, held.needs_triage,
        held.capacity if capacity else None,
    )


def capacity_figures(capacity: Mapping[str, Any]) -> tuple[bool, int, int, int | None]:
    """A feed's capacity figures as compared with what we hold (bad numbers as unknown)."""
    from services.oruk import cleaning

    ignored: list[str] = []
    return (bool(capacity.get("accepting", True)),
            cleaning.count(capacity.get("free_places"), "", ignored) or 0,
            cleaning.count(capacity.get("waitlist_length"), "", ignored) or 0,
            cleaning.count(capacity.get("typical_wait_days"), "", ignored))


class NotComparable(ValueError):
    """The record's postcode or area cannot be compared: it is saved, which checks it."""


def wanted_key(data: ServiceInput, hub_days: Mapping[int, list[str]],
               extra: dict[str, Any] | None, triage: bool,
               capacity: Mapping[str, Any] | None) -> tuple[Any, ...]:
    """What saving a planned record would leave us holding. Raises NotComparable."""
    try:
        postcode = normalise_postcode(data.venue_postcode) if data.venue_postcode else ""
        text = data.service_area_text
        area = check_area(json.loads(text)) if text else None
    except (PostcodeError, ValueError, AreaError) as error:
        raise NotComparable(str(error)) from error
    return (
        True, data.name.strip(), data.description.strip(),
        sorted(set(data.need_codes)), data.min_age, data.max_age, data.eligibility.strip(),
        data.cost.strip(), sorted(set(data.delivery_modes)), list(data.languages),
        data.opening_times.strip(), data.contact_email, data.contact_phone, data.website,
        data.referral_route,
        (data.venue_address.strip(), postcode, (data.venue_name or "").strip() or None,
         tuple(round(c, 6) for c in data.venue_coordinates)
         if data.venue_coordinates else None) if postcode else None,
        _hub_items(hub_days), area, data.service_area_name.strip(),
        list(data.help_kinds), list(data.audiences), data.need_level, extra, triage,
        capacity_figures(capacity) if capacity is not None else None,
    )


def fingerprint(key: tuple[Any, ...], coordinates: bool, capacity: bool) -> str:
    """The stored form of a key: which optional parts it compares, then its digest."""
    try:
        # Tuples and lists are both JSON arrays: the value, not the Python type, counts.
        data = _canonical(key)
    except (TypeError, ValueError):
        data = repr(key).encode()
    return f"{int(coordinates)}{int(capacity)}{digest(data)}"


def held_fingerprint(held: Held) -> str | None:
    """The fingerprint of what we hold, compared the way the stored one was made."""
    stored = held.fingerprint
    if not stored or len(stored) < 3:
        return None
    coordinates, capacity = stored[0] == "1", stored[1] == "1"
    return fingerprint(held_key(held, coordinates, capacity), coordinates, capacity)
