"""Grow a demo database to load-test size with bulk inserts through the models' tables.

``grow(session, services=10_000, referrals=50_000)`` adds generated organisations,
services (placed at random Bolton postcodes from the gazetteer, with needs, capacity,
delivery modes and some school hubs), children and referrals in every status with a
'sent' event each, spread over the last 18 months. Ids are assigned here, so each
table is one executemany: 10,000 services and 50,000 referrals take seconds on SQLite.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from routing.gazetteer.models import GazetteerPostcode
from routing.referrals.models import (
    Child,
    DeclineReason,
    Outcome,
    Referral,
    ReferralEvent,
    Status,
)
from services.accounts.models import Role, User
from services.db import Base, utcnow
from services.listings import Capacity, DeliveryMode, Service, ServiceNeed, ServiceSchool
from services.locations import Location
from services.organisations import Organisation, OrganisationKind
from services.schools import School
from services.taxonomy import Need
from services.version import bump_version

# How the historical referrals are spread over the statuses (weights).
STATUS_SPREAD = {
    Status.SENT: 8, Status.OPENED: 8, Status.ACCEPTED: 20, Status.WAITLISTED: 10,
    Status.NEEDS_INFORMATION: 3, Status.DECLINED: 10, Status.IN_PROGRESS: 16,
    Status.CLOSED: 22, Status.WITHDRAWN: 3,
}
KINDS = [OrganisationKind.VOLUNTARY] * 6 + [OrganisationKind.NHS, OrganisationKind.HOUSING,
                                            OrganisationKind.LOCAL_AUTHORITY]
WORDS = ["Family", "Young people's", "Community", "Parent", "Wellbeing", "Early help",
         "Neighbourhood", "Outreach", "Support", "Youth", "Home", "Hub"]
CHUNK = 5_000


@dataclass(frozen=True)
class Grown:
    services: int
    referrals: int
    children: int


def _next_id(session: Session, column: Any) -> int:
    return int(session.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start:start + CHUNK])


def grow(session: Session, services: int = 10_000, referrals: int = 50_000,
         seed: int = 2024) -> Grown:
    """Add services up to ``services`` in total and ``referrals`` referrals; flushes, no commit."""
    rng = random.Random(seed)
    now = utcnow()
    places = list(session.execute(
        select(GazetteerPostcode.postcode, GazetteerPostcode.latitude,
               GazetteerPostcode.longitude, GazetteerPostcode.easting,
               GazetteerPostcode.northing).where(GazetteerPostcode.postcode.like("BL%"))
    ).all())
    codes = list(session.execute(select(Need.code).where(Need.active.is_(True))).scalars())
    school_ids = list(session.execute(select(School.id)).scalars())
    existing = int(session.execute(select(func.count(Service.id))).scalar_one())
    to_add = max(services - existing, 0)

    org_id = _next_id(session, Organisation.id)
    org_count = max(to_add // 25, 1)
    orgs = [
        # Numbered by id, so that growing a grown database again adds new names.
        {"id": org_id + n,
         "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} Bolton {org_id + n:05d}",
         "kind": rng.choice(KINDS), "phone": f"01204 {rng.randint(100000, 999999)}",
         "created_at": now}
        for n in range(org_count)
    ]
    _bulk(session, Organisation, orgs)

    location_id = _next_id(session, Location.id)
    service_id = _next_id(session, Service.id)
    locations, service_rows, needs, capacities, hubs = [], [], [], [], []
    modes = [m.value for m in DeliveryMode]
    for n in range(to_add):
        postcode, lat, lon, east, north = rng.choice(places)
        sid, lid = service_id + n, location_id + n
        locations.append({"id": lid, "name": None, "address": f"{n % 300 + 1} Market Street",
                          "postcode": postcode, "latitude": lat, "longitude": lon,
                          "easting": east, "northing": north})
        low = rng.choice([0, 0, 2, 4, 5, 8, 11])
        chosen_modes = rng.sample(modes, rng.randint(1, 3))
        service_rows.append({
            "id": sid, "organisation_id": orgs[n % org_count]["id"],
            "name": f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} service {n:05d}",
            "description": "A generated service for the load test.", "min_age": low,
            "max_age": min(low + rng.randint(6, 18), 25), "delivery_modes": chosen_modes,
            "languages": ["English"], "opening_times": "Monday to Friday, 9am to 5pm",
            "contact_email": f"service{n}@load.example", "contact_phone": "01204 000000",
            "location_id": lid, "created_at": now, "updated_at": now,
        })
        for code in rng.sample(codes, rng.randint(1, 3)):
            needs.append({"service_id": sid, "need_code": code})
        accepting = rng.random() < 0.85
        capacities.append({
            "service_id": sid, "accepting": accepting,
            "free_places": rng.randint(0, 12) if accepting else 0,
            "waitlist_length": rng.randint(0, 20), "typical_wait_days": rng.randint(5, 60),
            "updated_at": now - timedelta(days=rng.randint(0, 30)),
            "updated_by_name": "Load generator",
        })
        if "school_hub" in chosen_modes and school_ids:
            hubs.append({"service_id": sid, "school_id": rng.choice(school_ids),
                         "days": [rng.choice(["Monday", "Wednesday", "Friday"])]})
    _bulk(session, Location, locations)
    _bulk(session, Service, service_rows)
    _bulk(session, ServiceNeed, needs)
    _bulk(session, Capacity, capacities)
    _bulk(session, ServiceSchool, hubs)
    bump_version(session)
    session.flush()

    grown = Grown(to_add, *_referrals(session, rng, places, referrals, now))
    _advance_sequences(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))  # statistics, as autovacuum would gather them
    return grown


def _advance_sequences(session: Session) -> None:
    """On PostgreSQL, move each table's id sequence past the ids assigned here, so the
    app's own inserts (a new child, a referral) do not collide with them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.autoincrement or table.name == "directory_version":
            continue
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"GREATEST((SELECT MAX(id) FROM \"{table.name}\"), 1))"))


