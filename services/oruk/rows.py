"""New services of an import as plain rows, and the two ways they are written.

A new record becomes one :class:`NewRow` of ready values (JSON already serialised,
enums as stored) while it is read: no ORM objects, no per-value processing by
SQLAlchemy. :func:`write_rows` inserts a chunk of them into the directory's tables
at once (PostgreSQL by ``COPY``, SQLite by ``executemany``).

:class:`SqliteStage` is SQLite's way to keep providers' saves going during a big
import. SQLite has one writer for the whole database, and an import that wrote its
rows in its one transaction would hold that lock for as long as writing them takes.
So the rows go, while the feed is read, into TEMP tables: they belong to the import's
own connection, no other connection sees them, and writing them takes no lock on the
database itself. The import then takes the write lock once and publishes everything
with one ``INSERT … SELECT`` per table, run inside SQLite: a short step, and the
import is still one transaction that leaves nothing behind when it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import Table, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.lifecycle import SYSTEM
from services.listings import Service, ServiceNeed
from services.locations import Location
from services.oruk.models import OrukSource


def dumps(value: Any) -> str:
    """JSON text of ``value``, as the JSON columns store it."""
    return orjson.dumps(value).decode()

LOCATION = cast(Table, Location.__table__)
SERVICE = cast(Table, Service.__table__)
SERVICE_NEED = cast(Table, ServiceNeed.__table__)
ORUK_SOURCE = cast(Table, OrukSource.__table__)
AUDIT_EVENT = cast(Table, AuditEvent.__table__)

LOCATION_COLUMNS = ("name", "address", "postcode", "latitude", "longitude", "easting",
                    "northing")
# A new service's own columns (its id, organisation and location are added on writing).
SERVICE_COLUMNS = (
    "uuid", "name", "description", "min_age", "max_age", "eligibility", "cost",
    "delivery_modes", "languages", "opening_times", "contact_name", "contact_email",
    "contact_phone", "website", "referral_route", "service_area", "service_area_name",
    "active", "help_kinds", "audiences", "need_level", "oruk_extra", "needs_triage",
    "created_at", "updated_at")
SOURCE_COLUMNS = ("record_hash", "fingerprint", "notes")
# As the flush hook (hub/audit_changes.py) audits a service saved one by one.
AUDIT_COLUMNS = ("at", "actor_id", "actor_name", "organisation_id", "organisation_name",
                 "action", "child_id", "referral_id", "subject_type", "subject_id", "detail",
                 "remote_addr", "refused")


class NewRow(NamedTuple):
    """One new service, ready to write: its organisation by the feed's reference."""

    ref: str
    organisation_ref: str
    location: tuple[Any, ...] | None
    service: tuple[Any, ...]
    needs: Sequence[str]
    source: tuple[str | None, str | None, str | None]


def stored_time(session: Session, at: datetime) -> Any:
    """``at`` as the database's DateTime columns store it (text on SQLite)."""
    dialect = session.get_bind().dialect
    process = SERVICE.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(at) if process is not None else at


def _new_ids(session: Session, table: Table, count: int) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        return list(session.execute(
            sql_text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                     "FROM generate_series(1, :count)"),
            {"table": table.name, "count": count}).scalars())
    # Numbered as SQLite numbers rows itself (one more than the largest id; the tables
    # have no AUTOINCREMENT), inside the import's write transaction: another writer
    # inserting first would make this one fail, never collide.
    start = session.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(start + 1, start + 1 + count))


