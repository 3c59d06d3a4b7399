"""Import ORUK/HSDS services into the directory, idempotently and without takeovers.

Each record is cleaned as the provider form would check it (``cleaning``) and
saved through ``services.listing_ops.save_service``. A record is matched only to
what an earlier import of the same source created, by (source, the record's id):
a feed can never change one of our services, another source's records, a school
or an organisation it did not create. A record equal to what we hold is left
alone, so importing twice changes nothing. Each record is saved in a savepoint,
so one bad record is skipped (with its reason) and never costs the feed; the
caller runs the whole import in one transaction and decides whether to keep it.
"""

from __future__ import annotations

import functools
import json
import pickle
import tempfile
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ARRAY, ColumnElement, Table, any_, bindparam, func, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from routing.gazetteer.lookup import geocode
from routing.gazetteer.models import GazetteerPostcode
from routing.geo import Place, PostcodeError, normalise_postcode
from routing.referrals.audit import AuditEvent
from routing.referrals.lifecycle import SYSTEM, Actor
from services.areas import AreaError, check_area
from services.capacity_ops import check_capacity, update_capacity
from services.db import utcnow
from services.errors import InvalidInput
from services.listing_ops import CheckedInput, ServiceInput, check_service_input, save_service
from services.listings import DeliveryMode, ReferralRoute, Service, ServiceNeed
from services.locations import Location
from services.organisations import ORGANISATION_KIND_LABELS, Organisation, OrganisationKind
from services.oruk import cleaning, help_terms, ids
from services.oruk.extras import organisation_extras, service_extras
from services.oruk.models import OrukOrganisationSource, OrukSource
from services.oruk.schedule import DAY_BY_RRULE, DAYS
from services.oruk.serialisers import LANGUAGE_CODES
from services.oruk.sources import Feed
from services.schools import School
from services.taxonomy import Need
from services.version import bump_version, current_version, record_capacity_changes

IMPORT_USER = "ORUK import"
IMPORT_ACTOR = Actor(None, IMPORT_USER, None, "")
# A feed never creates a school or an academy trust: those come from the schools register.
KIND_BY_LABEL = {label.lower(): kind for kind, label in ORGANISATION_KIND_LABELS.items()
                 if kind not in (OrganisationKind.SCHOOL, OrganisationKind.ACADEMY_TRUST)}
DEFAULT_MAPPING = Path(__file__).parent / "vocabularies.json"
# Records looked up and inserted together: one query per table per chunk.
CHUNK = 1000
# How many skip reasons and warnings the command prints; --report FILE has all of them.
FIRST_REASONS = 20
# Per-record failures that skip the record; anything else is a bug and aborts the import.
RECORD_ERRORS = (InvalidInput, ValueError, TypeError, ArithmeticError, LookupError,
                 AttributeError, SQLAlchemyError)
LANGUAGE_BY_CODE = {code: name for name, code in LANGUAGE_CODES.items()}
# New services are written as plain multi-row INSERTs of these tables (no ORM objects).
LOCATION = cast(Table, Location.__table__)
SERVICE = cast(Table, Service.__table__)
SERVICE_NEED = cast(Table, ServiceNeed.__table__)
ORUK_SOURCE = cast(Table, OrukSource.__table__)
AUDIT_EVENT = cast(Table, AuditEvent.__table__)


class MappingError(ValueError):
    """The taxonomy mapping file cannot be used; the message says why."""


@dataclass
class ImportReport:
    """What an import did: counts, every skipped record with its reason, unmapped terms."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    organisations_created: int = 0
    # Imported (or kept) with no need mapped: waiting on the coordinator's triage page.
    needs_not_assigned: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unmapped_terms: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Records now held as services from this source (created, updated or unchanged)."""
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """One line of counts."""
        return (f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
                f"withdrawn {self.withdrawn}, skipped {len(self.skipped)}, organisations "
                f"created {self.organisations_created}, unmapped terms "
                f"{len(self.unmapped_terms)}, warnings {len(self.warnings)}")

    def as_json(self) -> dict[str, Any]:
        """Everything, for ``--report FILE``."""
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "withdrawn": self.withdrawn, "organisations_created": self.organisations_created,
            "needs_not_assigned": self.needs_not_assigned,
            "skipped": [{"record": label, "reason": reason} for label, reason in self.skipped],
            "unmapped_terms": dict(sorted(self.unmapped_terms.items())),
            "warnings": list(self.warnings),
        }


class Skip(Exception):
    """This record cannot be imported; the message is the reason."""


