"""Fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is
set (CI sets it to PostgreSQL), again on that database.

The schema is built once per backend by running the real migrations; after
each test every table is emptied except the gazetteer, which is reference
data loaded once (the BL postcode area, from the packaged Code-Point Open).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import (
    Engine,
    Integer,
    Table,
    bindparam,
    create_engine,
    exists,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from hub import create_app
from services.db import Base
from services.demo.loader import DemoSummary
from tests.clock import MovableClock
from tests.factories import Cast
from tests.passwords import use_test_parameters


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes several seconds (the capacity race)")
    _share_url_builders()
    _share_compiled_templates()
    # Sign-ins verify cheap Argon2 hashes; a test checks the production parameters.
    use_test_parameters()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each ``xdist_group`` on one worker under ``--dist loadgroup``.

    pytest-xdist's worker names an item's group at the end of its node id
    (``...@group``), which the controller reads to send a group's tests to one worker.
    It does so by setting ``item._nodeid``, which pytest 9.2 no longer reads (a node id
    is now the structured ``item._id``): the groups were silently split across the
    workers, and each half loaded the demo again. This names them the way pytest now
    reads, and does nothing where xdist's own naming took effect.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if not names or "@" in item.nodeid:
            continue
        item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]


def _share_url_builders() -> None:
    """Let every test app share the URL builders Werkzeug compiles for its rules.

    Each test builds its own app, and nearly all of that time is Werkzeug compiling
    a Python function per URL rule (parsing and compiling generated source). The
    function depends only on the rule's text and its defaults, takes the rule as its
    first argument and is bound to each rule afterwards, so apps built from the same
    blueprints can share it. Rules whose defaults fill a URL variable are left alone:
    their builder holds a value converted by that rule's own converter.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    made: dict[object, Any] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        if any(dynamic and name in defaults for dynamic, name in self._trace):
            return compile_builder(self, append_unknown)
        key = (tuple(self._trace), tuple(sorted(defaults)), append_unknown)
        builder = made.get(key)
        if builder is None:
            builder = made[key] = compile_builder(self, append_unknown)
        return builder

    Rule._compile_builder = shared  # type: ignore[method-assign]


def _share_compiled_templates() -> None:
    """Let every test app reuse the Python code Jinja compiled for a template.

    Each test builds its own app, so each parsed and compiled every template it
    rendered again (the GOV.UK macros alone take tens of milliseconds): about a tenth
    of the hostile-input test's time. Jinja's bytecode cache is made for this; the
    code is kept in memory under the template's name and source and the environment's
    settings that shape the code (the syntax, whether it escapes, which filters and
    tests exist), so an app configured differently compiles its own.
    """
    from jinja2 import BytecodeCache, Environment
    from jinja2.bccache import Bucket

    def shape(env: Environment) -> tuple[object, ...]:
        return (env.block_start_string, env.block_end_string, env.variable_start_string,
                env.variable_end_string, env.comment_start_string, env.comment_end_string,
                env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
                env.optimized, env.autoescape if isinstance(env.autoescape, bool)
                else "callable", env.finalize is None, tuple(sorted(env.extensions)),
                tuple(sorted(env.filters)), tuple(sorted(env.tests)))

    class InMemory(BytecodeCache):
        def __init__(self) -> None:
            self.code: dict[tuple[object, ...], bytes] = {}

        def load_bytecode(self, bucket: Bucket) -> None:
            code = self.code.get((bucket.key, bucket.checksum, shape(bucket.environment)))
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket: Bucket) -> None:
            self.code[(bucket.key, bucket.checksum, shape(bucket.environment))] = (
                bucket.bytecode_to_string())

    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": InMemory()}