def _referrals(session: Session, rng: random.Random, places: list[Any], count: int,
               now: datetime) -> tuple[int, int]:
    staff = list(session.execute(
        select(User.id, User.name, User.organisation_id).where(User.role == Role.SCHOOL_STAFF)
    ).all())
    school_of = dict(session.execute(select(School.organisation_id, School.id)).all())
    referrers = [(uid, name, school_of[org]) for uid, name, org in staff if org in school_of]
    all_services = list(session.execute(
        select(Service.id, Service.organisation_id, Organisation.name)
        .join(Organisation, Organisation.id == Service.organisation_id)
    ).all())
    links = dict(session.execute(
        select(ServiceNeed.service_id, func.min(ServiceNeed.need_code))
        .group_by(ServiceNeed.service_id)
    ).all())
    child_id = _next_id(session, Child.id)
    referral_id = _next_id(session, Referral.id)
    event_id = _next_id(session, ReferralEvent.id)
    children: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    statuses, weights = zip(*STATUS_SPREAD.items(), strict=True)
    current: dict[str, Any] | None = None
    for n in range(count):
        referrer_id, referrer_name, school_id = rng.choice(referrers)
        if current is None or rng.random() < 0.7:  # about 1.4 referrals a child
            current = {
                "id": child_id + len(children), "first_name": f"Child{n}",
                "last_name": "Load", "school_id": school_id,
                "date_of_birth": date(2008, 1, 1) + timedelta(days=rng.randint(0, 5800)),
                "home_postcode": rng.choice(places)[0], "created_at": now,
            }
            children.append(current)
        sid, org_id, org_name = rng.choice(all_services)
        status = rng.choices(statuses, weights)[0]
        sent = now - timedelta(days=rng.randint(0, 540), minutes=rng.randint(0, 1440))
        rid = referral_id + n
        rows.append({
            "id": rid, "reference": f"LD-{rid:08d}",
            "child_id": current["id"], "school_id": current["school_id"],
            "referrer_id": referrer_id, "service_id": sid, "organisation_id": org_id,
            "needs": [{"code": links.get(sid, "MHW"), "priority": rng.choice([1, 2, 2])}],
            "status": status, "risk_rank": rng.randint(0, 3),
            "holds_place": status in (Status.ACCEPTED, Status.IN_PROGRESS),
            "decline_reason": DeclineReason.NO_CAPACITY if status is Status.DECLINED else None,
            "outcome": next(iter(Outcome)) if status is Status.CLOSED else None,
            "created_at": sent, "sent_at": sent,
            "opened_at": sent + timedelta(days=1) if status is not Status.SENT else None,
            "updated_at": sent + timedelta(days=2),
        })
        events.append({
            "id": event_id + n, "referral_id": rid, "child_id": current["id"],
            "actor_id": referrer_id, "actor_name": referrer_name,
            "organisation_name": org_name, "at": sent, "from_status": Status.DRAFT,
            "to_status": Status.SENT,
        })
    _bulk(session, Child, children)
    _bulk(session, Referral, rows)
    _bulk(session, ReferralEvent, events)
    session.flush()
    return len(rows), len(children)