def _flat_mapping(data: Any) -> dict[str, str]:
    """``{term: need code}`` from either a flat JSON object or the shipped file's shape,
    ``{"vocabularies": {vocabulary name: {term: need code}}}``. Raises MappingError."""
    if isinstance(data, dict) and isinstance(data.get("vocabularies"), dict):
        flat: dict[str, Any] = {}
        for vocabulary in data["vocabularies"].values():
            if not isinstance(vocabulary, dict):
                raise MappingError("Each vocabulary must be a JSON object of terms to need codes")
            flat.update(vocabulary)
        data = flat
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise MappingError("The mapping must be a JSON object of strings to need codes")
    return {key.strip().casefold(): value.strip() for key, value in data.items()}


def load_mapping(path: Path | None) -> dict[str, str]:
    """A term mapping from a JSON object ``{term id, code or name: need code}`` (or
    grouped by vocabulary, as ``services/oruk/vocabularies.json``).

    Raises MappingError for unreadable files or non-string values.
    """
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MappingError(f"Could not read the mapping {path}: {error}") from error
    return _flat_mapping(data)


@functools.cache
def default_mapping() -> dict[str, str]:
    """The shipped mapping of the common UK vocabularies (DfE family hubs categories,
    LGA/esd needs and service types) to our need codes."""
    return _flat_mapping(json.loads(DEFAULT_MAPPING.read_text(encoding="utf-8")))


