"""The directory snapshot: how long a worker's full read takes, how long a capacity change
takes to reach its running index, and how much memory the index holds.

Run: ``python bench/snapshot_bench.py [--services 10000,100000] [--database-url URL]``.
Builds a throw-away database (SQLite in a temp folder, or the PostgreSQL database given,
whose ``public`` schema is dropped), grows it to each size with the load test's
generator, and prints per size: the snapshot read (best of 3, and per 10,000 services;
goal at most 0.3 s per 10,000 on both databases; ``cpu s`` is this process's CPU time
for it, which waiting for a busy machine's cores does not inflate, and which leaves out
PostgreSQL's own work), the index build, the index's memory
(traced allocations; goal under 150 MB at 100,000 services), and the time from one
request to the next when capacity changed in between (``read_position`` plus the patch;
one change, and five), against the full read and build it replaces.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from hub import create_app
from hub.settings import normalise_database_url

PATCH_ROUNDS = 40


def _fresh_database(url: str | None) -> str:
    if url is None:
        return f"sqlite:///{tempfile.mkdtemp(prefix='snapshot-bench-')}/bench.db"
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", default="10000,100000",
                        help="comma-separated directory sizes, grown in turn")
    parser.add_argument("--database-url", default=None,
                        help="a throw-away PostgreSQL database (its schema is dropped)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.services.split(",")]
    url = _fresh_database(args.database_url)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from bench.load.grow import grow
    from hub.extensions import db
    from routing.engine import DirectoryIndex
    from routing.gazetteer.importers import import_packaged
    from routing.referrals import capacity as places
    from routing.referrals.history import measured_waits
    from routing.snapshot import SnapshotCache, read_directory
    from services.listings import Capacity
    from services.taxonomy_ops import load_standard_needs

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "FAMILY_HUB_DEMO": False,
                      "DATABASE_URL": url})
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"{'database':>10} {'services':>8} {'read s':>7} {'s/10k':>6} {'cpu s':>6} "
          f"{'build s':>7} {'index MB':>8} {'1 change ms':>11} {'5 changes ms':>12} {'full s':>7}")
    worst_per_10k = 0.0
    index_mb_at = {}
    with app.app_context():
        session = db.session
        upgrade()
        import_packaged(session, ["BL"])
        load_standard_needs(session)
        session.commit()
        for size in sizes:
            grow(session, size, 0, seed=size)
            session.commit()
            reads, cpu = [], []
            for _ in range(3):
                started, started_cpu = time.perf_counter(), time.process_time()
                read = read_directory(session, measured_waits)  # type: ignore[arg-type]
                reads.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                session.rollback()
            read_s, cpu_s = min(reads), min(cpu)
            per_10k = read_s * 10_000 / len(read.snapshot.services)
            worst_per_10k = max(worst_per_10k, per_10k)
            gc.collect()
            tracemalloc.start()
            started = time.perf_counter()
            index = DirectoryIndex.build(read.snapshot)
            build_s = time.perf_counter() - started
            index_mb = tracemalloc.get_traced_memory()[0] / 1e6
            tracemalloc.stop()
            index_mb_at[size] = index_mb
            del index

            cache = SnapshotCache(measured_waits=measured_waits)  # type: ignore[arg-type]
            cache.get(session).index()  # type: ignore[arg-type]
            session.commit()
            ids = list(session.execute(
                select(Capacity.service_id).where(Capacity.free_places > 0).limit(400)).scalars())
            for service_id in ids[:60]:  # a first minute of changes, then statistics
                places.free_place(session, service_id)  # type: ignore[arg-type]
                session.commit()
            if backend == "postgresql":
                # As autovacuum would have: without statistics the planner guesses a third
                # of the log is new and hashes the whole capacity table.
                session.execute(text("ANALYZE"))
                session.commit()
            cache.get(session).index()  # type: ignore[arg-type]
            figures = {}
            for batch in (1, 5):
                timings = []
                for round_ in range(PATCH_ROUNDS):
                    for k in range(batch):
                        service_id = ids[(round_ * batch + k) % len(ids)]
                        if not places.take_place(session, service_id):  # type: ignore[arg-type]
                            places.free_place(session, service_id)  # type: ignore[arg-type]
                    session.commit()
                    started = time.perf_counter()
                    cache.get(session).index()  # type: ignore[arg-type]
                    timings.append(time.perf_counter() - started)
                    session.commit()
                figures[batch] = statistics.median(timings) * 1000
            assert cache.builds == 1, "a capacity change rebuilt the snapshot"
            print(f"{backend:>10} {len(read.snapshot.services):>8} {read_s:>7.2f} "
                  f"{per_10k:>6.3f} {cpu_s:>6.2f} {build_s:>7.2f} {index_mb:>8.1f} "
                  f"{figures[1]:>11.2f} {figures[5]:>12.2f} {read_s + build_s:>7.2f}", flush=True)
        db.engine.dispose()
    largest = max(index_mb_at)
    print(f"snapshot bench ({backend}): read at most {worst_per_10k:.3f} s per 10,000 services "
          f"(goal 0.3): {'met' if worst_per_10k <= 0.3 else 'NOT MET'}; index at "
          f"{largest:,} services {index_mb_at[largest]:.1f} MB (goal < 150 MB at 100,000): "
          f"{'met' if index_mb_at[largest] < 150 or largest < 100_000 else 'NOT MET'}; "
          f"each capacity change patched, never rebuilt (median of {PATCH_ROUNDS} requests "
          "after a change, read_position and patch included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