KEEP_TABLES = {"gazetteer_postcode", "gazetteer_district", "alembic_version"}
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _base_config(url: str, clock: MovableClock | None = None) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "FAMILY_HUB_DEMO": False,
        # Tests edit the directory and search at once; the background rebuild, the
        # default, has tests of its own (tests/routing/test_capacity_patching.py).
        "DIRECTORY_REBUILD_INLINE": True,
        "CLOCK": clock,
        # Jobs run at once, inside the request or command that enqueues them; one test
        # runs a real worker on Redis (tests/hub/jobs/test_worker.py).
        "JOBS_IMMEDIATE": True,
    }


@pytest.fixture(scope="session")
def _migrated() -> dict[str, str]:
    """Each backend's migrated database on this worker, made at its first use."""
    return {}


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 _migrated: dict[str, str]) -> str:
    """A migrated database for this backend, with the BL gazetteer loaded.

    pytest keeps one value of a parametrised fixture at a time: a worker that goes
    from an SQLite test to a PostgreSQL one and back (an xdist group holds both)
    tears this down and sets it up again. Each backend's database is made once and
    kept (every test empties the tables it wrote), so going back costs nothing
    instead of the migrations and the gazetteer again.
    """
    if request.param not in _migrated:
        _migrated[request.param] = _migrate(request.param, tmp_path_factory)
    return _migrated[request.param]


def _migrate(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "test.db"
        url = f"sqlite:///{path}"
    else:
        url = _worker_database(os.environ["TEST_DATABASE_URL"])
        from hub.settings import normalise_database_url

        engine = create_engine(normalise_database_url(url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            # A test database need not survive a crash: its commits do not wait for
            # the disk (each wait is an fsync, milliseconds on a slow disk, and the
            # suite commits tens of thousands of times). Connections made from now on.
            name = connection.execute(text("SELECT current_database()")).scalar_one()
            connection.execute(text(
                f"ALTER DATABASE {connection.dialect.identifier_preparer.quote(name)} "
                "SET synchronous_commit TO off"))
        engine.dispose()
    app = create_app(_base_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        from hub.extensions import db
        from routing.gazetteer.importers import import_packaged

        upgrade()
        import_packaged(db.session, ["BL"])
        db.session.commit()
        db.engine.dispose()
    return url


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the given one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy.engine import make_url

    from hub.settings import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def clock() -> MovableClock:
    """The test app's clock: real time until a test sets it."""
    return MovableClock()


@pytest.fixture
def app(database_url: str, clock: MovableClock) -> Iterator[Flask]:
    app = create_app(_base_config(database_url, clock))
    with app.app_context():
        yield app
        from hub.extensions import db

        db.session.remove()
        _empty_tables(db.engine)
        db.engine.dispose()


# PostgreSQL sequences (with their tables) that have handed out a value since they
# were last restarted.
_USED_SEQUENCES = """
SELECT t.relname, quote_ident(n.nspname) || '.' || quote_ident(s.relname) FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = s.relnamespace
JOIN pg_sequences q ON q.schemaname = n.nspname AND q.sequencename = s.relname
WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  AND n.nspname = current_schema() AND q.last_value IS NOT NULL
"""


def _empty_tables(engine: object) -> None:
    """Delete every row but the kept reference data, and restart the ids.

    Rows are deleted, children first, rather than truncated: a truncation makes new
    files for every table whether or not the test wrote to it (about 150 ms a test
    on PostgreSQL on a slow disk), and nothing here needs to outlive a crash.
    """
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with engine.begin() as connection:  # type: ignore[attr-defined]
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            holding = union_all(*(select(literal(t.name)).where(exists().select_from(t))
                                  for t in tables))
            filled = set(connection.execute(holding).scalars())
            tables = [t for t in tables if t.name in filled]
        # The audit is append-only: a permit older than nothing lets the emptying
        # through the trigger, and goes last.
        connection.execute(text(
            "INSERT INTO audit_purge_permit (before) VALUES ('9999-12-31 00:00:00')"))
        for table in tables:
            if table.name != "audit_purge_permit":
                connection.execute(table.delete())
        connection.execute(text("DELETE FROM audit_purge_permit"))
        if postgres:
            # As TRUNCATE ... RESTART IDENTITY would (SQLite's ids start again by
            # themselves once a table is empty).
            for table, sequence in connection.execute(text(_USED_SEQUENCES)).all():
                if table not in KEEP_TABLES:
                    connection.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})


# The rows the demo load wrote, per database and clock, so that the next module that
# needs the same demo on this worker copies them back instead of loading it again.
_DEMO_COPIES: dict[tuple[str, datetime], tuple[DemoSummary, list[tuple[Table, list[Any]]]]] = {}


@contextmanager
def loaded_demo(database_url: str, now: datetime) -> Iterator[tuple[Session, DemoSummary]]:
    """The demo loaded once into the database, for a module of tests that only read it
    (loading takes seconds); emptied again when the module is done.

    The first module on a worker to ask for the demo at this clock loads it through
    ``load_demo``; the rows it wrote are kept, and a later module's demo is those rows
    inserted again (with their ids), which costs a fraction of a second. Every module
    starts from the demo as loaded, whatever an earlier module wrote.

    Under xdist the module must be one ``xdist_group`` (run with ``--dist loadgroup``,
    as the Makefile does), so that no other test empties the tables in between.
    """
    from hub.extensions import db as handle
    from services.demo.loader import load_demo

    demo_app = create_app(_base_config(database_url))
    with demo_app.app_context():
        session: Session = handle.session  # type: ignore[assignment]
        copy = _DEMO_COPIES.get((database_url, now))
        if copy is None:
            summary = load_demo(session, now=now)
            session.commit()
            _DEMO_COPIES[(database_url, now)] = (summary, _read_rows(handle.engine))
        else:
            summary, rows = copy
            _write_rows(handle.engine, rows)
        try:
            yield session, summary
        finally:
            session.rollback()
            handle.session.remove()
            _empty_tables(handle.engine)
            handle.engine.dispose()


def _emptied_tables() -> list[Table]:
    """The tables emptied after each test, parents first."""
    return [t for t in Base.metadata.sorted_tables if t.name not in KEEP_TABLES]


def _read_rows(engine: Engine) -> list[tuple[Table, list[Any]]]:
    """Every row of every emptied table, each table's in primary-key order (a row that
    refers to another of its table, such as a re-routed referral, comes after it)."""
    with engine.connect() as connection:
        return [(table, [row._mapping for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))])
                for table in _emptied_tables()]


