"""Import ORUK/HSDS services into the directory, idempotently and without takeovers.

Each record is cleaned as the provider form would check it (``cleaning``). New
services are written as plain rows, a chunk at a time (``rows``); changed ones are
saved through ``services.listing_ops.save_service``. A record is matched only to
what an earlier import of the same source created, by (source, the record's id):
a feed can never change one of our services, another source's records, a school
or an organisation it did not create. A record equal to what we hold is left
alone (known at once by its hash and fingerprint, ``held``), so importing twice
changes nothing. Each record is saved in a savepoint, so one bad record is skipped
(with its reason) and never costs the feed; the caller runs the whole import in one
transaction and decides whether to keep it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import pickle
import sys
import tempfile
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ARRAY, ColumnElement, bindparam, func, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from routing.gazetteer.lookup import geocode
from routing.gazetteer.models import GazetteerPostcode
from routing.geo import Place, PostcodeError, normalise_postcode
from routing.referrals.lifecycle import Actor
from services.capacity_ops import check_capacity, update_capacity
from services.db import utcnow
from services.errors import InvalidInput
from services.listing_ops import CheckedInput, check_service_input, save_service
from services.listings import Service
from services.organisations import ORGANISATION_KIND_LABELS, Organisation, OrganisationKind
from services.oruk import cleaning, help_terms, ids
from services.oruk import held as held_module
from services.oruk.extras import organisation_extras, service_extras
from services.oruk.held import (
    Held,
    NotComparable,
    digest,
    fingerprint,
    held_fingerprint,
    held_key,
    load_held,
    record_hash,
    wanted_key,
)
from services.oruk.mapping import (  # noqa: F401  (load_mapping, MappingError: the import's API)
    MappingError,
    TermMapper,
    default_mapping,
    load_mapping,
)
from services.oruk.models import OrukOrganisationSource, OrukSource
from services.oruk.planning import Planned, Planner, Skip, _text
from services.oruk.rows import (
    ORUK_SOURCE,
    NewRow,
    SqliteStage,
    audit_rows,
    dumps,
    stored_time,
    write_audit,
    write_rows,
)
from services.oruk.sources import Feed
from services.schools import School
from services.version import bump_version, current_version, record_capacity_changes

IMPORT_USER = "ORUK import"
IMPORT_ACTOR = Actor(None, IMPORT_USER, None, "")
# A feed never creates a school or an academy trust: those come from the schools register.
KIND_BY_LABEL = {label.lower(): kind for kind, label in ORGANISATION_KIND_LABELS.items()
                 if kind not in (OrganisationKind.SCHOOL, OrganisationKind.ACADEMY_TRUST)}
# Records looked up and inserted together: one query per table per chunk.
CHUNK = 1000
# How many skip reasons and warnings the command prints; --report FILE has all of them.
FIRST_REASONS = 20
# Per-record failures that skip the record; anything else is a bug and aborts the import.
RECORD_ERRORS = (InvalidInput, ValueError, TypeError, ArithmeticError, LookupError,
                 AttributeError, SQLAlchemyError)


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


@dataclass
class Outcome:
    """What became of one record of a chunk, reported once the chunk is saved."""

    label: str
    skip: str | None = None
    counted: str | None = None
    new_organisation: bool = False
    triage: bool = False
    warnings: list[str] = field(default_factory=list)
    # Warnings reported without the record's label (places and areas left out).
    direct: list[str] = field(default_factory=list)

    def count(self, counted: str, plan: Planned) -> None:
        self.counted, self.triage, self.warnings = counted, plan.triage, plan.warnings


@dataclass
class Prepared:
    """A chunk read and classified: every record's outcome in feed order; the records
    planned; of those the new (inserted together) and the rest (saved one by one, with
    what earlier imports made of them). Unchanged records are in neither."""

    outcomes: list[Outcome] = field(default_factory=list)
    planned: list[tuple[Outcome, Planned]] = field(default_factory=list)
    new: list[tuple[Outcome, Planned, CheckedInput]] = field(default_factory=list)
    slow: list[tuple[Outcome, Planned, Held | None]] = field(default_factory=list)


class ChunkFile:
    """Chunks kept in a temporary file until they are needed again: a big feed's
    records are not all held in memory between reading and writing."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self.offsets: list[int] = []

    def put(self, value: Any) -> int:
        """Keep ``value``; its number."""
        self.file.seek(0, 2)
        self.offsets.append(self.file.tell())
        pickle.dump(value, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        return len(self.offsets) - 1

    def get(self, number: int) -> Any:
        self.file.seek(self.offsets[number])
        # Our own unlinked temporary file, written above by this process.
        return pickle.load(self.file)  # noqa: S301  # nosec B301

    def close(self) -> None:
        self.file.close()


class Importer:
    """Imports one source's records into one session; call :meth:`run`, then commit.

    ``source`` names the feed (its address or file); records are matched only to
    what earlier imports of the same source created.
    """

    def __init__(self, session: Session, source: str,
                 mapping: Mapping[str, str] | None = None, agree_hubs: bool = False,
                 now: datetime | None = None) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.agree_hubs = agree_hubs
        self.source = source[:300]
        self.terms = TermMapper(session, mapping or {})
        self.now = now or utcnow()
        self.at = stored_time(session, self.now)
        self.places: dict[str, Place] = {}
        self.schools = {s.urn: s for s in session.execute(select(School)).scalars()}
        self.planner = Planner(self.terms, self.schools)
        self.context = self._context()
        self.organisation_refs: dict[Any, tuple[str, str, list[str]]] = {}
        self._reset()

    def _reset(self) -> None:
        """Forget what a run did (it is done again from the start)."""
        self.report = ImportReport()
        # This import's organisations by the feed's reference, those it changed, those
        # whose warnings were given and (staged) the first record's data of each.
        self.organisations: dict[str, Organisation] = {}
        self.organisations_seen: set[int] = set()
        self.organisations_warned: set[str] = set()
        self.organisation_data: dict[str, Mapping[str, Any]] = {}
        # Organisations found unchanged while reading, by the feed's reference (or None).
        self.held: dict[str, Organisation | None] = {}
        # Capacity figures saved at the end (``_capacity_later``).
        self.capacities: list[Callable[[], int]] = []
        # Source links whose record hash, fingerprint or notes are to be stored.
        self.backfill: list[tuple[int, str | None, str | None, dict[str, Any] | None]] = []

    def _context(self) -> str:
        """What planning a record depends on besides the record: the mapping, our needs
        and schools, and the cleaning code itself (a change to any plans records anew)."""
        parts = [sorted(self.terms.mapping.items()), sorted(self.terms.codes),
                 sorted(self.terms.by_name.items()), sorted(self.terms.vocabularies.items()),
                 sorted((urn, school.id) for urn, school in self.schools.items()),
                 [importlib.metadata.version(name) for name in ("nh3", "email-validator")]]
        code = b"".join(Path(module.__file__ or "").read_bytes() for module in (
            sys.modules[__name__], sys.modules[Planner.__module__], cleaning, help_terms,
            held_module, sys.modules[service_extras.__module__],
            sys.modules[check_service_input.__module__]))
        return digest(json.dumps(parts, default=str).encode() + code)

    def run(self, feed: Feed,
            before_writing: Callable[[], None] | None = None) -> ImportReport:
        """Import every record of ``feed``; skips are reported, never raised.

        Records are read a chunk of ``CHUNK`` at a time; each chunk's earlier imports
        are looked up in three queries. A record whose hash and held fingerprint match
        is unchanged at once (``services.oruk.held``); the others are cleaned and
        compared. New services are written as plain rows, one statement per table per
        chunk; changed ones through ``save_service``; then withdrawals, the feed's
        capacity figures and, last, the directory's change counters.

        ``before_writing`` marks the end of reading: on SQLite it ends the read
        transaction and takes the database's one write lock (``hub.database``). There
        the new rows are staged while reading, invisible and taking no lock, and
        published at the end in one short step (``services.oruk.rows``); records that
        change are kept in a temporary file and saved after the lock is taken. On
        PostgreSQL rows are written as they are read: nothing they lock is what a
        capacity save waits on. Errors reading the source (SourceError) propagate:
        the caller rolls the whole import back.
        """
        self._lock_source()
        if before_writing is not None and self.dialect == "sqlite":
            return self._run_staged(feed, before_writing)
        if before_writing is not None:
            before_writing()
        seen: set[str] = set()
        for chunk in self._chunks(feed, seen):
            part = self._prepare(chunk)
            self._write(part)
            self._add(self._tally(part))
        return self._finish(feed, self._gone(feed, seen))

    def _run_staged(self, feed: Feed, before_writing: Callable[[], None]) -> ImportReport:
        seen: set[str] = set()
        raw, later = ChunkFile(), ChunkFile()
        stage = SqliteStage(self.session)
        try:
            # Each chunk's counts, or (a chunk with records to save one by one) its
            # number in ``later``, saved once the lock is taken.
            tallies: list[ImportReport | int] = []
            for chunk in self._chunks(feed, seen):
                raw.put(chunk)
                part = self._prepare(chunk)
                rows = self._new_rows(part)
                stage.add(rows)
                for outcome, plan, _checked in part.new:
                    outcome.count("created", plan)
                part.new = []
                tallies.append(later.put(part) if part.slow else self._tally(part))
            gone = self._gone(feed, seen)
            if not (stage.count or gone or later.offsets or self.backfill):
                # Nothing to write: no write lock taken at all.
                for tally in tallies:
                    assert isinstance(tally, ImportReport)
                    self._add(tally)
                return self._finish(feed, [])
            version = current_version(self.session)
            before_writing()
            again = current_version(self.session) != version
            if not again:
                try:
                    with self.session.begin_nested():
                        tallies = self._publish(stage, later, tallies)
                except (SQLAlchemyError, Skip):
                    again = True
            if again:
                # Another writer changed the directory while this import read (what was
                # read may be stale), or the database refused a staged row: everything is
                # read again from the file, compared afresh and written under the lock.
                self._reset()
                tallies = []
                for number in range(len(raw.offsets)):
                    part = self._prepare(raw.get(number))
                    self._write(part)
                    tallies.append(self._tally(part))
                gone = self._gone(feed, seen)
            for tally in tallies:
                assert isinstance(tally, ImportReport)
                self._add(tally)
            return self._finish(feed, gone)
        finally:
            raw.close()
            later.close()
            stage.drop()

    def _publish(self, stage: SqliteStage, later: ChunkFile,
                 tallies: list[ImportReport | int]) -> list[ImportReport | int]:
        """Under the write lock: save the records kept for saving one by one, then
        insert the staged new services."""
        done: list[ImportReport | int] = []
        for tally in tallies:
            if isinstance(tally, int):
                part: Prepared = later.get(tally)
                self._write(part)
                tally = self._tally(part)
            done.append(tally)
        organisation_ids = {}
        for ref in stage.organisations:
            organisation, new = self._organisation(self.organisation_data[ref])
            organisation_ids[ref] = organisation.id
            self.report.organisations_created += new
        self.session.flush()
        stage.publish(self.source, organisation_ids, self.at)
        return done

    def _finish(self, feed: Feed, gone: list[int]) -> ImportReport:
        self.report.skipped.extend(feed.skipped)
        self.report.warnings.extend(feed.warnings)
        self._withdraw(gone)
        self._store_backfill()
        self._save_capacities()
        if self.report.created + self.report.updated + self.report.withdrawn:
            # Once per import, last: the version row is held only until the commit.
            bump_version(self.session)
        return self.report

    def _gone(self, feed: Feed, seen: set[str]) -> list[int]:
        if not feed.complete:
            return []
        # A record the reader could not fetch is not gone from the feed.
        return self._missing(seen | {label.split(" ", 1)[0] for label, _ in feed.skipped})

    def _lock_source(self) -> None:
        """Serialise imports of the same source: on PostgreSQL a transaction-level
        advisory lock keyed by the source's name, held until this import commits or
        rolls back (a second import then reads what the first wrote). On SQLite the
        one write lock serialises them, and a staged import that finds the directory
        changed while it read compares again."""
        if self.dialect != "postgresql":
            return
        key = int.from_bytes(hashlib.blake2b(f"oruk import {self.source}".encode(),
                                             digest_size=8).digest(), "big", signed=True)
        self.session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

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
        helds = load_held(self.session, self.source,
                          [ref for _label, ref, record in chunk if ref and record is not None],
                          self._among)
        for label, ref, record in chunk:
            outcome = Outcome(label)
            part.outcomes.append(outcome)
            if record is None:
                outcome.skip = "duplicate id in the feed; the first record with it was kept"
                continue
            hashed = record_hash(record, self.context) if ref else None
            found = helds.get(ref)
            if found is not None and found.record_hash == hashed and self._still_unchanged(
                    found, record, outcome):
                continue
            try:
                if not ref:
                    raise Skip("the record has no id")
                # Warnings about places and areas, reported in feed order without a label.
                plan = self._plan(ref, record, outcome.direct)
            except Skip as reason:
                outcome.skip = str(reason)
                continue
            except RECORD_ERRORS as error:
                outcome.skip = f"could not be saved: {error!s:.200}"
                continue
            plan.record_hash = hashed
            notes = {"warnings": list(plan.warnings), "direct": list(outcome.direct),
                     "unmapped": plan.unmapped}
            plan.notes = {key: value for key, value in notes.items() if value} or None
            part.planned.append((outcome, plan))
        self._classify(part, helds)
        return part

    def _still_unchanged(self, found: Held, record: Mapping[str, Any],
                         outcome: Outcome) -> bool:
        """Whether a record read exactly as last time is still what we hold (its
        organisation unchanged, our service as that import left it); counts it then,
        with the warnings and unmapped terms cleaning it gave last time."""
        data = record.get("organization")
        if not found.active or not found.fingerprint or not isinstance(data, dict):
            return False
        notes = found.notes or {}
        warnings = list(notes.get("warnings") or [])
        _name, ref = self._organisation_ref(data, warnings)
        organisation = self._held_organisation(ref, data)
        if organisation is None or organisation.id != found.organisation_id or (
                held_fingerprint(found) != found.fingerprint):
            return False
        outcome.counted, outcome.triage = "unchanged", found.needs_triage
        outcome.warnings = warnings
        outcome.direct = list(notes.get("direct") or [])
        self.report.unmapped_terms.update(notes.get("unmapped") or [])
        return True

    def _classify(self, part: Prepared, helds: dict[str, Held]) -> None:
        """Sort a chunk's planned records into unchanged, new (inserted together) and
        the rest (saved one by one), by what earlier imports made of them. Warnings about
        organisations are given here, in feed order, whichever way a record is saved."""
        part.new, part.slow = [], []
        self._place_many([plan.data.venue_postcode for _, plan in part.planned
                          if plan.data.venue_postcode and not plan.data.venue_coordinates])
        for outcome, plan in part.planned:
            outcome.skip = outcome.counted = None
            outcome.new_organisation = False
            found = helds.get(plan.ref)
            if (plan.triage and found is not None and not found.needs_triage
                    and found.need_codes):
                # The coordinator assigned its needs; the feed still maps none: kept.
                plan.data.need_codes, plan.triage = found.need_codes, False
            if found is not None and plan.active and self._unchanged(found, plan):
                outcome.count("unchanged", plan)
                self._remember(found.service_id, plan, found)
                continue
            if found is None and plan.active and not plan.hub_days and plan.capacity is None:
                try:
                    checked = check_service_input(self.session, plan.data,
                                                  known_needs=self.terms.codes,
                                                  places=self._place, needs_triage=plan.triage)
                except InvalidInput as error:
                    outcome.skip = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
                    continue
                part.new.append((outcome, plan, checked))
            else:
                part.slow.append((outcome, plan, found))
            if plan.active:
                self._organisation_warnings(plan.organisation, plan.warnings)

    def _write(self, part: Prepared) -> None:
        """Save one classified chunk."""
        wanted = [found.service_id for _o, _p, found in part.slow if found is not None]
        services = {service.id: service for service in self.session.execute(
            select(Service).where(self._among(Service.id, wanted))
            .options(selectinload(Service.need_links), selectinload(Service.location),
                     selectinload(Service.hubs), selectinload(Service.capacity))
            # Compared again after a change by another writer: read afresh, not as held.
            .execution_options(populate_existing=True)).scalars()} if wanted else {}
        for outcome, plan, found in part.slow:
            self._save_one(outcome, plan, found,
                           services.get(found.service_id) if found is not None else None)
        if part.new and not self._insert_new(part.new):
            # The chunk's multi-row insert failed (a database error): save its records
            # one by one, so only the record at fault is skipped.
            for outcome, plan, _checked in part.new:
                self._save_one(outcome, plan, None, None)

    @staticmethod
    def _tally(part: Prepared) -> ImportReport:
        """What a chunk's records came to, in feed order."""
        tally = ImportReport()
        for outcome in part.outcomes:
            tally.warnings.extend(outcome.direct)
            if outcome.skip is not None:
                tally.skipped.append((outcome.label, outcome.skip))
                continue
            assert outcome.counted is not None
            setattr(tally, outcome.counted, getattr(tally, outcome.counted) + 1)
            tally.needs_not_assigned += outcome.triage and outcome.counted != "withdrawn"
            tally.organisations_created += outcome.new_organisation
            tally.warnings.extend(f"{outcome.label}: {warning}" for warning in outcome.warnings)
        return tally

    def _add(self, tally: ImportReport) -> None:
        report = self.report
        for name in ("created", "updated", "unchanged", "withdrawn", "organisations_created",
                     "needs_not_assigned"):
            setattr(report, name, getattr(report, name) + getattr(tally, name))
        report.skipped.extend(tally.skipped)
        report.warnings.extend(tally.warnings)

    def _save_one(self, outcome: Outcome, plan: Planned, found: Held | None,
                  service: Service | None) -> None:
        """Save one record in its own savepoint through ``save_service``."""
        known, queued, remembered = dict(self.organisations), len(self.capacities), len(
            self.backfill)
        try:
            with self.session.begin_nested():
                counted, new_organisation = self._import(plan, found, service)
        except Skip as reason:
            outcome.skip = str(reason)
        except InvalidInput as error:
            outcome.skip = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
        except RECORD_ERRORS as error:
            outcome.skip = f"could not be saved: {error!s:.200}"
        else:
            outcome.count(counted, plan)
            outcome.new_organisation = new_organisation
            return
        # What the savepoint made is gone: so are the organisations it made.
        self.organisations = known
        del self.capacities[queued:]
        del self.backfill[remembered:]

    def _new_rows(self, part: Prepared) -> list[NewRow]:
        """The chunk's new services as plain rows, ready to write."""
        wanted = [plan.ref for _o, plan, _c in part.new if ids.is_uuid(plan.ref)]
        taken = set(self.session.execute(select(Service.uuid).where(
            self._among(Service.uuid, wanted))).scalars()) if wanted else set()
        rows = []
        at = self.at
        for _outcome, plan, checked in part.new:
            _name, ref = self._organisation_ref(plan.organisation, [])
            self.organisation_data.setdefault(ref, plan.organisation)
            data, place = plan.data, checked.place
            # Imported services keep the source's UUID, unless it is already in use here.
            keep = ids.is_uuid(plan.ref) and plan.ref not in taken
            taken.add(plan.ref)
            rows.append(NewRow(
                plan.ref, ref,
                ((data.venue_name or "").strip() or None, data.venue_address.strip(),
                 place.postcode, place.latitude, place.longitude, place.easting,
                 place.northing) if place else None,
                (plan.ref if keep else str(uuid.uuid4()), data.name.strip(),
                 data.description.strip(), data.min_age, data.max_age,
                 data.eligibility.strip(), data.cost.strip() or None, dumps(checked.modes),
                 dumps([lang.strip() for lang in data.languages if lang.strip()]),
                 data.opening_times.strip(), data.contact_name.strip(),
                 data.contact_email.strip(), data.contact_phone.strip(), data.website.strip(),
                 data.referral_route, dumps(checked.area), data.service_area_name.strip(),
                 True, dumps(checked.kinds), dumps(checked.audiences), data.need_level,
                 dumps(plan.extra), plan.triage, at, at),
                checked.codes,
                (plan.record_hash, self._fingerprint(plan),
                 dumps(plan.notes) if plan.notes else None)))
        return rows

    def _insert_new(self, new: list[tuple[Outcome, Planned, CheckedInput]]) -> bool:
        """Create the chunk's new services with one multi-row INSERT per table, in a
        savepoint; False (and nothing kept) when the database refuses."""
        known = dict(self.organisations)
        try:
            with self.session.begin_nested():
                rows = self._new_rows(Prepared(new=new))
                organisation_ids = []
                for outcome, plan, _checked in new:
                    organisation, outcome.new_organisation = self._organisation(
                        plan.organisation)
                    organisation_ids.append(organisation.id)
                write_rows(self.session, self.source, rows, organisation_ids, self.at)
        except (Skip, SQLAlchemyError):
            self.organisations = known
            for outcome, _plan, _checked in new:
                outcome.new_organisation = False
            return False
        for outcome, plan, _checked in new:
            outcome.count("created", plan)
        return True

    def _fingerprint(self, plan: Planned) -> str | None:
        """The fingerprint of what saving ``plan`` leaves us holding; None when its
        postcode or area cannot be compared."""
        try:
            key = wanted_key(plan.data, plan.hub_days, plan.extra, plan.triage, plan.capacity)
        except NotComparable:
            return None
        return fingerprint(key, bool(plan.data.venue_coordinates), plan.capacity is not None)

    def _remember(self, service_id: int, plan: Planned, found: Held | None) -> None:
        """Store the record's hash, fingerprint and notes when they are not stored yet."""
        values = (plan.record_hash, self._fingerprint(plan), plan.notes)
        if found is None or (found.record_hash, found.fingerprint, found.notes) != values:
            self.backfill.append((service_id, *values))

    def _store_backfill(self) -> None:
        if not self.backfill:
            return
        self.session.flush()
        source = ORUK_SOURCE
        self.session.execute(
            update(source).where(source.c.service_id == bindparam("b_service"))
            .values(record_hash=bindparam("b_hash"), fingerprint=bindparam("b_fingerprint"),
                    notes=bindparam("b_notes")),
            [{"b_service": service_id, "b_hash": hashed, "b_fingerprint": printed,
              "b_notes": notes} for service_id, hashed, printed, notes in self.backfill])

    def _unchanged(self, found: Held, plan: Planned) -> bool:
        """Whether ``plan`` would change nothing of ``found`` nor of its organisation."""
        _name, ref = self._organisation_ref(plan.organisation, [])
        organisation = self._held_organisation(ref, plan.organisation)
        if organisation is None or not self._same(found, organisation, plan):
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
        """``column IN values``; on PostgreSQL ``IN (SELECT unnest(array))``, one
        parameter (psycopg would split a statement of a thousand placeholders in Python)
        in a form the planner looks up by index whatever its statistics say: with
        ``= ANY(array)`` and a table it has not analysed yet (an import's own new rows)
        it compared every row of the source with every value, time growing with the
        square of the feed."""
        if self.dialect != "postgresql":
            return cast(ColumnElement[bool], column.in_(values))
        array = bindparam(None, values, type_=ARRAY(column.type))
        return cast(ColumnElement[bool], column.in_(select(func.unnest(array))))

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
            write_audit(self.session, audit_rows(part, "service_changed", "active", self.at))
        self.report.withdrawn += len(gone)

    def _plan(self, ref: str, record: Mapping[str, Any], direct: list[str]) -> Planned:
        return self.planner.plan(ref, record, direct, self.report.unmapped_terms)

    # -- saving -----------------------------------------------------------------------------

    def _organisation_warnings(self, data: Mapping[str, Any], warnings: list[str]) -> str:
        """Warn as saving the record's organisation would (its name each time; its web
        and email addresses and kept fields the first time); its reference."""
        _name, ref = self._organisation_ref(data, warnings)
        if ref not in self.organisations_warned:
            self.organisations_warned.add(ref)
            cleaning.url(data.get("website") or data.get("url"), "website", warnings)
            cleaning.email(data.get("email"), "email", warnings)
            organisation_extras(data, warnings)
        return ref

    def _organisation(self, data: Mapping[str, Any]) -> tuple[Organisation, bool]:
        """The organisation this source's import made for ``data`` (made now if none),
        and whether it is new. Never one of ours, a school or another source's. Its
        warnings are given by ``_organisation_warnings``."""
        ignored: list[str] = []
        name, ref = self._organisation_ref(data, ignored)
        feed_id = _text(data.get("id"))[:250]
        if ref in self.organisations:
            return self.organisations[ref], False
        found = self.session.execute(
            select(Organisation).join(
                OrukOrganisationSource, OrukOrganisationSource.organisation_id == Organisation.id)
            .where(OrukOrganisationSource.source == self.source,
                   OrukOrganisationSource.source_ref == ref)).scalar_one_or_none()
        website = cleaning.url(data.get("website") or data.get("url"), "website", ignored)
        email = cleaning.email(data.get("email"), "email", ignored)
        if found is not None:
            if found.id not in self.organisations_seen:
                self.organisations_seen.add(found.id)
                if found.name != name and not found.name.startswith(f"{name} ("):
                    found.name = self._free_name(name)
                found.website, found.email = website or None, email or None
                found.oruk_extra = organisation_extras(data, ignored)
            self.organisations[ref] = found
            return found, False
        kind = KIND_BY_LABEL.get(_text(data.get("description")).lower(),
                                 OrganisationKind.VOLUNTARY)
        organisation = Organisation(name=self._free_name(name), kind=kind,
                                    website=website or None, email=email or None,
                                    oruk_extra=organisation_extras(data, ignored))
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

    def _organisation_ref(self, data: Mapping[str, Any],
                          warnings: list[str]) -> tuple[str, str]:
        """The feed organisation's cleaned name, and what it is known by: its id, else
        ``name:`` and its name. Cleaned once per name and id: every record repeats them."""
        key: Any = (data.get("name"), data.get("id"))
        try:
            known = self.organisation_refs.get(key)
        except TypeError:  # not a name or an id: cleaned (and warned about) each time
            known, key = None, None
        if known is None:
            noted: list[str] = []
            name = cleaning.one_line(data.get("name"), cleaning.NAME_MAX, "organisation", noted)
            known = (name, _text(data.get("id"))[:250] or f"name:{name}", noted)
            if key is not None:
                self.organisation_refs[key] = known
        warnings.extend(known[2])
        return known[0], known[1]

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

    def _import(self, plan: Planned, found: Held | None,
                service: Service | None) -> tuple[str, bool]:
        """Save one planned record (``found``, ``service``: what an earlier import made
        of it, as read for comparing and as the ORM's object); returns the report field
        to count and whether it created an organisation. Raises Skip, InvalidInput or
        a database error."""
        if not plan.active:
            if service is None or not service.active:
                raise Skip("the record's status is not active")
            service.active = False
            self.session.flush()
            return "withdrawn", False
        organisation, new_organisation = self._organisation(plan.organisation)
        if found is not None and service is not None and self._same(found, organisation, plan):
            self._remember(found.service_id, plan, found)
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
        self._remember(service.id, plan, found)
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

    @staticmethod
    def _same(found: Held, organisation: Organisation, plan: Planned) -> bool:
        """Whether saving ``plan`` would change nothing we hold."""
        if found.organisation_id != organisation.id:
            return False
        try:
            wanted = wanted_key(plan.data, plan.hub_days, plan.extra, plan.triage, plan.capacity)
        except NotComparable:
            return False
        return held_key(found, bool(plan.data.venue_coordinates),
                        plan.capacity is not None) == wanted

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
