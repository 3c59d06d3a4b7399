"""The Bolton demo area: what it loads, that it is consistent, and that it loads once."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.gazetteer.lookup import geocode
from services.accounts.models import Role, User
from services.accounts.passwords import verify_password
from services.demo.dataset import DEMO_PASSWORD, read_dataset
from services.demo.feed import add_demo_feed, read_feed
from services.demo.loader import DEMO_LOGINS, DemoSummary, load_demo
from services.listings import Capacity, DeliveryMode, Service, ServiceNeed
from services.locations import Location
from services.organisations import Organisation, OrganisationKind
from services.schools import School, SchoolPhase
from services.taxonomy import Need
from services.triage import Suggester, keyword_rules, services_to_triage
from services.version import current_version
from tests.conftest import loaded_demo

# One worker runs this module's tests together, so no other test empties the
# database between them (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("demo_loaded_once")
NOW = datetime(2025, 3, 3, 9, 30)
FIVE_MILES_M = 8047
DATASET = read_dataset()
SCHOOLS, SERVICES, USERS = DATASET.schools, DATASET.services, DATASET.users
# The community feed's services, imported with their needs not yet assigned (triage).
FEED_SOURCE, FEED = read_feed()


@pytest.fixture(scope="module")
def loaded(database_url: str) -> Iterator[tuple[Session, DemoSummary]]:
    """The demo, loaded once for this module: its tests only read it."""
    with loaded_demo(database_url, NOW) as pair:
        yield pair


@pytest.fixture
def db(loaded: tuple[Session, DemoSummary]) -> Session:
    return loaded[0]


@pytest.fixture
def demo(loaded: tuple[Session, DemoSummary]) -> DemoSummary:
    return loaded[1]


def _count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def _points(service: Service) -> list[Location]:
    points = [hub.school.location for hub in service.hubs]
    if service.location is not None:
        points.append(service.location)
    return points


def _services(session: Session) -> list[Service]:
    return list(session.execute(select(Service)).scalars())


def test_it_loads_at_least_twenty_schools(db: Session, demo: DemoSummary) -> None:
    assert demo.schools == len(SCHOOLS) >= 20
    assert _count(db, School) == len(SCHOOLS)
    phases = set(db.execute(select(School.phase)).scalars())
    assert phases == set(SchoolPhase)


def test_it_gives_each_school_its_own_organisation_and_trust_schools_a_trust(
    db: Session, demo: DemoSummary
) -> None:
    for school in db.execute(select(School)).scalars():
        assert school.organisation.kind is OrganisationKind.SCHOOL
        assert school.organisation.name == school.name
        assert len(school.urn) == 6 and school.urn.isdigit()
        if school.phase in (SchoolPhase.SPECIAL, SchoolPhase.ALTERNATIVE_PROVISION):
            assert school.trust is not None
            assert school.trust.kind is OrganisationKind.ACADEMY_TRUST


def test_it_loads_at_least_sixty_services_from_every_kind_of_provider(
    db: Session, demo: DemoSummary
) -> None:
    assert demo.services == len(SERVICES) >= 60
    assert _count(db, Service) == len(SERVICES) + len(FEED)
    kinds = set(
        db.execute(
            select(Organisation.kind).join(Service, Service.organisation_id == Organisation.id)
        ).scalars()
    )
    assert {
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.NHS,
        OrganisationKind.HOUSING,
        OrganisationKind.VOLUNTARY,
    } <= kinds


def test_it_dates_every_services_capacity_up_to_forty_days_before_now(
    db: Session, demo: DemoSummary
) -> None:
    capacities = list(db.execute(select(Capacity)).scalars())
    assert len(capacities) == len(SERVICES)
    for capacity in capacities:
        assert NOW - timedelta(days=40) <= capacity.updated_at <= NOW
        assert 0 <= capacity.free_places <= 10
        assert 0 <= capacity.waitlist_length <= 25
        assert capacity.updated_by_name
    ages = {(NOW - c.updated_at).days for c in capacities}
    assert min(ages) == 0 and max(ages) >= 30
    assert any(not c.accepting for c in capacities)


def test_it_has_a_demo_user_for_every_role_with_the_demo_password(
    db: Session, demo: DemoSummary
) -> None:
    users = list(db.execute(select(User)).scalars())
    assert demo.users == len(users) == len(USERS)
    assert {user.role for user in users} == set(Role)
    coordinator = next(u for u in users if u.email == "coordinator@demo.familyhub.test")
    assert coordinator.role is Role.COORDINATOR
    assert verify_password(coordinator.password_hash, DEMO_PASSWORD)
    school_staff_orgs = {u.organisation_id for u in users if u.role.is_school}
    assert len(school_staff_orgs) >= 2
    provider_kinds = {u.organisation.kind for u in users if u.role.is_provider}
    assert {
        OrganisationKind.NHS,
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.VOLUNTARY,
    } <= provider_kinds


def test_it_lists_every_demo_user_in_the_demo_logins(db: Session, demo: DemoSummary) -> None:
    emails = set(db.execute(select(User.email)).scalars())
    assert {email for email, _role, _organisation in DEMO_LOGINS} == emails
    assert all(role.split(" (")[0] in {r.label for r in Role}
               for _email, role, _org in DEMO_LOGINS)


def test_it_gives_every_service_need_codes_that_exist_in_the_taxonomy(
    db: Session, demo: DemoSummary
) -> None:
    codes = set(db.execute(select(Need.code)).scalars())
    for service in _services(db):
        if service.needs_triage:  # the feed's: waiting for the coordinator
            continue
        assert service.need_codes, service.name
        assert set(service.need_codes) <= codes, service.name
    linked = set(db.execute(select(ServiceNeed.need_code)).scalars())
    assert len({code.split(".")[0] for code in linked}) >= 14


def test_it_gives_every_service_valid_delivery_modes_and_english(
    db: Session, demo: DemoSummary
) -> None:
    modes = {mode.value for mode in DeliveryMode}
    for service in _services(db):
        if service.needs_triage:
            # The community feed states no way of delivery: it stays not stated, never
            # guessed from the address (issue 15 item 4).
            assert service.delivery_modes == [], service.name
        else:
            assert service.delivery_modes and set(service.delivery_modes) <= modes
        assert "English" in service.languages
        assert service.min_age <= service.max_age
        if DeliveryMode.SCHOOL_HUB.value in service.delivery_modes:
            assert service.hubs, service.name


def test_it_makes_every_service_area_a_valid_polygon_holding_one_of_its_points(
    db: Session, demo: DemoSummary
) -> None:
    unlimited = 0
    for service in _services(db):
        if service.service_area is None:
            unlimited += 1
            continue
        area = shape(service.service_area)
        assert area.geom_type == "Polygon" and area.is_valid, service.name
        points = _points(service)
        if points:
            assert any(area.contains(Point(p.longitude, p.latitude)) for p in points), (
                service.name
            )
    assert 1 <= unlimited < len(SERVICES) // 4


def test_it_changes_nothing_when_loaded_twice(db: Session, demo: DemoSummary) -> None:
    before = {m: _count(db, m) for m in (Organisation, School, Service, User, Location)}
    version = current_version(db)
    again = load_demo(db, now=NOW + timedelta(days=3))
    db.commit()
    assert again.already_loaded and not again.changed
    assert "nothing changed" in again.describe()
    assert {m: _count(db, m) for m in before} == before
    assert current_version(db) == version



def test_it_has_three_mental_health_services_for_a_nine_year_old_near_bl1_1se(
    db: Session, demo: DemoSummary
) -> None:
    home = geocode(db, "BL1 1SE")
    found = []
    for service in _services(db):
        if not any(code.split(".")[0] == "MHW" for code in service.need_codes):
            continue
        if not service.min_age <= 9 <= service.max_age:
            continue
        if service.service_area and not shape(service.service_area).contains(
            Point(home.longitude, home.latitude)
        ):
            continue
        distances = [
            math.hypot(p.easting - home.easting, p.northing - home.northing)
            for p in _points(service)
        ]
        if distances and min(distances) <= FIVE_MILES_M:
            found.append(service.name)
    assert len(found) >= 3, found



def test_it_uses_unique_urns_and_school_names_in_the_dataset() -> None:
    urns = [school.urn for school in SCHOOLS]
    assert len(set(urns)) == len(urns)
    assert len({school.name for school in SCHOOLS}) == len(SCHOOLS)
    assert len({(s.organisation, s.name) for s in SERVICES}) == len(SERVICES)


def test_it_keeps_each_schools_own_days_for_a_service(db: Session, demo: DemoSummary) -> None:
    service = db.execute(
        select(Service).where(Service.name == "Early Help family support")
    ).scalar_one()
    days = {hub.school.name: hub.days for hub in service.hubs}
    assert days == {
        "Tonge Moor Primary School": ["Monday"],
        "Great Lever Park Primary School": ["Wednesday"],
        "Farnworth Park Primary School": ["Thursday"],
    }
    assert service.location is not None and service.location.name == "Bolton Town Hall"



def test_it_reads_every_record_with_named_fields_from_the_data_files() -> None:
    assert len(DATASET.organisations) == 18 and len(SCHOOLS) == 26
    assert len(SERVICES) == 73 and len(USERS) == 14
    assert set(DATASET.areas) == {"bolton", "farnworth_kearsley", "horwich_blackrod",
                                  "town_centre"}
    assert {s.venue for s in SERVICES if s.venue} <= set(DATASET.venues)


def test_it_gives_tonge_moors_safeguarding_lead_a_stop_and_two_concerns(db: Session) -> None:
    from routing.referrals.models import ReferralRequest, RequestStatus
    from routing.referrals.outbox import OutboxMessage
    from routing.safeguarding.models import ConcernKind, SafeguardingItem

    items = db.execute(
        select(SafeguardingItem).order_by(SafeguardingItem.raised_at)).scalars().all()
    # The not-on-roll concern, three weeks old and decided, is the demo's
    # missing-education case; the others wait for the lead.
    missing, *items = items
    assert (missing.kind, missing.open) == (ConcernKind.NOT_ON_ROLL, False)
    assert [item.kind for item in items] == [ConcernKind.SAFEGUARDING_STOP,
                                             ConcernKind.WHEREABOUTS_UNKNOWN,
                                             ConcernKind.PERSISTENT_ABSENCE]
    assert {item.school.name for item in items} == {"Tonge Moor Primary School"}
    assert all(item.open and item.raised_at < NOW for item in items)
    stop = db.get(ReferralRequest, items[0].request_id)
    assert stop is not None and stop.status is RequestStatus.SAFEGUARDING_STOP
    told = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == "safeguarding_item")).scalars().all()
    assert {m.recipient for m in told} == {"dsl.tongemoor@demo.familyhub.test"}
    assert sorted(m.reference for m in told) == sorted(
        item.reference for item in [missing, *items])


def test_it_puts_a_small_community_feed_on_the_coordinators_triage_page(
    db: Session, demo: DemoSummary
) -> None:
    waiting = services_to_triage(db)
    assert 4 <= len(FEED) <= 6
    assert sorted(s.name for s in waiting) == sorted(record["name"] for record in FEED)
    suggester = Suggester(keyword_rules(db))
    suggested = {s.name: suggester.suggest(s.name, s.description) for s in waiting}
    for service in waiting:
        assert not service.need_codes, service.name
        assert "<p>" not in service.description  # the feed's HTML, cleaned on import
        assert "English" in service.languages and service.location is not None
    # The shipped keyword rules find each one's needs from its own words.
    assert "EARLY.DEV" in suggested["Farnworth Bumps and Babies"]
    assert "CARERS" in suggested["Breightmet Young Carers Club"]
    assert "MONEY.DEBT" in suggested["Deansgate Debt and Benefits Surgery"]
    assert "MHW.ANX" in suggested["Heaton Dads' Walk and Talk"]
    assert "ACTIVITY.YOUTH" in suggested["St George's Friday Night Youth Club"]


def test_it_imports_the_feed_again_without_a_change(db: Session, demo: DemoSummary) -> None:
    report = add_demo_feed(db, NOW + timedelta(days=3))
    try:
        assert (report.created, report.updated, report.withdrawn) == (0, 0, 0)
        assert len(services_to_triage(db)) == len(FEED)
    finally:
        db.rollback()
