"""The demo's lead practitioners: the link worker's caseload, a school staff lead, and
Ruby Hartwell's family page naming her lead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.leads.caseload import caseload
from routing.leads.contact import family_lead_contact
from routing.leads.models import LeadPractitioner
from routing.referrals.models import ProgressLink
from routing.referrals.progress import hash_token
from routing.referrals.stuck import StuckScope
from services.accounts.models import Role, User
from services.accounts.passwords import verify_password
from services.demo.leads import LINK_WORKER, add_demo_leads
from services.demo.loader import DEMO_PASSWORD, DemoSummary
from services.demo.referrals import DEMO_PROGRESS_TOKEN
from services.schools import School
from tests.conftest import loaded_demo

pytestmark = pytest.mark.xdist_group("demo_leads_loaded_once")
NOW = datetime(2025, 3, 3, 9, 30)


@pytest.fixture(scope="module")
def loaded(database_url: str) -> Iterator[tuple[Session, DemoSummary]]:
    with loaded_demo(database_url, NOW) as pair:
        yield pair


@pytest.fixture
def db(loaded: tuple[Session, DemoSummary]) -> Session:
    return loaded[0]


def test_the_link_worker_leads_for_two_children_at_two_schools(db: Session) -> None:
    worker = db.execute(select(User).where(User.email == LINK_WORKER)).scalar_one()
    assert worker.role is Role.LINK_WORKER
    assert verify_password(worker.password_hash, DEMO_PASSWORD)
    entries = caseload(db, worker.id, StuckScope(NOW))
    assert sorted(e.child.name for e in entries) == ["Reece Holcroft", "Ruby Hartwell"]
    assert len({e.child.school_id for e in entries}) == 2
    assert all(e.referrals for e in entries)


def test_a_member_of_school_staff_leads_for_one_child(db: Session) -> None:
    open_leads = db.execute(
        select(LeadPractitioner).where(LeadPractitioner.ended_at.is_(None))).scalars().all()
    staff = [lead for lead in open_leads if lead.user.role.is_school]
    assert len(staff) == 1 and staff[0].child.name == "Zara Mellor"
    school = db.get(School, staff[0].child.school_id)
    assert school is not None and staff[0].user.organisation_id == school.organisation_id


def test_ruby_hartwells_family_page_names_her_lead_after_a_handover(db: Session) -> None:
    link = db.execute(select(ProgressLink).where(
        ProgressLink.token_hash == hash_token(DEMO_PROGRESS_TOKEN))).scalar_one()
    contact = family_lead_contact(db, link.child_id)
    assert contact is not None
    assert contact.role == "Link worker" and contact.email == LINK_WORKER
    assert contact.tel == "07700900461"
    ended = db.execute(select(LeadPractitioner).where(
        LeadPractitioner.ended_at.is_not(None))).scalars().all()
    assert [lead.child.name for lead in ended] == ["Ruby Hartwell"]


def test_every_demo_school_has_an_office_phone_and_email(db: Session) -> None:
    for school in db.execute(select(School)).scalars():
        assert school.organisation.phone and school.organisation.email, school.name


def test_it_adds_no_leads_when_loaded_again(db: Session) -> None:
    assert add_demo_leads(db, NOW) == 0


def test_the_demo_family_page_shows_the_lead_with_links(
    loaded: tuple[Session, DemoSummary], database_url: str
) -> None:
    from hub import create_app
    from tests.conftest import _base_config

    app: Flask = create_app(_base_config(database_url))
    page = app.test_client().post(
        f"/progress/{DEMO_PROGRESS_TOKEN}",
        data={"dob-day": "14", "dob-month": "3", "dob-year": "2016"}).get_data(as_text=True)
    assert "Your lead practitioner" in page and "Dee Kershaw" in page
    assert 'href="tel:07700900461"' in page and f'href="mailto:{LINK_WORKER}"' in page
    assert 'href="mailto:office@tonge-moor.demo.familyhub.test"' in page
