"""What one request costs, in-process: the worker's CPU, statements and round trips.

Run: ``python bench/load/per_request.py --database-url URL [--prepare] [--scenario search]``

One client in a loop (the Flask test client, CSRF on, a real sign-in) sends
``--requests`` requests after ``--warmup`` uncounted ones to an app built as
gunicorn builds it, on a grown copy of the demo (``--prepare`` builds it first, as
``make load`` does: the database's public schema is dropped; for SQLite give a file
path URL). Unlike the load test, its figures hardly depend on how busy the machine
is: the CPU the app spends inside each request (``time.thread_time`` around the WSGI
call, so the test client's own work is left out), the SQL statements SQLAlchemy
sends and, on PostgreSQL, the round trips psycopg makes (statements, plus the
``BEGIN`` and ``COMMIT`` hub.postgres sends itself). ``--profile FILE`` writes a
cProfile of the counted requests and prints the top functions.

Scenarios: ``search`` (staff POST /search, as bench/load/run.py draws them) and
``family`` (a family's POST /progress/<token> with the right date of birth).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.run import (  # noqa: E402
    PASSWORD,
    STAFF,
    _postcodes,
    issue_progress_links,
    prepare_database,
    search_form,
)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Counts:
    """Statements and round trips, counted by hooks on the engine and the driver."""

    def __init__(self) -> None:
        self.statements = 0
        self.trips = 0


@contextmanager
def counted(engine: Any) -> Iterator[Counts]:
    from sqlalchemy import event

    counts = Counts()

    def statement(*_args: Any) -> None:
        counts.statements += 1

    event.listen(engine, "before_cursor_execute", statement)
    undo: list[Callable[[], None]] = []
    if engine.dialect.name == "postgresql":
        import psycopg
        from psycopg.pq import TransactionStatus

        execute, commit, rollback = (psycopg.Cursor.execute, psycopg.Connection.commit,
                                     psycopg.Connection.rollback)

        def counted_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
            counts.trips += 1
            return execute(self, *args, **kwargs)

        def ending(method: Callable[..., Any]) -> Callable[..., Any]:
            def call(self: Any) -> Any:
                # psycopg sends nothing when no transaction is open (autocommit reads).
                if self.pgconn.transaction_status != TransactionStatus.IDLE:
                    counts.trips += 1
                return method(self)
            return call

        psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign,assignment]
        psycopg.Connection.commit = ending(commit)  # type: ignore[method-assign]
        psycopg.Connection.rollback = ending(rollback)  # type: ignore[method-assign]

        def restore() -> None:
            psycopg.Cursor.execute = execute  # type: ignore[method-assign]
            psycopg.Connection.commit = commit  # type: ignore[method-assign]
            psycopg.Connection.rollback = rollback  # type: ignore[method-assign]
        undo.append(restore)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        for step in undo:
            step()


def _token(text: str) -> str:
    match = CSRF.search(text)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def main() -> int:
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1")
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL"),
                        required="LOAD_DATABASE_URL" not in os.environ)
    parser.add_argument("--prepare", action="store_true",
                        help="build the grown database first (drops its public schema)")
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--scenario", choices=("search", "family"), default="search")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", help="write a cProfile of the counted requests here")
    parser.add_argument("--seed", type=int, default=1,
                        help="draws the same searches each run (the work compares)")
    parser.add_argument("--secret", default="per-request-bench-secret-key-0123456789abcdef")
    options = parser.parse_args()
    url: str = options.database_url
    env = {k: v for k, v in os.environ.items() if k != "FAMILY_HUB_DEMO"}
    env.update(SECRET_KEY=options.secret, SESSION_COOKIE_SECURE="0", FLASK_APP="wsgi:app")
    if options.prepare:
        # SQLite: the grown copy is made as load.db in the given file's folder.
        sqlite = url.startswith("sqlite")
        folder = Path(url.split("///", 1)[1]).parent if sqlite else Path(tempfile.mkdtemp())
        folder.mkdir(parents=True, exist_ok=True)
        url = prepare_database(folder, None if sqlite else url, options.services,
                               options.referrals, env)
        print(f"prepared {url}", flush=True)

    from hub import create_app
    from hub.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": options.secret,
                      "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    rng = random.Random(options.seed)
    send: Callable[[], tuple[int, str]]
    marker: str
    if options.scenario == "search":
        token = _token(client.get("/login").get_data(as_text=True))
        signed_in = client.post("/login", data={"csrf_token": token, "email": STAFF,
                                                "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code
        token = _token(client.get("/search").get_data(as_text=True))
        postcodes = _postcodes(url, options.secret)
        forms = [search_form(token, rng.choice(postcodes), rng)
                 for _ in range(options.requests + options.warmup)]
        # Steady state, as under wrk (which repeats 500 searches): every postcode the
        # counted searches use is placed (and kept by the worker) during the warm-up.
        used = {dict(form)["postcode"] for form in forms[:options.requests]}
        forms += [search_form(token, postcode, rng) for postcode in sorted(used)]
        options.warmup += len(used)
        marker = 'id="results-map"'

        def send() -> tuple[int, str]:
            response = client.post("/search", data=_multidict(forms.pop()))
            return response.status_code, response.get_data(as_text=True)
    else:
        links = issue_progress_links(url, options.secret, 50)
        families = []
        for link, born in links:
            family = app.test_client()
            csrf = _token(family.get(f"/progress/{link}").get_data(as_text=True))
            families.append((family, link, {"csrf_token": csrf, "dob-day": str(born.day),
                                            "dob-month": str(born.month),
                                            "dob-year": str(born.year)}))
        marker = "Reference"

        def send() -> tuple[int, str]:
            family, link, form = rng.choice(families)
            response = family.post(f"/progress/{link}", data=form)
            return response.status_code, response.get_data(as_text=True)

    inner = app.wsgi_app
    spent = [0.0]

    def timed(environ: Any, start_response: Any) -> Any:
        began = time.thread_time()
        try:
            return inner(environ, start_response)
        finally:
            spent[0] += time.thread_time() - began

    app.wsgi_app = timed  # type: ignore[method-assign]
    for _ in range(options.warmup):
        status, text = send()
        if status != 200 or marker not in text:
            raise SystemExit(f"warm-up request failed: HTTP {status}")
    with app.app_context():
        engine = db.engine
    profiler = cProfile.Profile() if options.profile else None
    spent[0] = 0.0
    with counted(engine) as counts:
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(options.requests):
            status, text = send()
            if status != 200 or marker not in text:
                raise SystemExit(f"request failed: HTTP {status}")
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = options.requests
    trips = (f", round trips {counts.trips / n:.2f}"
             if engine.dialect.name == "postgresql" else "")
    print(f"{options.scenario} on {engine.dialect.name}: {n} requests; per request: "
          f"app CPU {spent[0] * 1000 / n:.2f} ms, process CPU {cpu * 1000 / n:.2f} ms, "
          f"wall {wall * 1000 / n:.2f} ms, statements {counts.statements / n:.2f}{trips}")
    if profiler:
        profiler.dump_stats(options.profile)
        stats = pstats.Stats(options.profile)
        # Python function calls a request: a measure of the work that no other load on
        # the machine changes (the CPU time above moves by a third on a busy machine).
        print(f"function calls per request (cProfile): {stats.total_calls / n:,.0f}")  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    with app.app_context():
        db.engine.dispose()
    return 0


def _multidict(form: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict(form)


if __name__ == "__main__":
    sys.exit(main())
