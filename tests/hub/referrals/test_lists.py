"""The referrer dashboard and the provider inbox: counts, filters and pages."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.referrals.listing import PAGE_SIZE
from routing.referrals.models import Referral, Status
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import sent_referral


def test_it_the_inbox_counts_every_status_and_pages_the_list(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, name="Mind Matters Bolton")
    for _ in range(PAGE_SIZE + 2):
        sent_referral(db, cast, service)
    opened = sent_referral(db, cast, service, opened=True)
    other = sent_referral(db, cast, make_service(db, cast.other_provider, name="Elsewhere"))
    db.commit()
    login(client, cast.manager)

    first = client.get("/referrals/inbox").get_data(as_text=True)
    assert f"All ({PAGE_SIZE + 3})" in first
    assert "Opened (1)" in first
    assert f"Showing 1 to {PAGE_SIZE} of {PAGE_SIZE + 3}" in first
    assert first.count('<tr class="govuk-table__row">') == PAGE_SIZE + 1  # and the header
    assert other.reference not in first  # another provider's referral
    assert 'href="?page=2" rel="next"' in first

    second = client.get("/referrals/inbox?page=2").get_data(as_text=True)
    assert f"Showing {PAGE_SIZE + 1} to {PAGE_SIZE + 3} of {PAGE_SIZE + 3}" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second

    only_opened = client.get("/referrals/inbox?status=opened").get_data(as_text=True)
    assert opened.reference in only_opened
    assert only_opened.count('<tr class="govuk-table__row">') == 1 + 1
    assert "Showing" not in only_opened  # one page


def test_it_a_page_past_the_end_shows_the_last_page_and_a_bad_status_shows_all(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    referral = sent_referral(db, cast, service)
    db.commit()
    login(client, cast.manager)
    for path in ("/referrals/inbox?page=99", "/referrals/inbox?status=nonsense",
                 "/referrals/inbox?page=x"):
        page = client.get(path)
        assert page.status_code == 200
        assert referral.reference in page.get_data(as_text=True)


def test_it_the_dashboard_lists_newest_changes_first_for_the_school_only(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    older = sent_referral(db, cast, service)
    newer = sent_referral(db, cast, service)
    db.execute(update(Referral).where(Referral.id == older.id)
               .values(updated_at=newer.updated_at.replace(year=newer.updated_at.year - 1)))
    db.commit()
    login(client, cast.staff)
    page = client.get("/referrals").get_data(as_text=True)
    assert page.index(newer.reference) < page.index(older.reference)
    elsewhere = client.application.test_client()
    login(elsewhere, cast.other_staff)
    other_school = elsewhere.get("/referrals").get_data(as_text=True)
    assert newer.reference not in other_school
    assert Status.SENT.label not in other_school.split("Filter by status")[1].split("</nav>")[0]
