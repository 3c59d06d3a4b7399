"""The demo's referrals: every state, the stuck page's lists, the providers' inboxes,
consistent capacity, the family's progress link, and loading once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.referrals.listing import referral_page
from routing.referrals import progress
from routing.referrals.models import Referral, ReferralEvent, Status
from routing.referrals.stuck import StuckKind, StuckScope, stuck_counts, stuck_items
from services.accounts.models import User
from services.demo.dataset import read_dataset
from services.demo.loader import DemoSummary, load_demo
from services.demo.referral_stories import PROGRESS_CHILD, PROGRESS_DATE_OF_BIRTH, STORIES
from services.demo.referrals import DEMO_PROGRESS_TOKEN, add_demo_referrals
from services.listings import Capacity, Service
from tests.conftest import loaded_demo

pytestmark = pytest.mark.xdist_group("demo_referrals_loaded_once")
# A Monday, like the other demo tests' clock.
NOW = datetime(2025, 3, 3, 9, 30)


@pytest.fixture(scope="module")
def loaded(database_url: str) -> Iterator[tuple[Session, DemoSummary]]:
    with loaded_demo(database_url, NOW) as pair:
        yield pair


@pytest.fixture
def db(loaded: tuple[Session, DemoSummary]) -> Session:
    return loaded[0]


def _referrals(db: Session) -> list[Referral]:
    return list(db.execute(select(Referral)).scalars())


def test_it_makes_referrals_in_every_state(
    db: Session, loaded: tuple[Session, DemoSummary]
) -> None:
    referrals = _referrals(db)
    assert 15 <= len(referrals) <= 35
    assert loaded[1].referrals == len(referrals)
    assert {r.status for r in referrals} == set(Status) - {Status.DRAFT}
    # Declined and sent elsewhere; and a child every provider declined.
    assert any(r.rerouted_from_id for r in referrals)
    by_child: dict[int, set[Status]] = {}
    for referral in referrals:
        by_child.setdefault(referral.child_id, set()).add(referral.status)
    assert {Status.DECLINED} in by_child.values()
    assert sum(1 for r in referrals if r.status is Status.ACCEPTED and r.holds_place) >= 2


def test_it_spreads_every_event_over_the_last_ninety_days(db: Session) -> None:
    times = list(db.execute(select(ReferralEvent.at)).scalars())
    assert times
    assert all(NOW - timedelta(days=90) <= at <= NOW for at in times)
    assert min(times) <= NOW - timedelta(days=60)
    assert max(times) >= NOW - timedelta(days=1)


def test_it_puts_entries_on_each_of_the_coordinators_stuck_lists(db: Session) -> None:
    counts = stuck_counts(db, StuckScope(NOW))
    # (The safeguarding examples are hours old, so not yet overdue: not referrals.)
    for kind in set(StuckKind) - {StuckKind.SAFEGUARDING_NOT_ACTIONED}:
        assert counts[kind] >= 1, kind
    # A referral sent yesterday is not yet stuck.
    not_opened = stuck_items(db, StuckKind.NOT_OPENED, StuckScope(NOW))
    assert all(item.referral is not None and item.referral.sent_at is not None
               and item.referral.sent_at < NOW - timedelta(days=5) for item in not_opened)
    fresh = [r for r in _referrals(db) if r.status is Status.SENT
             and r.sent_at is not None and r.sent_at > NOW - timedelta(days=2)]
    assert fresh


def test_it_fills_the_nhs_trusts_inbox(db: Session) -> None:
    manager = db.execute(
        select(User).where(User.email == "manager.nhs@demo.familyhub.test")).scalar_one()
    page = referral_page(db, manager, Referral.status != Status.DRAFT, "", 1)
    assert page.total >= 4
    assert all(r.organisation_id == manager.organisation_id for r in page.referrals)
    assert {Status.SENT, Status.OPENED, Status.WAITLISTED} <= set(page.counts)


def test_it_keeps_each_services_capacity_in_step_with_its_referrals(db: Session) -> None:
    reported = {spec.name: spec.capacity for spec in read_dataset().services}
    holding = Counter(db.execute(
        select(Referral.service_id).where(Referral.holds_place.is_(True))).scalars())
    waiting = Counter(db.execute(
        select(Referral.service_id).where(Referral.status == Status.WAITLISTED)).scalars())
    rows = db.execute(select(Service.id, Service.name, Capacity)
                      .join(Capacity, Capacity.service_id == Service.id)).all()
    assert sum(holding.values()) >= 3 and sum(waiting.values()) >= 2
    for service_id, name, capacity in rows:
        figures = reported[name]
        assert capacity.free_places == figures.free_places - holding[service_id], name
        assert capacity.waitlist_length == figures.waitlist_length + waiting[service_id], name


def test_it_opens_the_demo_familys_progress_page_with_the_documented_date(
    db: Session,
) -> None:
    views = progress.check_and_show(db, DEMO_PROGRESS_TOKEN, PROGRESS_DATE_OF_BIRTH,
                                    "127.0.0.1", NOW)
    assert len(views) == 2
    story = next(s for s in STORIES if f"{s.first_name} {s.last_name}" == PROGRESS_CHILD)
    assert story.link_days_ago is not None
    with pytest.raises(progress.NotShown):
        progress.check_and_show(db, DEMO_PROGRESS_TOKEN,
                                PROGRESS_DATE_OF_BIRTH.replace(day=15), "127.0.0.1", NOW)


def test_it_adds_nothing_when_loaded_again(db: Session) -> None:
    before = db.execute(select(func.count(Referral.id))).scalar_one()
    assert add_demo_referrals(db, NOW) == 0
    assert load_demo(db, now=NOW).already_loaded
    db.flush()
    assert db.execute(select(func.count(Referral.id))).scalar_one() == before


def test_it_names_the_demo_familys_link_and_date_of_birth_in_the_readme() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    born = PROGRESS_DATE_OF_BIRTH
    assert f"/progress/{DEMO_PROGRESS_TOKEN}" in readme
    assert f"{born.day} {born.month} {born.year}" in readme
    assert PROGRESS_CHILD in readme
    # One child is recorded twice (a misspelled surname) and the records merged.
    children = {(story.first_name, story.date_of_birth, story.postcode) for story in STORIES}
    assert f"{len(children)} children" in readme


def test_it_shows_a_corrected_child_and_a_merge_the_lead_can_still_undo(db: Session) -> None:
    from routing.referrals.identity import IdentitySource, versions_of
    from routing.referrals.merge import ChildMerge
    from routing.referrals.models import Child

    merge = db.execute(select(ChildMerge)).scalar_one()
    assert merge.undoable(NOW) and merge.merged_by_name
    survivor = db.get(Child, merge.surviving_child_id)
    assert survivor is not None and survivor.last_name == "Fernsby"
    assert {r.child_id for r in _referrals(db) if r.child.first_name == "Isla"} == {survivor.id}
    corrected = [v for v in db.execute(select(Child)).scalars()
                 if versions_of(db, v.id)[0].source is IdentitySource.CORRECTION]
    assert [c.last_name for c in corrected] == ["Brackenridge"]



def test_it_fills_the_missing_education_register_and_the_attendance_imports(
    db: Session,
) -> None:
    from routing.safeguarding.attendance import import_view, visible_imports
    from routing.safeguarding.cme import register
    from routing.safeguarding.cme_models import CaseStatus
    from services.schools import School

    school = db.execute(select(School).where(School.urn == "105204")).scalar_one()
    shown = register(db, (school.id,), NOW, 10)
    assert [e.case.status for e in shown.open] == [CaseStatus.TRACING]
    assert shown.open[0].overdue and shown.open[0].days_missing == 21
    assert [e.case.status for e in shown.traced] == [CaseStatus.FOUND_ON_ROLL]
    latest, earlier = visible_imports(db, (school.id,))
    view = import_view(db, latest, (school.id,))
    assert view.crossed and view.flagged and len(view.flagged) > len(view.crossed)
    assert import_view(db, earlier, (school.id,)).shown == latest.rows
