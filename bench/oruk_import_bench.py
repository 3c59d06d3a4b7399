"""Speed of ``flask oruk import`` on a generated ORUK 3.0 feed file.

Run: ``python bench/oruk_import_bench.py [--services 100000] [--database-url URL]``.
Builds a throw-away SQLite database (or, with ``--database-url``, drops and rebuilds
the schema of that throw-away PostgreSQL database), migrates it, loads the BL
postcodes and the standard needs, writes a feed of N services (20 organisations,
BL venues, one need each) and imports it twice through the CLI: the first run
creates, the second finds every record unchanged. Prints records per second and
the peak memory of this process; meanwhile a provider saves a capacity every 0.2 s
and the slowest save is printed. Goal (issue 15): 100,000 in 60 s on PostgreSQL,
120 s on SQLite, under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub import create_app


def record(n: int, postcodes: list[str], codes: list[str]) -> dict[str, object]:
    return {
        "id": str(uuid.UUID(int=n + 1)), "name": f"Bench service {n:06d}",
        "description": f"<p>Service {n} generated for the import benchmark.</p>"
                       "<ul><li>Drop-in&nbsp;sessions</li><li>Advice by phone</li></ul>",
        "status": "active",
        # Every record its own address, as in real feeds (the importer checks each once).
        "url": f"www.example.org/service/{n}", "email": f"service{n}@org{n % 20}.example.org",
        "minimum_age": n % 10, "maximum_age": 10 + n % 9, "fees": "Free",
        "organization": {"id": str(uuid.UUID(int=10**9 + n % 20)),
                         "name": f"Bench organisation {n % 20}"},
        "attributes": [{"taxonomy_term": {"code": codes[n % len(codes)]}}],
        "languages": [{"name": "English"}],
        "service_at_locations": [{"id": f"sal-{n}", "location": {"addresses": [
            {"address_1": f"{n} Bench Street", "city": "Bolton",
             "postal_code": postcodes[n % len(postcodes)]}]}}],
    }


def write_feed(path: Path, count: int, postcodes: list[str], codes: list[str]) -> None:
    """The feed file, written record by record (the bench's own memory stays small)."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"services": [')
        for n in range(count):
            out.write((", " if n else "") + json.dumps(record(n, postcodes, codes)))
        out.write("]}")


def probe_service(session: Any, codes: list[str]) -> int:
    """A provider's service whose capacity the probe saves during the imports."""
    from services.capacity_ops import update_capacity
    from services.listing_ops import ServiceInput, save_service
    from services.organisations import Organisation, OrganisationKind

    organisation = Organisation(name="Probe provider", kind=OrganisationKind.VOLUNTARY)
    session.add(organisation)
    session.flush()
    service = save_service(session, None, organisation.id, ServiceInput(
        "Probe service", "", codes[:1], 0, 18, delivery_modes=["online"]))
    session.flush()
    update_capacity(session, service, accepting=True, free_places=1, waitlist_length=0,
                    typical_wait_days=None, user_id=None, user_name="bench")
    return int(service.id)


class CapacityProbe(threading.Thread):
    """Saves one service's capacity every 0.2 s through the operations layer, on its own
    connection, as a provider would, and keeps how long each save took (the goal: none
    waits more than 1 s during an import)."""

    def __init__(self, app: Any, service_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.service_id = app, service_id
        self.stop = threading.Event()
        self.waits: list[float] = []
        self.failures = 0

    def run(self) -> None:
        from sqlalchemy.exc import OperationalError
        from sqlalchemy.orm import Session

        from hub.extensions import db
        from services.capacity_ops import update_capacity
        from services.listings import Service

        with self.app.app_context():
            engine = db.engine
        count = 0
        while not self.stop.wait(0.2):
            count += 1
            started = time.perf_counter()
            try:
                with Session(engine) as session:
                    service = session.get(Service, self.service_id)
                    assert service is not None
                    update_capacity(session, service, accepting=True, free_places=count % 50,
                                    waitlist_length=0, typical_wait_days=None, user_id=None,
                                    user_name="bench")
                    session.commit()
            except OperationalError:
                self.failures += 1
            self.waits.append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="oruk-import-bench-"))
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "FAMILY_HUB_DEMO": False,
                      "DATABASE_URL": url})
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import select, text

        from hub.extensions import db
        from routing.gazetteer.importers import import_packaged
        from routing.gazetteer.models import GazetteerPostcode
        from services.taxonomy import Need
        from services.taxonomy_ops import load_standard_needs

        if args.database_url:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        import_packaged(db.session, ["BL"])
        load_standard_needs(db.session)
        db.session.commit()
        probe_id = probe_service(db.session, codes=list(db.session.execute(
            select(Need.code)).scalars()))
        db.session.commit()
        postcodes = [p.postcode for p in db.session.execute(
            select(GazetteerPostcode).limit(2000)).scalars()]
        codes = list(db.session.execute(select(Need.code)).scalars())
        db.session.remove()
    path = folder / "feed.json"
    write_feed(path, args.services, postcodes, codes)
    runner = app.test_cli_runner()
    for label in ("first import (creates)", "second import (unchanged)"):
        probe = CapacityProbe(app, probe_id)
        probe.start()
        started, cpu = time.perf_counter(), time.process_time()
        result = runner.invoke(args=["oruk", "import", str(path)])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        probe.stop.set()
        probe.join()
        print(result.output.splitlines()[0] if result.output else result)
        # On a shared machine the wall clock includes waiting for a core; the CPU time
        # of this process (the importer; not the PostgreSQL server's) does not.
        print(f"{label}: {args.services} records in {seconds:.1f} s = "
              f"{args.services / seconds:.0f} records/s ({cpu:.1f} s CPU in this process; "
              f"load average {os.getloadavg()[0]:.1f})")
        print(f"  meanwhile {len(probe.waits)} capacity saves, slowest "
              f"{max(probe.waits, default=0):.2f} s, {probe.failures} failed")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB ({'PostgreSQL' if args.database_url else 'SQLite'})")


if __name__ == "__main__":
    main()