def _insert(session: Session, table: Table, columns: Sequence[str],
            rows: Sequence[Sequence[Any]]) -> None:
    """Insert ready ``rows`` (values in ``columns`` order): on PostgreSQL by COPY (one
    statement, not a round of the pipeline per row), else one executemany."""
    if not rows:
        return
    connection = session.connection()
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in columns)
    if connection.dialect.name != "postgresql":
        marks = ", ".join("?" for _ in columns)
        # Table and column names are our own constants; the values are parameters.
        statement = f"INSERT INTO {preparer.quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608
        connection.exec_driver_sql(statement, cast(Any, list(rows)))
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {preparer.quote(table.name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def audit_rows(service_ids: Sequence[int], action: str, detail: str,
               at: Any) -> list[tuple[Any, ...]]:
    """Audit rows saying the import (the system) did ``action`` to these services."""
    return [(at, None, SYSTEM.name, None, SYSTEM.organisation_name, action, None, None,
             "service", str(service_id), detail, "", False) for service_id in service_ids]


def write_audit(session: Session, rows: list[tuple[Any, ...]]) -> None:
    _insert(session, AUDIT_EVENT, AUDIT_COLUMNS, rows)


def write_rows(session: Session, source: str, rows: Sequence[NewRow],
               organisation_ids: Sequence[int], at: Any) -> list[int]:
    """Insert these new services (with their venues, needs, source links and audit
    rows) into the directory's tables, one statement per table; their new ids."""
    session.flush()
    located = [row.location for row in rows if row.location is not None]
    location_ids = iter(_new_ids(session, LOCATION, len(located)) if located else [])
    service_ids = _new_ids(session, SERVICE, len(rows))
    locations, services = [], []
    for row, organisation_id, service_id in zip(rows, organisation_ids, service_ids,
                                                strict=True):
        location_id = None
        if row.location is not None:
            location_id = next(location_ids)
            locations.append((location_id, *row.location))
        services.append((service_id, organisation_id, location_id, *row.service))
    _insert(session, LOCATION, ("id", *LOCATION_COLUMNS), locations)
    _insert(session, SERVICE, ("id", "organisation_id", "location_id", *SERVICE_COLUMNS),
            services)
    _insert(session, SERVICE_NEED, ("service_id", "need_code"),
            [(service_id, code) for service_id, row in zip(service_ids, rows, strict=True)
             for code in row.needs])
    _insert(session, ORUK_SOURCE, ("source", "source_ref", "service_id", *SOURCE_COLUMNS),
            [(source, row.ref, service_id, *row.source)
             for service_id, row in zip(service_ids, rows, strict=True)])
    write_audit(session, audit_rows(service_ids, "service_created", "", at))
    return service_ids


def _column_list(columns: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in columns)


# The staging connection's page cache, in KiB.
CACHE_KIB = 64 * 1024
# Publishing the staged rows (names are our own constants; values are parameters).
_PUBLISH_LOCATIONS = (
    f"INSERT INTO main.location (id, {_column_list(LOCATION_COLUMNS)}) "  # noqa: S608  # nosec B608
    f"SELECT n + ?, {_column_list(LOCATION_COLUMNS)} FROM temp.stage_location ORDER BY n")
_PUBLISH_SERVICES = (
    f"INSERT INTO main.service (id, organisation_id, location_id, "  # noqa: S608  # nosec B608
    f"{_column_list(SERVICE_COLUMNS)}) SELECT s.n + ?, o.id, "
    "CASE WHEN s.location_n IS NULL THEN NULL ELSE s.location_n + ? END, "
    + ", ".join(f's."{name}"' for name in SERVICE_COLUMNS)
    + " FROM temp.stage_service s JOIN temp.stage_organisation o "
    "ON o.organisation_key = s.organisation_key ORDER BY s.n")
_PUBLISH_NEEDS = ("INSERT INTO main.service_need (service_id, need_code) "
                  "SELECT n + ?, need_code FROM temp.stage_need")
_PUBLISH_SOURCES = (
    f"INSERT INTO main.oruk_source (source, source_ref, service_id, "  # noqa: S608  # nosec B608
    f"{_column_list(SOURCE_COLUMNS)}) SELECT ?, ref, n + ?, "
    f"{_column_list(SOURCE_COLUMNS)} FROM temp.stage_service ORDER BY n")
_PUBLISH_AUDIT = (
    f"INSERT INTO main.audit_event ({_column_list(AUDIT_COLUMNS)}) "  # noqa: S608  # nosec B608
    "SELECT ?, NULL, ?, NULL, ?, 'service_created', NULL, NULL, 'service', "
    "CAST(n + ? AS TEXT), '', '', 0 FROM temp.stage_service ORDER BY n")


class SqliteStage:
    """New services staged in TEMP tables of the import's connection (see the module's
    docstring), published by :meth:`publish` under the write lock."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0
        self.located = 0
        # The feed's organisation references, numbered as staged.
        self.organisations: dict[str, int] = {}
        self.drop()  # left by an import that failed on this pooled connection
        connection = session.connection()
        # A bigger page cache for this connection while it stages and publishes (up to
        # 64 MB, used only as needed): the new rows' index pages stay in memory instead
        # of being read and written again, which keeps the step under the lock short.
        self.cache_size = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
        connection.exec_driver_sql(f"PRAGMA cache_size = {-CACHE_KIB}")
        for statement in (
                f"CREATE TEMP TABLE stage_location (n INTEGER PRIMARY KEY, "
                f"{_column_list(LOCATION_COLUMNS)})",
                f"CREATE TEMP TABLE stage_service (n INTEGER PRIMARY KEY, organisation_key "
                f"INTEGER, location_n INTEGER, ref, {_column_list(SOURCE_COLUMNS)}, "
                f"{_column_list(SERVICE_COLUMNS)})",
                "CREATE TEMP TABLE stage_need (n INTEGER, need_code)",
                "CREATE TEMP TABLE stage_organisation (organisation_key INTEGER PRIMARY KEY, "
                "id INTEGER)"):
            connection.exec_driver_sql(statement)

    def add(self, rows: Sequence[NewRow]) -> None:
        """Stage these new services (in the import's connection only; no lock taken)."""
        locations: list[tuple[Any, ...]] = []
        services: list[tuple[Any, ...]] = []
        needs: list[tuple[int, str]] = []
        for row in rows:
            self.count += 1
            location_n = None
            if row.location is not None:
                self.located += 1
                location_n = self.located
                locations.append((location_n, *row.location))
            key = self.organisations.setdefault(row.organisation_ref, len(self.organisations))
            services.append((self.count, key, location_n, row.ref, *row.source, *row.service))
            needs.extend((self.count, code) for code in row.needs)
        connection = self.session.connection()
        for table, values in (("stage_location", locations), ("stage_service", services),
                              ("stage_need", needs)):
            if values:
                marks = ", ".join("?" for _ in values[0])
                statement = f"INSERT INTO temp.{table} VALUES ({marks})"  # noqa: S608  # nosec B608
                connection.exec_driver_sql(statement, cast(Any, values))

    def publish(self, source: str, organisation_ids: dict[str, int], at: Any) -> None:
        """Insert everything staged into the directory's tables, numbering the rows as
        SQLite would (one more than the largest id); call under the write lock.
        ``organisation_ids``: each staged organisation reference's organisation."""
        if not self.count:
            return
        connection = self.session.connection()
        connection.exec_driver_sql(
            "INSERT INTO temp.stage_organisation VALUES (?, ?)",
            cast(Any, [(key, organisation_ids[ref]) for ref, key in self.organisations.items()]))
        location_base = self.session.execute(select(func.max(LOCATION.c.id))).scalar() or 0
        service_base = self.session.execute(select(func.max(SERVICE.c.id))).scalar() or 0
        run = connection.exec_driver_sql
        run(_PUBLISH_LOCATIONS, (location_base,))
        run(_PUBLISH_SERVICES, (service_base, location_base))
        run(_PUBLISH_NEEDS, (service_base,))
        run(_PUBLISH_SOURCES, (source, service_base))
        run(_PUBLISH_AUDIT, (at, SYSTEM.name, SYSTEM.organisation_name, service_base))

    def drop(self) -> None:
        """Remove the staging tables: the connection goes back to the pool with them
        otherwise. After a failure the caller's rollback (or the next import) does."""
        try:
            connection = self.session.connection()
            for table in ("stage_location", "stage_service", "stage_need",
                          "stage_organisation"):
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table}")
            if getattr(self, "cache_size", 0):
                connection.exec_driver_sql(f"PRAGMA cache_size = {self.cache_size}")
        except SQLAlchemyError:
            pass