class TermMapper:
    """Maps a feed's taxonomy terms to our need codes: the mapping first, then defaults.

    Defaults: our own term ids, a term whose ``term``/``code`` is a need code, a
    term whose name equals a need's name (ignoring case), then the shipped mapping
    of the common UK vocabularies (entries naming needs this hub does not have are
    left out).
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
        self.vocabularies = {key: code for key, code in default_mapping().items()
                             if code in self.codes}

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
        if name and name.casefold() in self.by_name:
            return self.by_name[name.casefold()]
        for key in (name, term_id, term_code, code):
            if key and key.casefold() in self.vocabularies:
                return self.vocabularies[key.casefold()]
        return None


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


@dataclass
class Prepared:
    """A chunk read and classified, not yet written: every record's outcome in feed
    order, the planned ones, and of those the new (inserted together) and the rest
    (saved one by one), by their place in ``planned``; unchanged records are in neither.
    ``held`` (not staged) is what earlier imports made of the ``slow`` ones."""

    outcomes: list[Outcome] = field(default_factory=list)
    planned: list[tuple[Outcome, Planned]] = field(default_factory=list)
    new: list[tuple[int, CheckedInput]] = field(default_factory=list)
    slow: list[int] = field(default_factory=list)
    held: list[Service | None] = field(default_factory=list)


class Staging:
    """Chunks read and compared, kept in a temporary file until they are written: a big
    feed's records are not all held in memory between reading and writing."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self.held: list[list[Service | None]] = []
        self.offsets: list[int] = []

    def put(self, part: Prepared) -> None:
        """Stage ``part``; its ORM objects stay in memory, the rest goes to the file."""
        self.held.append(part.held)
        self.offsets.append(self.file.tell())
        part.held = []
        pickle.dump(part, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def parts(self, wanted: Callable[[int], bool]) -> Iterator[tuple[int, Prepared]]:
        """The staged chunks whose number is ``wanted``, in order, with their numbers."""
        for number, (held, offset) in enumerate(zip(self.held, self.offsets, strict=True)):
            if wanted(number):
                self.file.seek(offset)
                # Our own unlinked temporary file, written above by this process.
                part: Prepared = pickle.load(self.file)  # noqa: S301  # nosec B301
                part.held = held
                yield number, part

    def close(self) -> None:
        self.file.close()


@dataclass
class Outcome:
    """What became of one record of a chunk, reported once the chunk is saved."""

    label: str
    skip: str | None = None
    counted: str | None = None
    new_organisation: bool = False
    plan: Planned | None = None
    # Warnings reported without the record's label (places and areas left out).
    direct: list[str] = field(default_factory=list)


class Importer:
    """Imports one source's records into one session; call :meth:`run`, then commit.

    ``source`` names the feed (its address or file); records are matched only to
    what earlier imports of the same source created.
    """

    def __init__(self, session: Session, source: str,
                 mapping: Mapping[str, str] | None = None, agree_hubs: bool = False,
                 now: datetime | None = None) -> None:
        self.session = session
        self.agree_hubs = agree_hubs
        self.source = source[:300]
        self.terms = TermMapper(session, mapping or {})
        self.now = now or utcnow()
        self.report = ImportReport()
        # This import's organisations by the feed's reference; postcodes placed so far.
        self.organisations: dict[str, Organisation] = {}
        self.places: dict[str, Place] = {}
        # Capacity figures saved at the end (``_capacity_later``).
        self.capacities: list[Callable[[], int]] = []
        self.schools = {s.urn: s for s in session.execute(select(School)).scalars()}
        self.organisations_seen: set[int] = set()
        # Organisations found unchanged while reading, by the feed's reference (or None).
        self.held: dict[str, Organisation | None] = {}

    def run(self, feed: Feed,
            before_writing: Callable[[], None] | None = None) -> ImportReport:
        """Import every record of ``feed``; skips are reported, never raised.

        Two steps. Reading: every record is read, cleaned and compared with what
        earlier imports made of it (looked up a chunk of ``CHUNK`` at a time) and
        nothing is written, so the import holds nothing a provider's capacity save
        needs. Writing: new services go in with one multi-row INSERT per table per
        chunk, changed ones through ``save_service``; then withdrawals, the feed's
        capacity figures and, last, the directory's change counters.

        ``before_writing`` is called between the two (on SQLite it ends the read
        transaction and takes the database's one write lock). If the directory's
        version moved meanwhile (another writer changed listings), what was read is
        compared again under the lock. Errors reading the source (SourceError)
        propagate: the caller rolls the whole import back.
        """
        seen: set[str] = set()
        staging = Staging()
        # Each chunk's counts, skips and warnings; a chunk with nothing to write is
        # reported as soon as it is read, and read back only to be compared again.
        tallies: list[ImportReport | None] = []
        try:
            for chunk in self._chunks(feed, seen):
                part = self._prepare(chunk)
                tallies.append(None if part.new or part.slow else self._tally(part))
                staging.put(part)
            # A record the reader could not fetch is not gone from the feed.
            listed = seen | {label.split(" ", 1)[0] for label, _ in feed.skipped}
            gone = self._missing(listed) if feed.complete else []
            again = False
            if before_writing is not None and (gone or None in tallies):
                version = current_version(self.session)
                before_writing()
                if current_version(self.session) != version:
                    again, self.held = True, {}
                    gone = self._missing(listed) if feed.complete else []
            for number, part in staging.parts(lambda n: again or tallies[n] is None):
                if again:
                    self._classify(part)
                self._write(part)
                tallies[number] = self._tally(part)
        finally:
            staging.close()
        for tally in tallies:
            assert tally is not None
            self._add(tally)
        self.report.skipped.extend(feed.skipped)
        self.report.warnings.extend(feed.warnings)
        self._withdraw(gone)
        self._save_capacities()
        if self.report.created + self.report.updated + self.report.withdrawn:
            # Once per import, last: the version row is held only until the commit.
            bump_version(self.session)
        return self.report

    @staticmethod
    def _chunks(feed: Feed, seen: set[str]
                ) -> Iterator[list[tuple[str, str, Mapping[str, Any] | None]]]:
        """The feed's records in chunks of ``CHUNK`` as (label, id, record); a repeated
        id comes with no record. Adds each id to ``seen``."""
        chunk: list[tuple[str, str, Mapping[str, Any] | None]] = []
        for record in feed.records:
            ref = str(record.get("id") or "").strip()[:300]
            label = f"{ref or '(no id)'} {_text(record.get('name'))[:80]!r}"
            if ref in seen:
                chunk.append((label, ref, None))
            else:
                if ref:
                    seen.add(ref)
                chunk.append((label, ref, record))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _prepare(self, chunk: list[tuple[str, str, Mapping[str, Any] | None]]) -> Prepared:
        """Plan and classify one chunk of records, writing nothing."""
        part = Prepared()
        for label, ref, record in chunk:
            outcome = Outcome(label)
            part.outcomes.append(outcome)
            if record is None:
                outcome.skip = "duplicate id in the feed; the first record with it was kept"
                continue
            # Warnings the planning adds to the report itself, kept in feed order.
            report_warnings, self.report.warnings = self.report.warnings, outcome.direct
            try:
                if not ref:
                    raise Skip("the record has no id")
                plan = self._plan(ref, record)
            except Skip as reason:
                outcome.skip = str(reason)
                continue
            except RECORD_ERRORS as error:
                outcome.skip = f"could not be saved: {error!s:.200}"
                continue
            finally:
                self.report.warnings = report_warnings
            part.planned.append((outcome, plan))
        self._classify(part)
        return part

    def _classify(self, part: Prepared) -> None:
        """Sort a chunk's planned records into unchanged, new (inserted together) and
        the rest (saved one by one), reading what earlier imports made of them."""
        part.new, part.slow, part.held = [], [], []
        existing = self._existing_many([plan.ref for _, plan in part.planned])
        self._place_many([plan.data.venue_postcode for _, plan in part.planned
                          if plan.data.venue_postcode and not plan.data.venue_coordinates])
        for index, (outcome, plan) in enumerate(part.planned):
            outcome.skip = outcome.counted = outcome.plan = None
            outcome.new_organisation = False
            service = existing.get(plan.ref)
            if (plan.triage and service is not None and not service.needs_triage
                    and service.need_links):
                # The coordinator assigned its needs; the feed still maps none: kept.
                plan.data.need_codes, plan.triage = service.need_codes, False
            if service is not None and plan.active and self._unchanged(service, plan):
                outcome.counted, outcome.plan = "unchanged", plan
                continue
            if service is None and plan.active and not plan.hub_days and plan.capacity is None:
                try:
                    checked = check_service_input(self.session, plan.data,
                                                  known_needs=self.terms.codes,
                                                  places=self._place, needs_triage=plan.triage)
                except InvalidInput as error:
                    outcome.skip = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
                    continue
                part.new.append((index, checked))
            else:
                part.slow.append(index)
                part.held.append(service)

    def _write(self, part: Prepared) -> None:
        """Save one classified chunk."""
        for index, service in zip(part.slow, part.held, strict=True):
            self._save_one(*part.planned[index], service)
        new = [(*part.planned[index], checked) for index, checked in part.new]
        if new and not self._insert_new(new):
            # The chunk's multi-row insert failed (a database error): save its records
            # one by one, so only the record at fault is skipped.
            for outcome, plan, _checked in new:
                self._save_one(outcome, plan, None)

    @staticmethod
    def _tally(part: Prepared) -> ImportReport:
        """What a chunk's records came to, in feed order."""
        tally = ImportReport()
        for outcome in part.outcomes:
            tally.warnings.extend(outcome.direct)
            if outcome.skip is not None:
                tally.skipped.append((outcome.label, outcome.skip))
                continue
            assert outcome.counted is not None and outcome.plan is not None
            setattr(tally, outcome.counted, getattr(tally, outcome.counted) + 1)
            tally.needs_not_assigned += outcome.plan.triage and outcome.counted != "withdrawn"
            tally.organisations_created += outcome.new_organisation
            tally.warnings.extend(f"{outcome.label}: {warning}"
                                  for warning in outcome.plan.warnings)
        return tally

    def _add(self, tally: ImportReport) -> None:
        report = self.report
        for name in ("created", "updated", "unchanged", "withdrawn", "organisations_created",
                     "needs_not_assigned"):
            setattr(report, name, getattr(report, name) + getattr(tally, name))
        report.skipped.extend(tally.skipped)
        report.warnings.extend(tally.warnings)

    def _save_one(self, outcome: Outcome, plan: Planned, service: Service | None) -> None:
        """Save one record in its own savepoint through ``save_service``."""
        known, queued = dict(self.organisations), len(self.capacities)
        try:
            with self.session.begin_nested():
                counted, new_organisation = self._import(plan, service)
        except Skip as reason:
            outcome.skip = str(reason)
        except InvalidInput as error:
            outcome.skip = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
        except RECORD_ERRORS as error:
            outcome.skip = f"could not be saved: {error!s:.200}"
        else:
            outcome.counted, outcome.new_organisation, outcome.plan = (
                counted, new_organisation, plan)
            return
        # What the savepoint made is gone: so are the organisations it made.
        self.organisations = known
        del self.capacities[queued:]

    def _insert_new(self, new: list[tuple[Outcome, Planned, CheckedInput]]) -> bool:
        """Create the chunk's new services with one multi-row INSERT per table, in a
        savepoint; False (and nothing kept) when the database refuses."""
        known = dict(self.organisations)
        try:
            with self.session.begin_nested():
                self._insert_rows(new)
        except Skip:
            pass
        except SQLAlchemyError:
            pass
        else:
            return True
        self.organisations = known
        for outcome, _plan, _checked in new:
            outcome.counted, outcome.new_organisation, outcome.plan = None, False, None
        return False

    def _insert_rows(self, new: list[tuple[Outcome, Planned, CheckedInput]]) -> None:
        now = self.now
        organisations = []
        for outcome, plan, _checked in new:
            organisation, outcome.new_organisation = self._organisation(
                plan.organisation, plan.warnings)
            organisations.append(organisation.id)
        places = [(plan, checked.place) for _o, plan, checked in new if checked.place]
        location_ids = iter(self._insert_with_ids(
            LOCATION,
            [{"name": (plan.data.venue_name or "").strip() or None,
              "address": plan.data.venue_address.strip(), "postcode": place.postcode,
              "latitude": place.latitude, "longitude": place.longitude,
              "easting": place.easting, "northing": place.northing}
             for plan, place in places]) if places else [])
        wanted = [plan.ref for _o, plan, _c in new if ids.is_uuid(plan.ref)]
        taken = set(self.session.execute(select(Service.uuid).where(
            self._among(Service.uuid, wanted))).scalars()) if wanted else set()
        rows = []
        for (_outcome, plan, checked), organisation_id in zip(new, organisations, strict=True):
            data = plan.data
            # Imported services keep the source's UUID, unless it is already in use here.
            keep = ids.is_uuid(plan.ref) and plan.ref not in taken
            taken.add(plan.ref)
            rows.append({
                "uuid": plan.ref if keep else str(uuid.uuid4()),
                "organisation_id": organisation_id, "name": data.name.strip(),
                "description": data.description.strip(), "min_age": data.min_age,
                "max_age": data.max_age, "eligibility": data.eligibility.strip(),
                "cost": data.cost.strip() or None, "delivery_modes": checked.modes,
                "languages": [lang.strip() for lang in data.languages if lang.strip()],
                "opening_times": data.opening_times.strip(),
                "contact_name": data.contact_name.strip(),
                "contact_email": data.contact_email.strip(),
                "contact_phone": data.contact_phone.strip(), "website": data.website.strip(),
                "referral_route": ReferralRoute(data.referral_route),
                "location_id": next(location_ids) if checked.place else None,
                "service_area": checked.area, "service_area_name": data.service_area_name.strip(),
                "active": True, "help_kinds": checked.kinds, "audiences": checked.audiences,
                "need_level": data.need_level, "oruk_extra": plan.extra,
                "needs_triage": plan.triage,
                "created_at": now, "updated_at": now,
            })
        service_ids = self._insert_with_ids(SERVICE, rows)
        links = [{"service_id": service_id, "need_code": code}
                 for service_id, (_o, _p, checked) in zip(service_ids, new, strict=True)
                 for code in checked.codes]
        self._bulk_insert(SERVICE_NEED, links)
        self._bulk_insert(ORUK_SOURCE, [
            {"source": self.source, "source_ref": plan.ref, "service_id": service_id}
            for service_id, (_o, plan, _c) in zip(service_ids, new, strict=True)])
        # As the flush hook (hub/audit_changes.py) audits a service saved one by one.
        self._audit_services(service_ids, "service_created", "")
        for outcome, plan, _checked in new:
            outcome.counted, outcome.plan = "created", plan

    def _insert_with_ids(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` into ``table``; their new ids, in order."""
        if self.session.get_bind().dialect.name == "postgresql":
            new_ids = list(self.session.execute(
                sql_text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                         "FROM generate_series(1, :count)"),
                {"table": table.name, "count": len(rows)}).scalars())
        else:
            # Numbered as SQLite numbers rows itself (one more than the largest id; the
            # tables have no AUTOINCREMENT). Read inside the import's write transaction:
            # another writer inserting first would make this one fail, never collide.
            start = self.session.execute(select(func.max(table.c.id))).scalar() or 0
            new_ids = list(range(start + 1, start + 1 + len(rows)))
        self._bulk_insert(table, [{**row, "id": new_id}
                                  for row, new_id in zip(rows, new_ids, strict=True)])
        return new_ids

    def _bulk_insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (all with the same keys) into ``table``: on PostgreSQL by COPY
        (one statement, not a round of the pipeline per row), else one executemany."""
        if not rows:
            return
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            self.session.execute(insert(table), rows)
            return
        self.session.flush()
        names = list(rows[0])
        # The values as SQLAlchemy would send them (JSON wrapped, enums by name).
        processors = [table.c[name].type.dialect_impl(connection.dialect)
                      .bind_processor(connection.dialect) for name in names]
        preparer = connection.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(name) for name in names)
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(
                f"COPY {preparer.quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([value if process is None else process(value)
                                for value, process in zip(
                                    [row[name] for name in names], processors, strict=True)])

    def _audit_services(self, service_ids: Iterable[int], action: str, detail: str) -> None:
        rows = [{"at": self.now, "actor_id": None, "actor_name": SYSTEM.name,
                 "organisation_id": None, "organisation_name": SYSTEM.organisation_name,
                 "action": action, "child_id": None, "referral_id": None,
                 "subject_type": "service", "subject_id": str(service_id), "detail": detail,
                 "remote_addr": "", "refused": False} for service_id in service_ids]
        self._bulk_insert(AUDIT_EVENT, rows)

    def _unchanged(self, service: Service, plan: Planned) -> bool:
        """Whether ``plan`` would change nothing of ``service`` nor of its organisation."""
        _name, ref = self._organisation_ref(plan.organisation, [])
        organisation = self._held_organisation(ref, plan.organisation)
        if organisation is None or not self._same(service, organisation, plan):
            return False
        self._organisation_ref(plan.organisation, plan.warnings)  # as saving would warn
        return True

    def _held_organisation(self, ref: str, data: Mapping[str, Any]) -> Organisation | None:
        """The organisation an earlier import of this source made for ``ref``, when saving
        ``data`` (the first record naming it, as ``_organisation`` uses) would change
        nothing of it; else None. Reads only; once per organisation per import."""
        if ref in self.held:
            return self.held[ref]
        found = self.session.execute(
            select(Organisation).join(
                OrukOrganisationSource, OrukOrganisationSource.organisation_id == Organisation.id)
            .where(OrukOrganisationSource.source == self.source,
                   OrukOrganisationSource.source_ref == ref)
            .execution_options(populate_existing=True)).scalar_one_or_none()
        if found is not None:
            ignored: list[str] = []
            name, _ref = self._organisation_ref(data, ignored)
            website = cleaning.url(data.get("website") or data.get("url"), "website", ignored)
            email = cleaning.email(data.get("email"), "email", ignored)
            if ((found.name != name and not found.name.startswith(f"{name} ("))
                    or (found.website, found.email) != (website or None, email or None)
                    or found.oruk_extra != organisation_extras(data, ignored)):
                found = None
        self.held[ref] = found
        return found

    def _among(self, column: Any, values: list[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter: psycopg
        would split a statement of a thousand placeholders in Python."""
        if self.session.get_bind().dialect.name != "postgresql":
            return cast(ColumnElement[bool], column.in_(values))
        return cast(ColumnElement[bool], column == any_(
            bindparam(None, values, type_=ARRAY(column.type))))

    def _place_many(self, postcodes: list[str]) -> None:
        """Look up the gazetteer's places of these postcodes in one query."""
        wanted = set()
        for text in postcodes:
            try:
                postcode = normalise_postcode(text)
            except PostcodeError:
                continue
            if postcode not in self.places:
                wanted.add(postcode)
        if wanted:
            for row in self.session.execute(select(GazetteerPostcode).where(
                    self._among(GazetteerPostcode.postcode, sorted(wanted)))).scalars():
                self.places[row.postcode] = Place(row.postcode, row.latitude, row.longitude,
                                                  row.easting, row.northing)

    def _place(self, text: str) -> Place:
        """The place of a postcode, looked up once per import. Raises PostcodeError."""
        postcode = normalise_postcode(text)
        place = self.places.get(postcode)
        if place is None:
            place = self.places[postcode] = geocode(self.session, postcode)
        return place

    def _existing_many(self, refs: list[str]) -> dict[str, Service]:
        """What earlier imports of this source made of these records, by record id,
        with everything ``_same`` compares, in one query per table."""
        if not refs:
            return {}
        rows = self.session.execute(
            select(OrukSource.source_ref, Service)
            .join(Service, Service.id == OrukSource.service_id)
            .where(OrukSource.source == self.source, self._among(OrukSource.source_ref, refs))
            .options(selectinload(Service.need_links), selectinload(Service.location),
                     selectinload(Service.hubs), selectinload(Service.capacity))
            # Compared again after a change by another writer: read afresh, not as held.
            .execution_options(populate_existing=True)).all()
        return {ref: service for ref, service in rows}

    def _missing(self, seen: set[str]) -> list[int]:
        """This source's active services that the feed no longer lists."""
        links = self.session.execute(
            select(OrukSource.source_ref, OrukSource.service_id)
            .join(Service, Service.id == OrukSource.service_id)
            .where(OrukSource.source == self.source, Service.active.is_(True))).all()
        return [service_id for ref, service_id in links if ref not in seen]

    def _withdraw(self, gone: list[int]) -> None:
        """Withdraw (never delete) these services."""
        for start in range(0, len(gone), CHUNK):
            part = gone[start:start + CHUNK]
            self.session.execute(update(Service).where(Service.id.in_(part))
                                 .values(active=False, updated_at=self.now)
                                 .execution_options(synchronize_session="fetch"))
            self._audit_services(part, "service_changed", "active")
        self.report.withdrawn += len(gone)

    # -- planning -------------------------------------------------------------------------

    def _plan(self, ref: str, record: Mapping[str, Any]) -> Planned:
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
        codes = self._needs(record)
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
                       service_extras(record, warnings), triage=not codes)

    def _needs(self, record: Mapping[str, Any]) -> list[str]:
        codes = set()
        for attribute in record.get("attributes") or []:
            term = (attribute or {}).get("taxonomy_term") if isinstance(attribute, dict) else None
            if not isinstance(term, dict) or not term or help_terms.is_help_term(term):
                continue
            code = self.terms.code_for(term)
            if code:
                codes.add(code)
            else:
                self.report.unmapped_terms[_text(term.get("name")) or str(term.get("id"))] += 1
        return sorted(codes)

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
                self.report.warnings.append(f"not a UK postcode, location left out: {postcode!r}")
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
                    self.report.warnings.append(f"{record.get('id')}: service area extent is "
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

    # -- saving -----------------------------------------------------------------------------

    def _organisation(self, data: Mapping[str, Any],
                      warnings: list[str]) -> tuple[Organisation, bool]:
        """The organisation this source's import made for ``data`` (made now if none),
        and whether it is new. Never one of ours, a school or another source's."""
        name, ref = self._organisation_ref(data, warnings)
        feed_id = _text(data.get("id"))[:250]
        if ref in self.organisations:
            return self.organisations[ref], False
        found = self.session.execute(
            select(Organisation).join(
                OrukOrganisationSource, OrukOrganisationSource.organisation_id == Organisation.id)
            .where(OrukOrganisationSource.source == self.source,
                   OrukOrganisationSource.source_ref == ref)).scalar_one_or_none()
        website = cleaning.url(data.get("website") or data.get("url"), "website", warnings)
        email = cleaning.email(data.get("email"), "email", warnings)
        if found is not None:
            if found.id not in self.organisations_seen:
                self.organisations_seen.add(found.id)
                if found.name != name and not found.name.startswith(f"{name} ("):
                    found.name = self._free_name(name)
                found.website, found.email = website or None, email or None
                found.oruk_extra = organisation_extras(data, warnings)
            self.organisations[ref] = found
            return found, False
        kind = KIND_BY_LABEL.get(_text(data.get("description")).lower(),
                                 OrganisationKind.VOLUNTARY)
        organisation = Organisation(name=self._free_name(name), kind=kind,
                                    website=website or None, email=email or None,
                                    oruk_extra=organisation_extras(data, warnings))
        if ids.is_uuid(feed_id) and self.session.execute(select(Organisation.id).where(
                Organisation.uuid == feed_id)).first() is None:
            organisation.uuid = feed_id
        self.session.add(organisation)
        self.session.flush()
        self.session.add(OrukOrganisationSource(source=self.source, source_ref=ref,
                                                organisation_id=organisation.id))
        self.organisations_seen.add(organisation.id)
        self.organisations[ref] = organisation
        return organisation, True

    @staticmethod
    def _organisation_ref(data: Mapping[str, Any], warnings: list[str]) -> tuple[str, str]:
        """The feed organisation's cleaned name, and what it is known by: its id, else
        ``name:`` and its name."""
        name = cleaning.one_line(data.get("name"), cleaning.NAME_MAX, "organisation", warnings)
        return name, _text(data.get("id"))[:250] or f"name:{name}"

    def _free_name(self, name: str) -> str:
        """``name``, or when an organisation (ours, a school, another source's) has it,
        ``name (source)``: organisation names are unique and never shared."""
        label = urllib.parse.urlsplit(self.source).hostname or Path(self.source).name
        candidates = [name] + [f"{name} ({label})" + (f" {n}" if n > 1 else "")
                               for n in range(1, 100)]
        for candidate in candidates:
            candidate = candidate[:cleaning.NAME_MAX]
            if self.session.execute(select(Organisation.id).where(
                    Organisation.name == candidate)).first() is None:
                return candidate
        raise Skip(f"the organisation name {name!r} is taken too many times")

    def _import(self, plan: Planned, service: Service | None) -> tuple[str, bool]:
        """Save one planned record (``service``: what an earlier import made of it);
        returns the report field to count and whether it created an organisation.
        Raises Skip, InvalidInput or a database error."""
        if not plan.active:
            if service is None or not service.active:
                raise Skip("the record's status is not active")
            service.active = False
            self.session.flush()
            return "withdrawn", False
        organisation, new_organisation = self._organisation(plan.organisation, plan.warnings)
        if service is not None and self._same(service, organisation, plan):
            return "unchanged", new_organisation
        created = service is None
        # A feed saying a service runs at one of our schools is a request: the school
        # agrees before it counts (``services.hub_links``).
        service = save_service(self.session, service, organisation.id, plan.data, bump=False,
                               actor=IMPORT_ACTOR, agree_hubs=self.agree_hubs,
                               needs_triage=plan.triage)
        service.organisation_id = organisation.id
        service.active = True
        service.oruk_extra = plan.extra
        # Imported services keep the source's UUID, unless it is already in use here.
        if created and ids.is_uuid(plan.ref) and self.session.execute(
                select(Service.id).where(Service.uuid == plan.ref)).first() is None:
            service.uuid = plan.ref
        self.session.flush()
        if created:
            self.session.add(OrukSource(source=self.source, source_ref=plan.ref,
                                        service_id=service.id))
        for hub in service.hubs:
            hub.days = plan.hub_days.get(hub.school_id, [])
        if plan.capacity is not None:
            self._capacity_later(service, plan.capacity, plan.warnings)
        self.session.flush()
        return ("created" if created else "updated"), new_organisation

    def _capacity_later(self, service: Service, capacity: Mapping[str, Any],
                        warnings: list[str]) -> None:
        """Check the record's capacity figures now (raising InvalidInput, which skips
        the record) and save them at the end of the import: a capacity change takes the
        directory's change counter until commit, and providers' own capacity saves
        would wait on it for the rest of the import."""
        updated = None
        if capacity.get("updated"):
            try:
                updated = datetime.fromisoformat(str(capacity["updated"]).replace("Z", "+00:00"))
                updated = updated.replace(tzinfo=None)
            except ValueError:
                updated = None
        free = cleaning.count(capacity.get("free_places"), "free_places", warnings) or 0
        waitlist = cleaning.count(capacity.get("waitlist_length"), "waitlist_length",
                                  warnings) or 0
        wait = cleaning.count(capacity.get("typical_wait_days"), "typical_wait_days", warnings)
        check_capacity(free, waitlist, wait)
        accepting = bool(capacity.get("accepting", True))

        def save() -> int:
            update_capacity(self.session, service, accepting=accepting, free_places=free,
                            waitlist_length=waitlist, typical_wait_days=wait, user_id=None,
                            user_name=IMPORT_USER, now=updated, record_change=False)
            return service.id

        self.capacities.append(save)

    def _save_capacities(self) -> None:
        """Save the feed's capacity figures, then number the changes with one update of
        the change counter: the row every capacity save needs is held only from here to
        the commit."""
        changed = [save() for save in self.capacities]
        self.session.flush()
        record_capacity_changes(self.session, changed)

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
            service.cost or "", sorted(service.delivery_modes or []),
            list(service.languages or []),
            service.opening_times, service.contact_email, service.contact_phone,
            service.website, service.referral_route.value,
            (location.address, location.postcode, location.name,
             (round(location.latitude, 6), round(location.longitude, 6))
             if data.venue_coordinates else None) if location else None,
            held_hubs, service.service_area, service.service_area_name,
            list(service.help_kinds or []), list(service.audiences or []), service.need_level,
        )
        wanted = (
            organisation.id, True, data.name.strip(), data.description.strip(),
            sorted(set(data.need_codes)), data.min_age, data.max_age, data.eligibility.strip(),
            data.cost.strip(), sorted(set(data.delivery_modes)), list(data.languages),
            data.opening_times.strip(), data.contact_email, data.contact_phone, data.website,
            data.referral_route,
            (data.venue_address.strip(), postcode, (data.venue_name or "").strip() or None,
             tuple(round(c, 6) for c in data.venue_coordinates)
             if data.venue_coordinates else None) if postcode else None,
            plan.hub_days, area, data.service_area_name.strip(),
            list(data.help_kinds), list(data.audiences), data.need_level,
        )
        if held != wanted or service.oruk_extra != plan.extra or (
                service.needs_triage != plan.triage):
            return False
        if plan.capacity is None:
            return True
        capacity = service.capacity
        if capacity is None:
            return False
        ignored: list[str] = []
        return (capacity.accepting, capacity.free_places, capacity.waitlist_length,
                capacity.typical_wait_days) == (
            bool(plan.capacity.get("accepting", True)),
            cleaning.count(plan.capacity.get("free_places"), "", ignored) or 0,
            cleaning.count(plan.capacity.get("waitlist_length"), "", ignored) or 0,
            cleaning.count(plan.capacity.get("typical_wait_days"), "", ignored))


def import_records(session: Session, records: Feed | Iterable[dict[str, Any]], source: str,
                   mapping: Mapping[str, str] | None = None,
                   agree_hubs: bool = False, now: datetime | None = None,
                   before_writing: Callable[[], None] | None = None) -> ImportReport:
    """Import ``records`` (ORUK 3.0-shaped dicts) of ``source`` in ``session``; the
    caller commits the whole import or rolls it back. Services at our school hubs are
    requests for the schools to agree, unless ``agree_hubs`` (the operator states the
    schools agreed: our own export, a trusted feed). ``before_writing`` is called once
    every record is read and compared, before the first write (``Importer.run``).

    Raises MappingError when the mapping names need codes we do not have, and
    SourceError when the source cannot be read to the end.
    """
    feed = records if isinstance(records, Feed) else Feed(records=records)
    return Importer(session, source, mapping, agree_hubs, now).run(feed, before_writing)
