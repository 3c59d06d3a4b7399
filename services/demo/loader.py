"""Load the Bolton demo family-hub area into a database session.

Every record goes through the operation a page or the importer uses
(``add_organisation``, ``add_school``, ``save_service``, ``update_capacity``,
``add_user``), so the demo obeys the same rules as typed data.

The caller loads the gazetteer first (every demo postcode is geocoded through it)
and commits afterwards: ``load_demo`` only adds and flushes, so a failure leaves
nothing half-written once the caller rolls back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.gazetteer.lookup import geocode
from routing.geo import PostcodeError
from routing.referrals.lifecycle import Actor
from services.accounts.models import Role, User
from services.accounts.operations import UserInput, add_user
from services.capacity_ops import update_capacity
from services.db import utcnow
from services.demo.dataset import (
    COORDINATOR_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    Dataset,
    ServiceSpec,
    read_dataset,
)
from services.demo.feed import add_demo_feed
from services.demo.identity import add_identity_examples
from services.demo.leads import add_demo_leads
from services.demo.missing_education import add_missing_education_examples
from services.demo.referrals import add_demo_referrals
from services.demo.safeguarding import add_safeguarding_examples
from services.errors import InvalidInput
from services.listing_ops import ServiceInput, save_service
from services.listings import Service
from services.organisation_ops import OrganisationInput, add_organisation
from services.organisations import Organisation
from services.school_ops import SchoolInput, add_school
from services.schools import School
from services.taxonomy_ops import load_standard_needs
from services.version import bump_version


class DemoDataError(RuntimeError):
    """Raised when the demo cannot be loaded: a postcode missing from the gazetteer,
    a record naming an unknown organisation, school, venue or area, or a record an
    operation refuses (the message names the record and the field)."""


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
    referrals: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.organisations or self.schools or self.services or self.users
                    or self.referrals)

    def describe(self) -> str:
        """One line for a command's output."""
        if not self.changed:
            return "Demo data already loaded: nothing changed."
        return (
            f"Loaded demo data: {self.organisations} organisations, {self.schools} schools, "
            f"{self.services} services, {self.users} users, {self.referrals} referrals."
        )


class DemoLogin(NamedTuple):
    """A demo account to print for testers (a tuple, so it unpacks); all use DEMO_PASSWORD.
    ``role`` is the role's label, with the person's title where it says more ("School
    staff (SENCO)")."""

    email: str
    role: str
    organisation: str


def demo_logins(dataset: Dataset) -> list[DemoLogin]:
    """Every demo account with its role's label and its organisation's name."""
    names = {spec.key: spec.name for spec in dataset.organisations}
    names.update({spec.key: spec.name for spec in dataset.schools})
    return [
        DemoLogin(user.email, Role(user.role).label + (f" ({user.title})" if user.title else ""),
                  names[user.organisation])
        for user in dataset.users
    ]


DEMO_LOGINS: list[DemoLogin] = demo_logins(read_dataset())
# Who the demo data says listed and agreed its school hubs.
DEMO_ACTOR = Actor(None, "Demo data", None, "")


def load_demo(
    session: Session, now: datetime | None = None, dataset: Dataset | None = None
) -> DemoSummary:
    """Add the demo organisations, schools, services, capacity and users; do not commit.

    Does nothing (and says so in the summary) when the demo coordinator already
    exists. Otherwise each record is added only if missing (organisations by
    name, schools by URN, services by organisation and name, users by e-mail),
    so a partly loaded demo is completed rather than duplicated. Capacity is
    dated ``now`` (default: the current UTC time) minus each service's offset.
    ``dataset`` defaults to the data files.

    Raises DemoDataError when a postcode is not in the gazetteer, the dataset
    refers to something that does not exist, or an operation refuses a record.
    """
    if _user_exists(session, COORDINATOR_EMAIL):
        return DemoSummary(0, 0, 0, 0, already_loaded=True)
    if now is None:
        now = utcnow()
    elif now.tzinfo is not None:
        # Timestamps are stored as naive UTC throughout (see services.db.utcnow).
        now = now.astimezone(UTC).replace(tzinfo=None)
    dataset = dataset or read_dataset()
    _check_postcodes(session, dataset)
    load_standard_needs(session)
    loader = _Loader(session, now, dataset)
    organisations = loader.organisations()
    schools = loader.schools()
    services = loader.services()
    users = loader.users()
    # A community feed whose needs are not yet assigned: the coordinator's /triage page.
    add_demo_feed(session, now)
    # Something in Tonge Moor's safeguarding lead's queue at first run.
    add_safeguarding_examples(session, now)
    # A missing-education case being traced, one found, and two attendance imports.
    add_missing_education_examples(session, now)
    # Referrals in every state over the last 90 days, for every role's pages.
    referrals = add_demo_referrals(session, now)
    # Lead practitioners: the link worker's caseload and Ruby Hartwell's family page.
    add_demo_leads(session, now)
    # A corrected child and a merge the safeguarding lead can still undo.
    add_identity_examples(session, now)
    # Each school comes with its own organisation.
    summary = DemoSummary(organisations + schools, schools, services, users,
                          referrals=referrals)
    if summary.changed:
        bump_version(session)
    session.flush()
    return summary


