"""Latency of the ORUK API over 10,000 services, in-process with the Flask test client.

Run: ``python bench/oruk_bench.py [--services 10000] [--requests 200]``. Builds a
throw-away SQLite database (migrated, BL postcodes loaded), prints p50/p95 of
``/services?page=1`` and of a ``postcode``+``proximity`` query. Goal: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub import create_app

PREFIX = "/api/oruk/v3"


def build(app_services: int, seed: int = 7) -> tuple[object, str]:
    """A migrated temp database holding ``app_services`` services; returns (app, postcode)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from hub.extensions import db
    from routing.gazetteer.importers import import_packaged
    from routing.gazetteer.models import GazetteerPostcode
    from services.listings import Capacity, Service, ServiceNeed
    from services.locations import Location
    from services.organisations import Organisation, OrganisationKind
    from services.taxonomy import Need
    from services.taxonomy_ops import load_standard_needs
    from services.version import bump_version

    folder = tempfile.mkdtemp(prefix="oruk-bench-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "FAMILY_HUB_DEMO": False,
                      "DATABASE_URL": f"sqlite:///{folder}/bench.db"})
    rng = random.Random(seed)
    with app.app_context():
        upgrade()
        import_packaged(db.session, ["BL"])
        load_standard_needs(db.session)
        postcodes = list(db.session.execute(select(GazetteerPostcode).limit(5000)).scalars())
        codes = list(db.session.execute(select(Need.code)).scalars())
        orgs = [Organisation(name=f"Bench organisation {n}", kind=OrganisationKind.VOLUNTARY)
                for n in range(50)]
        db.session.add_all(orgs)
        db.session.flush()
        for n in range(app_services):
            place = rng.choice(postcodes)
            low = rng.randint(0, 12)
            service = Service(
                organisation_id=orgs[n % len(orgs)].id, name=f"Bench service {n:05d}",
                description="A generated service for the benchmark.", min_age=low,
                max_age=low + rng.randint(0, 12), delivery_modes=["venue"],
                languages=["English"], opening_times="Monday to Friday, 9am to 5pm",
                location=Location(address=f"{n} High Street, Bolton", postcode=place.postcode,
                                  latitude=place.latitude, longitude=place.longitude,
                                  easting=place.easting, northing=place.northing),
            )
            service.need_links = [ServiceNeed(need_code=c) for c in rng.sample(codes, 2)]
            service.capacity = Capacity(free_places=rng.randint(0, 5))
            db.session.add(service)
        bump_version(db.session)
        db.session.commit()
        origin = postcodes[len(postcodes) // 2].postcode
    return app, origin


def measure(client: object, url: str, count: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds over ``count`` requests (after one warm-up)."""
    client.get(url)  # type: ignore[attr-defined]
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    started = time.perf_counter()
    app, postcode = build(options.services)
    print(f"built {options.services} services in {time.perf_counter() - started:.1f} s")
    client = app.test_client()  # type: ignore[attr-defined]
    with app.app_context():  # type: ignore[attr-defined]
        for label, url in (
            ("/services?page=1", f"{PREFIX}/services?page=1"),
            (f"postcode={postcode}&proximity=2000",
             f"{PREFIX}/services?postcode={postcode}&proximity=2000"),
        ):
            p50, p95 = measure(client, url, options.requests)
            total = client.get(url).get_json()["total_items"]
            verdict = "ok" if p95 < 50 else "SLOW"
            print(f"{label:<40} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                  f"({total} matches, 50 a page) {verdict}")


if __name__ == "__main__":
    main()
