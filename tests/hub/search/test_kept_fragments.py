"""Parts of the search page rendered once and kept (hub.fragments, hub.templating): each
shows what it would show if drawn afresh, for whoever asks, after any change."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from routing.engine import ScorePart
from services.capacity_ops import update_capacity
from services.listings import Service
from services.version import bump_version
from tests.factories import Cast, login, make_school, make_service

SEARCH = {"postcode": "BL1 1SE", "needs": ["MHW"], "radius": "5"}


def _search(client: FlaskClient, **changes: object) -> str:
    response = client.post("/search", data={**SEARCH, **changes})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _menu(page: str) -> str:
    start = page.index('<nav aria-label="Menu"')
    return page[start:page.index("</nav>", start)]


def _active(page: str) -> str:
    found = re.search(r'aria-current="true">\s*<strong[^>]*>([^<]+)</strong>', _menu(page))
    assert found is not None
    return found.group(1)


def test_it_shows_a_services_new_listing_details_in_the_next_search(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, name="Harbour Counselling", cost="Free",
                           languages=("English",))
    db.commit()
    login(client, cast.staff)
    first = _search(client)
    assert "Cost: Free" in first and "Languages: English" in first
    edited = db.get(Service, service.id)
    assert edited is not None
    edited.cost = "£5 a session"
    edited.languages = ["English", "Urdu"]
    bump_version(db)  # as every listing edit does
    db.commit()
    page = _search(client)
    assert "Cost: £5 a session" in page and "Languages: English, Urdu" in page
    assert "Cost: Free" not in page


def test_it_shows_a_capacity_change_in_the_rank_table_of_the_next_search(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=3)
    db.commit()
    login(client, cast.staff)
    assert '<td class="govuk-table__cell">3 places free</td>' in _search(client)
    update_capacity(db, service, accepting=True, free_places=8, waitlist_length=0,
                    typical_wait_days=14, user_id=cast.worker.id, user_name="Sam")
    db.commit()
    page = _search(client)
    assert '<td class="govuk-table__cell">8 places free</td>' in page
    assert "3 places free" not in page


def test_it_escapes_a_score_reason_in_its_kept_row(app: Flask) -> None:
    from hub.fragments import score_rows_html

    part = ScorePart("distance", 12.25, "<b>0.3 miles</b> away")
    with app.test_request_context("/search"):
        first = score_rows_html([part])
        again = score_rows_html([ScorePart("distance", 12.25, "<b>0.3 miles</b> away")])
    assert first == again
    assert list(app.extensions["family_hub_score_rows"]) == [part]  # rendered once, kept
    assert "&lt;b&gt;0.3 miles&lt;/b&gt; away" in first and "<b>" not in first
    assert ">Distance<" in first and ">12.2<" in first


def test_it_marks_the_chosen_options_and_lists_a_new_school(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider)
    db.commit()
    login(client, cast.staff)
    near = _search(client, radius="1", urgency="urgent")
    assert '<option value="1" selected>1 mile</option>' in near
    assert '<option value="urgent" selected>' in near
    far = _search(client, radius="10")
    assert '<option value="10" selected>10 miles</option>' in far
    assert '<option value="1">1 mile</option>' in far
    assert '<option value="routine" selected>' in far
    assert "Brightmet Primary" not in far
    make_school(db, "Brightmet Primary", "BL2 6QQ")
    bump_version(db)
    db.commit()
    assert "Brightmet Primary</option>" in _search(client)


def test_it_draws_each_role_its_own_menu_with_the_section_marked(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    login(client, cast.staff)
    search = client.get("/search").get_data(as_text=True)
    assert _active(search) == "Find services"
    assert "Safeguarding" in _menu(search) and "Our services" not in _menu(search)
    referrals = client.get("/referrals").get_data(as_text=True)
    assert _active(referrals) == "Referrals"
    client.post("/logout")
    login(client, cast.manager)
    theirs = client.get("/referrals/inbox").get_data(as_text=True)
    assert _active(theirs) == "Referral inbox"  # a provider's menu names its page
    assert "Our services" in _menu(theirs) and "Safeguarding" not in _menu(theirs)
    assert "Find services" in _menu(theirs)