def _user_exists(session: Session, email: str) -> bool:
    found = session.execute(select(User.id).where(func.lower(User.email) == email.lower()))
    return found.first() is not None


def _check_postcodes(session: Session, dataset: Dataset) -> None:
    """Raise DemoDataError for a postcode the gazetteer does not know exactly.

    The operations accept a district centre for an unknown postcode (a user may
    type a new one); the demo must place every school and venue exactly.
    """
    places = [(school.name, school.postcode) for school in dataset.schools]
    places += [(venue.name, venue.postcode) for venue in dataset.venues.values()]
    for where, postcode in places:
        try:
            approximate = geocode(session, postcode).approximate
        except PostcodeError as error:
            raise DemoDataError(f"{where}: postcode {postcode} cannot be placed") from error
        if approximate:
            raise DemoDataError(
                f"{where}: postcode {postcode} is not in the gazetteer. Import the BL "
                "postcode area (routing.gazetteer.importers.import_packaged) first."
            )


class _Loader:
    """Creates missing records, remembering what it made so later steps can link to it."""

    def __init__(self, session: Session, now: datetime, dataset: Dataset) -> None:
        self.session = session
        self.now = now
        self.dataset = dataset
        # Organisation keys and school keys share one namespace (users refer to both).
        self.organisations_by_key: dict[str, Organisation] = {}
        self.schools_by_key: dict[str, School] = {}

    def organisation(self, key: str, where: str) -> Organisation:
        try:
            return self.organisations_by_key[key]
        except KeyError as error:
            raise DemoDataError(f"{where}: unknown organisation or school {key!r}") from error

    def organisations(self) -> int:
        existing = {org.name: org for org in self.session.execute(select(Organisation)).scalars()}
        created = 0
        for spec in self.dataset.organisations:
            organisation = existing.get(spec.name)
            if organisation is None:
                data = OrganisationInput(spec.name, spec.kind, spec.website, spec.email, spec.phone)
                with _refused(spec.name):
                    organisation = add_organisation(self.session, data)
                created += 1
            self.organisations_by_key[spec.key] = organisation
        return created

    def schools(self) -> int:
        existing = {school.urn: school for school in self.session.execute(select(School)).scalars()}
        created = 0
        for spec in self.dataset.schools:
            school = existing.get(spec.urn)
            if school is None:
                trust = self.organisation(spec.trust, spec.name) if spec.trust else None
                data = SchoolInput(
                    name=spec.name,
                    urn=spec.urn,
                    phase=spec.phase,
                    trust_id=trust.id if trust else None,
                    address=spec.address,
                    postcode=spec.postcode,
                    phone=spec.phone,
                    email=spec.email or None,
                )
                with _refused(spec.name):
                    school = add_school(self.session, data).school
                created += 1
            self.schools_by_key[spec.key] = school
            self.organisations_by_key[spec.key] = school.organisation
        return created

    def _state_kind_of_help(self, organisation_id: int, spec: ServiceSpec) -> None:
        """Give a demo service loaded before listings said what kind of help they give
        its kinds, audiences and level; never changes what is already stated."""
        service = self.session.execute(select(Service).where(
            Service.organisation_id == organisation_id, Service.name == spec.name)
        ).scalars().first()
        if service is None or service.help_kinds or service.audiences or service.need_level:
            return
        service.help_kinds = list(spec.kinds)
        service.audiences = list(spec.help_for)
        service.need_level = spec.level
        bump_version(self.session)

    def services(self) -> int:
        rows = self.session.execute(select(Service.organisation_id, Service.name))
        existing: set[tuple[int, str]] = {(org_id, name) for org_id, name in rows}
        created = 0
        for spec in self.dataset.services:
            organisation = self.organisation(spec.organisation, spec.name)
            if (organisation.id, spec.name) in existing:
                self._state_kind_of_help(organisation.id, spec)
                continue
            with _refused(spec.name):
                # The demo's co-location is the hub's own record: agreed.
                service = save_service(self.session, None, organisation.id, self.listing(spec),
                                       actor=DEMO_ACTOR, agree_hubs=True, now=self.now)
                self.session.flush()
                figures = spec.capacity
                update_capacity(
                    self.session,
                    service,
                    accepting=figures.accepting,
                    free_places=figures.free_places,
                    waitlist_length=figures.waitlist_length,
                    typical_wait_days=figures.typical_wait_days,
                    user_id=None,
                    user_name=figures.updated_by,
                    now=self.now - timedelta(days=figures.updated_days_ago),
                )
            existing.add((organisation.id, spec.name))
            created += 1
        self.session.flush()
        return created

    def listing(self, spec: ServiceSpec) -> ServiceInput:
        """The service as the provider form would submit it."""
        venue = None
        if spec.venue is not None:
            venue = self.dataset.venues.get(spec.venue)
            if venue is None:
                raise DemoDataError(f"{spec.name}: unknown venue {spec.venue!r}")
        area = None
        if spec.area is not None:
            area = self.dataset.areas.get(spec.area)
            if area is None:
                raise DemoDataError(f"{spec.name}: unknown service area {spec.area!r}")
        days_by_school: dict[int, tuple[str, ...]] = {}
        for hub in spec.hubs:
            school = self.schools_by_key.get(hub.school)
            if school is None:
                raise DemoDataError(f"{spec.name}: unknown school {hub.school!r}")
            days_by_school[school.id] = hub.days
        return ServiceInput(
            name=spec.name,
            description=spec.description,
            need_codes=spec.needs,
            min_age=spec.min_age,
            max_age=spec.max_age,
            eligibility=spec.eligibility,
            cost=spec.cost,
            delivery_modes=spec.modes,
            languages=spec.languages,
            opening_times=spec.opening_times,
            contact_name=spec.contact_name,
            contact_email=spec.contact_email,
            contact_phone=spec.contact_phone,
            website=spec.website,
            referral_route=spec.referral_route,
            venue_name=venue.name if venue else None,
            venue_address=venue.address if venue else "",
            venue_postcode=venue.postcode if venue else "",
            hub_school_ids=list(days_by_school),
            days_by_school=days_by_school,
            service_area_name=area.name if area else "",
            service_area_text=json.dumps(area.geometry) if area else "",
            help_kinds=spec.kinds,
            audiences=spec.help_for,
            need_level=spec.level,
        )

    def users(self) -> int:
        created = 0
        for spec in self.dataset.users:
            if _user_exists(self.session, spec.email):
                continue
            organisation = self.organisation(spec.organisation, spec.email)
            data = UserInput(spec.name, spec.email, spec.role, organisation.id, DEMO_PASSWORD)
            with _refused(spec.email):
                user = add_user(self.session, data, set_by_coordinator=False)
            # The demo coordinator is also the data protection officer, to show the
            # audit; roles that must sign in with a second factor share the documented
            # demo authenticator secret, so a visitor can get through (see README).
            user.is_dpo = user.role == Role.COORDINATOR
            if user.two_factor_required:
                user.totp_secret = DEMO_TOTP_SECRET
            created += 1
        return created


@contextmanager
def _refused(where: str) -> Iterator[None]:
    """Turn an operation's InvalidInput into a DemoDataError naming the record."""
    try:
        yield
    except InvalidInput as error:
        raise DemoDataError(f"{where}: {error}") from error