def _write_rows(engine: Engine, rows: list[tuple[Table, list[Any]]]) -> None:
    """Insert rows read by ``_read_rows`` into the emptied tables, keeping their ids;
    on PostgreSQL each sequence then goes on from its table's highest id, as after
    the inserts that first made them."""
    with engine.begin() as connection:
        for table, table_rows in rows:
            if not table_rows:
                continue
            # A row may refer to a later one of its table (a lead handed to the next):
            # such references are filled in once every row is in.
            later = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            connection.execute(table.insert(), [{**row, **dict.fromkeys(later)}
                                                for row in table_rows])
            keys = list(table.primary_key.columns)
            for name in later:
                pointing = [{**{f"_{k.name}": row[k.name] for k in keys}, "_to": row[name]}
                            for row in table_rows if row[name] is not None]
                if pointing:
                    connection.execute(
                        table.update().where(*(k == bindparam(f"_{k.name}") for k in keys))
                        .values({name: bindparam("_to")}), pointing)
        if connection.dialect.name == "postgresql":
            for table, table_rows in rows:
                for column in table.primary_key.columns:
                    if table_rows and isinstance(column.type, Integer):
                        connection.execute(select(func.setval(
                            func.pg_get_serial_sequence(table.name, column.name),
                            select(func.max(column)).scalar_subquery())))


@pytest.fixture
def db(app: Flask) -> Session:
    from hub.extensions import db as handle

    return handle.session  # type: ignore[return-value]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cast(db: Session) -> Cast:
    from tests.factories import make_cast

    return make_cast(db)



