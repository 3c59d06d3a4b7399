"""Per-connection database settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session


def prepare_sqlite_file(database_url: str) -> None:
    """Create an SQLite database file readable by its owner only (0600), and tighten
    one made earlier, with its WAL and shared-memory files.

    SQLite gives the -wal and -shm files the database file's permissions, so creating
    the file 0600 before the first connection keeps all three private: they hold
    children's names. Does nothing for other databases or an in-memory one.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL lets readers and one writer share an SQLite file across gunicorn workers;
    busy_timeout makes a blocked writer wait instead of failing at once."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def one_transaction(engine: Engine, *, read_first: bool = False) -> Iterator[Session]:
    """A session whose work is one database transaction, savepoints included.

    On SQLite this applies SQLAlchemy's documented pysqlite recipe to this one
    connection only: the driver's own transaction handling is switched off and
    ``BEGIN IMMEDIATE`` is emitted when the session begins, so ``begin_nested``
    savepoints nest inside it instead of committing on release. (Switched on for
    every connection, deferred reads would turn into busy errors under load.)

    With ``read_first`` the session begins reading in a plain ``BEGIN`` (one
    snapshot, no write lock: SQLite has one writer for the whole database) and may
    write only after :func:`start_writing`. Nothing is kept unless the caller
    commits the session; the connection is rolled back and restored on the way out.
    """
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        mode = ["BEGIN" if read_first else "BEGIN IMMEDIATE"]
        if sqlite:
            connection.rollback()
            driver.isolation_level = None  # type: ignore[union-attr]

            def begin(conn: Connection) -> None:
                conn.exec_driver_sql(mode[0])

            event.listen(connection, "begin", begin)
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                if sqlite and read_first:
                    session.info[_START_WRITING] = lambda: _begin_immediate(session, mode)
                yield session
        finally:
            if connection.in_transaction():
                connection.rollback()
            if sqlite:
                event.remove(connection, "begin", begin)
                driver.isolation_level = ""  # type: ignore[union-attr]


_START_WRITING = "start_writing"


def start_writing(session: Session) -> None:
    """End a ``read_first`` session's reading and begin its one write transaction.

    On SQLite the read transaction (which wrote nothing) ends and ``BEGIN
    IMMEDIATE`` takes the write lock, waiting for other writers up to the busy
    timeout; what was read may have changed meanwhile, so the caller checks. On
    PostgreSQL reading takes no lock a writer waits on and the transaction goes on.
    Raises RuntimeError when something was written while reading.
    """
    hook = session.info.pop(_START_WRITING, None)
    if hook is not None:
        hook()


def _begin_immediate(session: Session, mode: list[str]) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("an import wrote while reading; nothing is kept")
    # The read transaction wrote nothing: ending it keeps nothing and loses nothing. It
    # is ended on the driver, under the session's own transaction (the pysqlite recipe
    # leaves BEGIN and COMMIT to us), so the session and its loaded rows carry on and
    # the caller's one commit ends the write transaction begun here.
    connection = session.connection()
    connection.exec_driver_sql("COMMIT")
    mode[0] = "BEGIN IMMEDIATE"
    connection.exec_driver_sql(mode[0])
