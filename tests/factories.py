"""Factory functions for test data, and a fixed cast of users per role."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, timedelta

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.gazetteer.lookup import geocode
from services.accounts.models import TWO_FACTOR_ROLES, Role, User
from services.db import utcnow
from services.listings import Capacity, ReferralRoute, Service, ServiceNeed, ServiceSchool
from services.locations import Location
from services.organisations import Organisation, OrganisationKind
from services.schools import School, SchoolPhase
from services.taxonomy_ops import load_standard_needs
from services.version import bump_version
from tests.passwords import TEST_HASHER

PASSWORD = "correct horse battery staple"
# Every factory user whose role must use a second factor has it enrolled with this secret;
# ``login`` answers the code step with it.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Hashed with the tests' cheap Argon2 parameters (tests/passwords.py), once.
PASSWORD_HASH = TEST_HASHER.hash(PASSWORD)
_counter = itertools.count(1)


def make_org(session: Session, name: str | None = None,
             kind: OrganisationKind = OrganisationKind.VOLUNTARY) -> Organisation:
    org = Organisation(name=name or f"Organisation {next(_counter)}", kind=kind)
    session.add(org)
    session.flush()
    return org


def make_location(session: Session, postcode: str = "BL1 1SE", address: str = "") -> Location:
    place = geocode(session, postcode)
    location = Location(
        address=address or f"{next(_counter)} High Street, Bolton",
        postcode=place.postcode,
        latitude=place.latitude,
        longitude=place.longitude,
        easting=place.easting,
        northing=place.northing,
    )
    session.add(location)
    session.flush()
    return location


def make_school(session: Session, name: str | None = None, postcode: str = "BL1 4QF",
                phase: SchoolPhase = SchoolPhase.PRIMARY) -> School:
    n = next(_counter)
    name = name or f"School {n}"
    org = make_org(session, name, OrganisationKind.SCHOOL)
    school = School(urn=f"9{n:05d}", name=name, phase=phase, organisation_id=org.id,
                    location=make_location(session, postcode))
    session.add(school)
    session.flush()
    return school


def make_service(
    session: Session,
    organisation: Organisation | None = None,
    *,
    name: str | None = None,
    needs: tuple[str, ...] = ("MHW",),
    min_age: int | None = 0,
    max_age: int | None = 18,
    postcode: str | None = "BL1 1SE",
    modes: tuple[str, ...] = ("venue",),
    cost: str | None = "Free",
    languages: tuple[str, ...] = ("English",),
    route: ReferralRoute = ReferralRoute.SYSTEM,
    accepting: bool = True,
    free_places: int = 3,
    waitlist: int = 0,
    typical_wait_days: int | None = 14,
    updated_days_ago: int = 1,
    hubs: tuple[School, ...] = (),
    hub_days: tuple[str, ...] = ("Tuesday",),
    hubs_requested: bool = False,
    area: dict | None = None,
    kinds: tuple[str, ...] = (),
    audiences: tuple[str, ...] = (),
    level: str = "",
) -> Service:
    load_standard_needs(session)
    organisation = organisation or make_org(session, kind=OrganisationKind.NHS)
    service = Service(
        organisation_id=organisation.id,
        name=name or f"Service {next(_counter)}",
        description="Helps families.",
        min_age=min_age,
        max_age=max_age,
        cost=cost,
        delivery_modes=list(modes),
        languages=list(languages),
        referral_route=route,
        location=make_location(session, postcode) if postcode else None,
        service_area=area,
        help_kinds=list(kinds),
        audiences=list(audiences),
        need_level=level,
    )
    service.need_links = [ServiceNeed(need_code=code) for code in needs]
    service.hubs = [ServiceSchool(school_id=s.id, days=list(hub_days),
                                  agreed_at=None if hubs_requested else utcnow(),
                                  agreed_by_name="" if hubs_requested else "Test school")
                    for s in hubs]
    service.capacity = Capacity(
        accepting=accepting,
        free_places=free_places,
        waitlist_length=waitlist,
        typical_wait_days=typical_wait_days,
        updated_at=utcnow() - timedelta(days=updated_days_ago),
        updated_by_name="Test team",
    )
    session.add(service)
    bump_version(session)
    session.flush()
    return service


def make_user(session: Session, role: Role, organisation: Organisation,
              email: str | None = None, name: str | None = None) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.test",
        name=name or f"{role.label} {n}",
        password_hash=PASSWORD_HASH,
        role=role,
        organisation_id=organisation.id,
        totp_secret=TOTP_SECRET if role in TWO_FACTOR_ROLES else None,
    )
    session.add(user)
    session.flush()
    return user


@dataclass
class Cast:
    """A fixed cast: two schools, two providers, and a user for every role."""

    school: School
    other_school: School
    provider: Organisation
    other_provider: Organisation
    council: Organisation
    coordinator: User
    staff: User
    dsl: User
    other_staff: User
    manager: User
    worker: User
    other_manager: User


def make_cast(session: Session) -> Cast:
    load_standard_needs(session)
    school = make_school(session, "Castle Hill Primary School", "BL2 2JU")
    other = make_school(session, "Moss Lane Academy", "BL4 7BE", SchoolPhase.SECONDARY)
    provider = make_org(session, "Bolton Wellbeing NHS Trust", OrganisationKind.NHS)
    other_provider = make_org(session, "Bolton Families Charity", OrganisationKind.VOLUNTARY)
    council = make_org(session, "Bolton Council", OrganisationKind.LOCAL_AUTHORITY)
    cast = Cast(
        school=school,
        other_school=other,
        provider=provider,
        other_provider=other_provider,
        council=council,
        coordinator=make_user(session, Role.COORDINATOR, council, "coord@example.test"),
        staff=make_user(session, Role.SCHOOL_STAFF, school.organisation, "staff@example.test"),
        dsl=make_user(session, Role.SAFEGUARDING_LEAD, school.organisation, "dsl@example.test"),
        other_staff=make_user(session, Role.SCHOOL_STAFF, other.organisation,
                              "other.staff@example.test"),
        manager=make_user(session, Role.PROVIDER_MANAGER, provider, "manager@example.test"),
        worker=make_user(session, Role.PROVIDER_WORKER, provider, "worker@example.test"),
        other_manager=make_user(session, Role.PROVIDER_MANAGER, other_provider,
                                "other.manager@example.test"),
    )
    session.commit()
    return cast


def login(client: FlaskClient, user: User) -> None:
    """Sign the test client in as ``user`` through the real log-in form."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].endswith("/login/code"):
        response = client.post("/login/code", data={"code": next_code(client, user)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


def next_code(client: FlaskClient, user: User, secret: str = TOTP_SECRET) -> str:
    """The authenticator code the app accepts next for ``user``: the current step's, or
    the next step's when this one was used (each step's code is good once)."""
    from hub.extensions import db
    from hub.settings import settings_of

    step_now = int(settings_of(client.application).clock().replace(
        tzinfo=UTC).timestamp()) // 30
    last = db.session.execute(
        select(User.totp_last_step).where(User.id == user.id)).scalar_one()
    step = max(step_now, (last if last is not None else -1) + 1)
    assert step <= step_now + 1, "signed in as this user too often within 30 s"
    return pyotp.TOTP(secret).at(step * 30)
