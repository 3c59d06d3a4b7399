"""Load the Bolton demo family-hub area into a database session.

The caller loads the gazetteer first (every demo postcode is geocoded through it)
and commits afterwards: ``load_demo`` only adds and flushes, so a failure leaves
nothing half-written once the caller rolls back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.auth.models import Role, User
from hub.auth.operations import create_user
from hub.demo.dataset import (
    AREAS,
    COORDINATOR_EMAIL,
    DEMO_PASSWORD,
    ORGANISATIONS,
    SCHOOLS,
    SERVICES,
    USERS,
    ServiceSpec,
    VenueSpec,
)
from routing.gazetteer.lookup import geocode
from routing.geo import Place, PostcodeError
from services.db import utcnow
from services.listings import (
    Capacity,
    DeliveryMode,
    ReferralRoute,
    Service,
    ServiceNeed,
    ServiceSchool,
)
from services.locations import Location
from services.organisations import Organisation, OrganisationKind
from services.schools import School, SchoolPhase
from services.taxonomy import Need
from services.taxonomy_ops import load_standard_needs
from services.version import bump_version

E = TypeVar("E", bound=enum.Enum)


class DemoDataError(RuntimeError):
    """Raised when the demo cannot be loaded: a postcode missing from the gazetteer,
    or a dataset entry naming an unknown need, enum value, organisation or school."""


@dataclass(frozen=True)
class DemoSummary:
    """How many records one call to ``load_demo`` created.

    ``organisations`` includes each school's own organisation.
    """

    organisations: int
    schools: int
    services: int
    users: int
    already_loaded: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.organisations or self.schools or self.services or self.users)

    def describe(self) -> str:
        """One line for a command's output."""
        if not self.changed:
            return "Demo data already loaded: nothing changed."
        return (
            f"Loaded demo data: {self.organisations} organisations, {self.schools} schools, "
            f"{self.services} services, {self.users} users."
        )


class DemoLogin(NamedTuple):
    """A demo account to print for testers (a tuple, so it unpacks); all use DEMO_PASSWORD."""

    email: str
    role: str
    organisation: str


def _organisation_names() -> dict[str, str]:
    names = {spec.key: spec.name for spec in ORGANISATIONS}
    names.update({spec.key: spec.name for spec in SCHOOLS})
    return names


DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(user.email, Role(user.role).label, _organisation_names()[user.organisation])
    for user in USERS
]


def load_demo(session: Session, now: datetime | None = None) -> DemoSummary:
    """Add the demo organisations, schools, services, capacity and users; do not commit.

    Does nothing (and says so in the summary) when the demo coordinator already
    exists. Otherwise each record is added only if missing (organisations by
    name, schools by URN, services by organisation and name, users by e-mail),
    so a partly loaded demo is completed rather than duplicated. Capacity is
    dated ``now`` (default: the current UTC time) minus each service's offset.

    Raises DemoDataError when a postcode is not in the gazetteer or the dataset
    refers to something that does not exist.
    """
    if _user_exists(session, COORDINATOR_EMAIL):
        return DemoSummary(0, 0, 0, 0, already_loaded=True)
    if now is None:
        now = utcnow()
    elif now.tzinfo is not None:
        # Timestamps are stored as naive UTC throughout (see services.db.utcnow).
        now = now.astimezone(UTC).replace(tzinfo=None)
    load_standard_needs(session)
    loader = _Loader(session, now)
    organisations = loader.organisations()
    schools, school_organisations = loader.schools()
    services = loader.services()
    users = loader.users()
    summary = DemoSummary(organisations + school_organisations, schools, services, users)
    if summary.changed:
        bump_version(session)
    session.flush()
    return summary


def _user_exists(session: Session, email: str) -> bool:
    found = session.execute(select(User.id).where(func.lower(User.email) == email.lower()))
    return found.first() is not None


def _enum(kind: type[E], value: str, where: str) -> E:
    try:
        return kind(value)
    except ValueError as error:
        raise DemoDataError(f"{where}: {value!r} is not a {kind.__name__}") from error


