"""PostgreSQL connections that cost what SQLite's cost: few round trips, no needless fsync.

Every statement on PostgreSQL is a round trip to another process (on a busy machine,
a wake-up of the server and then of the worker), where SQLite answers inside the
worker; and every commit that wrote waits for the WAL to reach the disk, where SQLite
(WAL with ``synchronous=NORMAL``, hub.database) does not wait at all. Three rules
keep a request's trips to the statements it needs:

- **No ping per checkout.** A connection idle for more than ``PING_AFTER_IDLE``
  seconds is checked with one ``SELECT 1`` (and replaced if the server dropped it);
  one in steady use is not, so a request does not pay a trip to learn what its first
  statement tells it anyway. (After a server restart under load, the request that
  finds a dead connection fails and the pool drops every connection made before it.)
- **The transaction begins at the first write or lock**, as SQLite's driver begins
  its own: plain reads before it run on their own (under READ COMMITTED each statement
  sees what was committed when it started, in a transaction or not), so a request
  that only reads sends no ``BEGIN`` and no ``COMMIT``. Anything not a plain
  ``SELECT`` (a write, ``FOR UPDATE``/``FOR SHARE``, a savepoint, streamed results,
  textual SQL) begins the transaction first, and the rest of it runs inside.
- **A transaction that only records reads and tries** (new rows in
  ``RECORDS_OF_READS``: the audit of a page view, a failed progress-link check)
  commits without waiting for the disk (``synchronous_commit`` off for that
  transaction only, sent with its ``BEGIN``). A server crash may lose such rows from
  the last fraction of a second (at most three ``wal_writer_delay``), as SQLite in WAL
  with ``synchronous=NORMAL`` may on a power cut; nothing is ever half-written.
  A transaction that changes anything else waits for the disk as before, even when
  an audit row came first.

Connections given an isolation level of their own (``execution_options``) are left
to the driver.
"""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

PING_AFTER_IDLE = 10.0  # seconds
# Tables whose new rows only record that something was read or tried.
RECORDS_OF_READS = frozenset({"audit_event", "progress_attempt"})

# Per connection (``Connection.info``, kept by the pool with the DBAPI connection):
_MANAGED = "family_hub_lazy_begin"  # True while this module owns the transactions
_STATE = "family_hub_transaction"  # None (no transaction), _RECORDS or _DURABLE
_IDLE_SINCE = "family_hub_idle_since"
_RECORDS, _DURABLE, _MIXED = "records", "durable", "mixed"
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.I)


def init_engine(engine: Engine) -> None:
    """Apply the rules above to ``engine``'s connections (PostgreSQL with psycopg only)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    if event.contains(engine, "before_cursor_execute", _before_statement):
        return
    event.listen(engine.pool, "checkout", _checkout)
    event.listen(engine.pool, "checkin", _checkin)
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "commit", _before_commit)
    event.listen(engine, "rollback", _after_end)


def _checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _checkout(dbapi_connection: Any, record: ConnectionPoolEntry,
              proxy: PoolProxiedConnection) -> None:
    # Back from the pool, the connection is outside any transaction (the pool rolled
    # back on return), so autocommit can be switched on without a trip.
    dbapi_connection.autocommit = True
    record.info[_MANAGED] = True
    record.info[_STATE] = None
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE:
        try:
            dbapi_connection.execute("SELECT 1")
        except Exception as error:  # the pool replaces it and tries again
            raise exc.DisconnectionError("connection dropped while idle") from error


def _plain_read(context: ExecutionContext, statement: str) -> bool:
    """A SELECT that takes no lock and needs no cursor kept open in a transaction."""
    compiled = getattr(context, "compiled", None)
    if compiled is None or not getattr(compiled.statement, "is_select", False):
        return False  # textual or driver SQL may do anything: treat it as a write
    options = context.execution_options
    if options.get("stream_results") or options.get("yield_per"):
        return False  # a server-side cursor lives in a transaction
    return _LOCKING.search(statement) is None


def _records_read(context: ExecutionContext) -> bool:
    """An INSERT into one of ``RECORDS_OF_READS``."""
    compiled = getattr(context, "compiled", None)
    table = getattr(getattr(compiled, "statement", None), "table", None)
    return bool(context.isinsert and getattr(table, "name", None) in RECORDS_OF_READS)


def _before_statement(conn: Connection, cursor: Any, statement: str, parameters: Any,
                      context: ExecutionContext, executemany: bool) -> None:
    info = conn.info
    if not info.get(_MANAGED) or "isolation_level" in context.execution_options:
        return
    driver = conn.connection.driver_connection
    if driver is None or not driver.autocommit:
        return  # someone else manages this connection's transactions
    state = info.get(_STATE)
    if _plain_read(context, statement):
        return
    records = _records_read(context)
    if state is None:
        if records:
            # One trip for both: the simple query protocol takes several statements.
            driver.execute("BEGIN; SET LOCAL synchronous_commit TO OFF")
            info[_STATE] = _RECORDS
        else:
            driver.execute("BEGIN")
            info[_STATE] = _DURABLE
    elif state == _RECORDS and not records:
        info[_STATE] = _MIXED


def _before_commit(conn: Connection) -> None:
    info = conn.info
    if info.get(_STATE) == _MIXED:
        driver = conn.connection.driver_connection
        if driver is not None:
            # Something besides records of reads changed: it waits for the disk.
            driver.execute("SET LOCAL synchronous_commit TO ON")
    info[_STATE] = None


def _after_end(conn: Connection) -> None:
    conn.info[_STATE] = None