class _Loader:
    """Creates missing records, remembering what it made so later steps can link to it."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.places: dict[str, Place] = {}
        self.venues: dict[tuple[str, str], Location] = {}
        # Organisation keys and school keys share one namespace (users refer to both).
        self.organisations_by_key: dict[str, Organisation] = {}
        self.schools_by_key: dict[str, School] = {}

    def place(self, postcode: str, where: str) -> Place:
        """Geocode through the gazetteer; an approximate (district) answer is an error."""
        if postcode not in self.places:
            try:
                place = geocode(self.session, postcode)
            except PostcodeError as error:
                raise DemoDataError(f"{where}: postcode {postcode} cannot be placed") from error
            if place.approximate:
                raise DemoDataError(
                    f"{where}: postcode {postcode} is not in the gazetteer. Import the BL "
                    "postcode area (routing.gazetteer.importers.import_packaged) first."
                )
            self.places[postcode] = place
        return self.places[postcode]

    def location(self, name: str, address: str, postcode: str) -> Location:
        place = self.place(postcode, name)
        location = Location(
            name=name,
            address=address,
            postcode=place.postcode,
            latitude=place.latitude,
            longitude=place.longitude,
            easting=place.easting,
            northing=place.northing,
        )
        self.session.add(location)
        return location

    def organisation(self, key: str, where: str) -> Organisation:
        try:
            return self.organisations_by_key[key]
        except KeyError as error:
            raise DemoDataError(f"{where}: unknown organisation or school {key!r}") from error

    def _existing_organisations(self) -> dict[str, Organisation]:
        rows = self.session.execute(select(Organisation)).scalars()
        return {organisation.name: organisation for organisation in rows}

    def organisations(self) -> int:
        existing = self._existing_organisations()
        created = 0
        for spec in ORGANISATIONS:
            organisation = existing.get(spec.name)
            if organisation is None:
                organisation = Organisation(
                    name=spec.name,
                    kind=_enum(OrganisationKind, spec.kind, spec.name),
                    website=spec.website,
                    email=spec.email,
                    phone=spec.phone,
                )
                self.session.add(organisation)
                created += 1
            self.organisations_by_key[spec.key] = organisation
        self.session.flush()
        return created

    def schools(self) -> tuple[int, int]:
        """Add missing schools; returns (schools created, school organisations created)."""
        existing = {school.urn: school for school in self.session.execute(select(School)).scalars()}
        organisations = self._existing_organisations()
        created = created_organisations = 0
        for spec in SCHOOLS:
            school = existing.get(spec.urn)
            if school is None:
                own = organisations.get(spec.name)
                if own is None:
                    own = Organisation(
                        name=spec.name, kind=OrganisationKind.SCHOOL, phone=spec.phone or None
                    )
                    self.session.add(own)
                    created_organisations += 1
                trust = self.organisation(spec.trust, spec.name) if spec.trust else None
                school = School(
                    urn=spec.urn,
                    name=spec.name,
                    phase=_enum(SchoolPhase, spec.phase, spec.name),
                    organisation=own,
                    trust=trust,
                    location=self.location(spec.name, spec.address, spec.postcode),
                )
                self.session.add(school)
                created += 1
            self.schools_by_key[spec.key] = school
            self.organisations_by_key[spec.key] = school.organisation
        self.session.flush()
        return created, created_organisations

    def services(self) -> int:
        known_needs = set(self.session.execute(select(Need.code)).scalars())
        rows = self.session.execute(select(Service.organisation_id, Service.name))
        existing: set[tuple[int, str]] = {(org_id, name) for org_id, name in rows}
        created = 0
        for spec in SERVICES:
            organisation = self.organisation(spec.organisation, spec.name)
            if (organisation.id, spec.name) in existing:
                continue
            self.session.add(self.service(spec, organisation, known_needs))
            existing.add((organisation.id, spec.name))
            created += 1
        self.session.flush()
        return created

    def service(self, spec: ServiceSpec, organisation: Organisation, needs: set[str]) -> Service:
        unknown = sorted(set(spec.needs) - needs)
        if unknown:
            raise DemoDataError(f"{spec.name}: unknown need codes {', '.join(unknown)}")
        area = None
        if spec.area is not None:
            if spec.area not in AREAS:
                raise DemoDataError(f"{spec.name}: unknown service area {spec.area!r}")
            area = AREAS[spec.area]
        service = Service(
            organisation=organisation,
            name=spec.name,
            description=spec.description,
            min_age=spec.min_age,
            max_age=spec.max_age,
            eligibility=spec.eligibility,
            cost=spec.cost,
            delivery_modes=[_enum(DeliveryMode, m, spec.name).value for m in spec.modes],
            languages=list(spec.languages),
            opening_times=spec.opening_times,
            contact_name=spec.contact_name,
            contact_email=spec.contact_email,
            contact_phone=spec.contact_phone,
            website=spec.website,
            referral_route=_enum(ReferralRoute, spec.referral_route, spec.name),
            location=self.venue(spec.venue) if spec.venue else None,
            service_area=area.geojson() if area else None,
            service_area_name=area.name if area else "",
        )
        service.need_links = [ServiceNeed(need_code=code) for code in dict.fromkeys(spec.needs)]
        for key, days in spec.hubs:
            school = self.schools_by_key.get(key)
            if school is None:
                raise DemoDataError(f"{spec.name}: unknown school {key!r}")
            service.hubs.append(ServiceSchool(school=school, days=list(days)))
        figures = spec.capacity
        service.capacity = Capacity(
            accepting=figures.accepting,
            free_places=figures.free_places,
            waitlist_length=figures.waitlist_length,
            typical_wait_days=figures.typical_wait_days,
            updated_at=self.now - timedelta(days=figures.updated_days_ago),
            updated_by_name=figures.updated_by,
        )
        return service

    def venue(self, spec: VenueSpec) -> Location:
        # Services sharing a venue share its Location row.
        key = (spec.name, spec.postcode)
        if key not in self.venues:
            self.venues[key] = self.location(spec.name, spec.address, spec.postcode)
        return self.venues[key]

    def users(self) -> int:
        created = 0
        for spec in USERS:
            if _user_exists(self.session, spec.email):
                continue
            organisation = self.organisation(spec.organisation, spec.email)
            create_user(
                self.session,
                email=spec.email,
                name=spec.name,
                password=DEMO_PASSWORD,
                role=_enum(Role, spec.role, spec.email),
                organisation_id=organisation.id,
            )
            created += 1
        self.session.flush()
        return created
